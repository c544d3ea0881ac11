"""The channels against real local servers (a Slack-like webhook and Web API, a real SMTP server, a JSON
endpoint that apprise posts to), and the pure parts of the notifier: Block Kit, the hourly limit, the digest."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from consumers.notify import blocks, digest
from consumers.notify.channels import AppriseChannel, Email, SlackBot, apprise_name
from consumers.notify.email import build_message, message_id, send_message
from consumers.notify.ratelimit import Limit, sends_of
from consumers.notify.render import render_markdown, render_text, subject
from consumers.notify.slack import SlackApi, post_slack
from newsmon.stream import Rejected, Transient
from schemas import Alert, DeliveryRecord, Source
from tests.servers import Route

ALERT = Alert(
    alert_id="dev-1234", headline="Russia and Iran sign a strategic partnership treaty", kind="treaty_signed",
    kind_label="Agreement signed", actors=["Russia", "Iran"], event_date=datetime(2025, 1, 17, tzinfo=timezone.utc),
    evidence="Путин и Пезешкиан подписали договор о всеобъемлющем стратегическом партнерстве.",
    evidence_language="ru",
    first_source=Source(url="https://news.example/a", title="Treaty signed", language="ru"))
UPDATE = ALERT.model_copy(update={"revision": 1, "corroborations": [
    Source(url="https://zeitung.example/b", title="Vertrag unterzeichnet", language="de")]})


def test_alert_text_says_what_where_and_quotes_the_original_language():
    text = render_text(UPDATE)
    assert text.startswith("Update: Russia and Iran sign")
    assert "Evidence (Russian)" in text and ALERT.evidence in text
    assert "https://news.example/a" in text and "German" in text and "2025-01-17" in text
    assert subject(ALERT) == "[newsmon] Russia and Iran sign a strategic partnership treaty"
    assert subject(UPDATE) == "Re: " + subject(ALERT)  # one subject: clients that thread by subject keep it together
    markdown = render_markdown(UPDATE)
    assert f"> {ALERT.evidence}" in markdown and "[Vertrag unterzeichnet](https://zeitung.example/b)" in markdown


def test_block_kit_has_a_header_the_facts_the_quote_and_a_button_to_the_source():
    message = blocks.alert_message(UPDATE)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds[:2] == ["header", "section"] and "actions" in kinds and "context" in kinds
    assert message["blocks"][0]["text"]["text"] == ALERT.headline
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert "*Kind*\nAgreement signed" in fields and "*Actors*\nRussia, Iran" in fields and "*Sources*\n2" in fields
    quote = message["blocks"][2]["text"]["text"]
    assert quote.startswith("> Путин и Пезешкиан") and "_Russian, quoted from the first report_" in quote
    [button] = [b for b in message["blocks"] if b["type"] == "actions"][0]["elements"]
    assert button["url"] == "https://news.example/a" and button["text"]["text"] == "Read the source"
    long = ALERT.model_copy(update={"headline": "x" * 400, "evidence": "a <b> & c"})
    cut = blocks.alert_blocks(long)
    assert len(cut[0]["text"]["text"]) == 150 and "a &lt;b&gt; &amp; c" in cut[2]["text"]["text"]


def test_a_group_lists_every_held_alert_within_slacks_block_limit():
    alerts = [ALERT.model_copy(update={"alert_id": f"dev-{i}", "headline": f"Development {i}"}) for i in range(30)]
    message = blocks.group_message(alerts, limit=5)
    assert len(message["blocks"]) <= 50 and "30 more developments" in message["blocks"][0]["text"]["text"]
    assert "and 10 more" in json.dumps(message["blocks"]) and all(f"dev-{i}" in message["text"] for i in range(30))


def test_slack_webhook_200_delivers(slack):
    post_slack(slack.url, blocks.alert_message(ALERT))
    assert slack.received[0]["text"] == render_text(ALERT) and slack.received[0]["blocks"][0]["type"] == "header"


def test_slack_webhook_429_is_transient_with_retry_after(slack):
    slack.script = [(429, "7")]
    with pytest.raises(Transient) as info:
        post_slack(slack.url, blocks.alert_message(ALERT))
    assert info.value.retry_after == 7.0 and slack.received == []


def test_slack_webhook_500_is_transient_and_404_is_final(slack):
    slack.script = [(500, None), (404, None)]
    with pytest.raises(Transient):
        post_slack(slack.url, blocks.alert_message(ALERT))
    with pytest.raises(Rejected):
        post_slack(slack.url, blocks.alert_message(ALERT))


def test_slack_down_is_transient_and_says_so_without_the_webhooks_secret_path():
    with pytest.raises(Transient) as info:
        post_slack("http://127.0.0.1:9/services/T0/B0/SECRET", {"text": "x"}, timeout=2)
    assert "SECRET" not in str(info.value) and "127.0.0.1" in str(info.value)
    with pytest.raises(Transient):
        SlackApi("xoxb-x", "#news", "http://127.0.0.1:9/api/", timeout=2).post({"text": "x", "blocks": []})


def test_slack_web_api_threads_the_update_and_updates_the_alert_in_place(slack_api):
    bot = SlackBot(SlackApi(slack_api.token, "#news", slack_api.url))
    parent = bot.send_alert(ALERT)
    assert parent.thread_ts == parent.message_ts and parent.slack_channel == "C0NEWS"
    assert slack_api.messages[parent.thread_ts]["blocks"][0]["text"]["text"] == ALERT.headline
    reply = bot.send_update(UPDATE, parent)
    assert reply.thread_ts == parent.thread_ts and reply.message_ts != parent.thread_ts
    [posted] = slack_api.replies[parent.thread_ts]
    assert "Vertrag unterzeichnet" in json.dumps(posted["blocks"]) and "German" in posted["text"]
    # the parent now says two sources: chat.update on the same ts
    [update] = slack_api.updates
    assert update["ts"] == parent.thread_ts and "*Sources*\n2" in [f["text"] for f in update["blocks"][1]["fields"]]


def test_slack_web_api_failures_are_transient_or_final(slack_api):
    api = SlackApi(slack_api.token, "#news", slack_api.url)
    slack_api.script = [(429, "3", None), (500, None, None), (200, None, "ratelimited"), (200, None, "channel_not_found")]
    with pytest.raises(Transient) as info:
        api.post(blocks.alert_message(ALERT))
    assert info.value.retry_after == 3.0
    for final in (False, False, True):
        with pytest.raises(Rejected if final else Transient):
            api.post(blocks.alert_message(ALERT))
    with pytest.raises(Rejected, match="invalid_auth"):
        SlackApi("xoxb-wrong", "#news", slack_api.url).post(blocks.alert_message(ALERT))
    assert slack_api.messages == {}


def test_email_is_multipart_and_an_update_threads_under_its_alert(mailbox):
    channel = Email(mailbox.url, "newsmon@example.org", ("analyst@example.org",), namespace="prod")
    first = channel.send_alert(ALERT)
    second = channel.send_update(UPDATE, first)
    alert_mail, update_mail = mailbox.wait_for(2)
    assert first.message_id == alert_mail["Message-ID"] == message_id("dev-1234.0", "prod")
    assert update_mail["In-Reply-To"] == first.message_id and update_mail["References"] == first.message_id
    assert second.message_id == update_mail["Message-ID"] != first.message_id
    assert update_mail["Subject"] == "Re: " + alert_mail["Subject"]
    assert alert_mail.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode("utf-8") for p in alert_mail.get_payload()}
    assert ALERT.evidence in parts["text/plain"] and ALERT.evidence in parts["text/html"]
    assert '<a href="https://news.example/a"' in parts["text/html"] and "<blockquote" in parts["text/html"]
    update_html = [p for p in update_mail.get_payload() if p.get_content_type() == "text/html"][0]
    assert "Also reported by" in update_html.get_payload(decode=True).decode("utf-8")


def test_email_to_a_closed_port_is_transient():
    msg = build_message("a@b", ("c@d",), "s", "b", None, message_id("x", "y"))
    with pytest.raises(Transient):
        send_message("smtp://127.0.0.1:9", msg, timeout=2)


def test_apprise_posts_to_a_json_endpoint_and_an_outage_is_transient(site):
    site.routes["/hook"] = Route(b"{}", status=500, content_type="application/json")
    url = f"json://{site.base.removeprefix('http://')}/hook"
    channel = AppriseChannel(url)
    assert channel.name == apprise_name(url) and channel.name.startswith("apprise:json:") and "127.0.0.1" not in channel.name
    with pytest.raises(Transient):
        channel.send_alert(ALERT)
    site.routes["/hook"] = Route(b"{}", content_type="application/json")
    channel.send_alert(ALERT)
    posted = json.loads(site.log[-1].body)
    assert posted["title"] == ALERT.headline and ALERT.evidence in posted["message"]
    with pytest.raises(ValueError, match="apprise does not understand"):
        AppriseChannel("nosuchservice://token@host")


def test_the_hourly_limit_counts_a_group_once_and_says_when_there_is_room():
    now = datetime(2025, 6, 2, 12, tzinfo=timezone.utc)
    limit = Limit(per_window=2, seconds=3600)
    sends = [now - timedelta(minutes=50), now - timedelta(minutes=10)]
    assert not limit.room(sends, now) and limit.next_room(sends, now) == now + timedelta(minutes=10)
    assert limit.room(sends, now + timedelta(minutes=11)) and Limit(0).room(sends * 10, now)
    records = [DeliveryRecord(alert_id=f"dev-{i}", revision=0, channel="slack", delivered_at=now, group="g1")
               for i in range(3)] + [DeliveryRecord(alert_id="dev-9", revision=0, channel="slack", delivered_at=now),
                                     DeliveryRecord(alert_id="dev-9", revision=1, channel="slack", delivered_at=now),
                                     DeliveryRecord(alert_id="dev-9", revision=0, channel="email", delivered_at=now)]
    assert len(sends_of(records, "slack")) == 2


def test_the_digest_is_due_once_its_hour_has_come_and_covers_the_day_before():
    at = (8, 0)
    assert digest.due(datetime(2025, 6, 2, 7, 59, tzinfo=timezone.utc), at, set()) is None
    period = digest.due(datetime(2025, 6, 2, 9, 30, tzinfo=timezone.utc), at, set())
    assert period.day == date(2025, 6, 2) and period.start == datetime(2025, 6, 1, 8, tzinfo=timezone.utc)
    assert digest.due(datetime(2025, 6, 2, 9, 30, tzinfo=timezone.utc), at, {period.key}) is None
    older = ALERT.model_copy(update={"alert_id": "dev-old", "revision": 2, "corroborations": [
        Source(url="https://a.example/1", language="fr"), Source(url="https://b.example/2", language="es")]})
    found = digest.build(period, [ALERT, UPDATE, older])
    assert [a.revision for a in found.developments] == [1]  # the newest revision of the day's development
    [(alert, new)] = found.updated
    assert alert.alert_id == "dev-old" and [s.url for s in new] == ["https://b.example/2"]
    title, text, html = digest.render(found)
    assert "1 new development(s), 1 more source(s)" in title and ALERT.evidence in text and "b.example" in html


def test_an_unreachable_webhook_is_transient_and_its_secret_path_is_not_in_the_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    url = f"http://127.0.0.1:{port}/services/T0SECRET/B0SECRET/tokentokentoken"
    with pytest.raises(Transient) as info:
        post_slack(url, {"text": render_text(ALERT)}, timeout=2)
    assert "tokentokentoken" not in str(info.value) and "T0SECRET" not in str(info.value)


def test_a_topic_s_channels_toml_reads_secrets_from_the_environment_and_names_its_channels(tmp_path):
    from consumers.notify.routes import read_topic_channels, topic_channel_list
    from newsmon.settings import load_settings

    (tmp_path / "channels.toml").write_text('[slack]\nwebhook_url = "env:AM_HOOK"\n[email]\nto = ["a@x.org", '
                                            '"env:AM_MORE_TO"]\n[apprise]\nurls = ["json://127.0.0.1:9/h"]\n',
                                            encoding="utf-8")
    spec = read_topic_channels("am-az", tmp_path, {"AM_HOOK": "https://hooks.example/T/secret",
                                                   "AM_MORE_TO": "b@x.org, c@x.org"})
    assert spec.slack_webhook_url == "https://hooks.example/T/secret" and "secret" not in repr(spec)
    assert spec.email_to == ("a@x.org", "b@x.org", "c@x.org")
    with pytest.raises(ValueError, match="no SMTP server"):
        topic_channel_list(load_settings(smtp_url=None), spec)
    names = [ch.name for ch in topic_channel_list(load_settings(smtp_url="smtp://127.0.0.1:9"), spec)]
    assert names[:2] == ["slack#am-az", "email:am-az"] and names[2].startswith("apprise:am-az:json:")
    with pytest.raises(ValueError, match="AM_HOOK") as refused:
        read_topic_channels("am-az", tmp_path, {"AM_MORE_TO": "b@x.org"})
    assert "secret" not in str(refused.value)
    assert read_topic_channels("am-az", tmp_path / "nowhere") is None
