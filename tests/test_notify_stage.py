"""The notify stage on the real broker: outages are waited out, a delivery is never repeated, Slack threads survive
a restart, email threads, the digest goes out once, apprise channels, and the hourly limit's grouped message."""
import json
import time
from datetime import datetime, timedelta, timezone

from kafka import KafkaProducer

from consumers.notify.channels import apprise_name
from consumers.notify.service import run_notifier
from newsmon.stream import create_topics
from schemas import Alert, DeadLetter, DeliveryRecord, Source, Topics, decode, dlq_topic, encode
from tests.kafka_util import Background, records, send, wait_until
from tests.servers import Route


def alert(alert_id: str, revision: int = 0, headline: str = "Russia and Iran sign a treaty") -> Alert:
    extra = [Source(url=f"https://m{i}.example/{alert_id}", title=f"Report {i}", language=("de", "fr", "es")[i % 3])
             for i in range(revision)]
    return Alert(alert_id=alert_id, revision=revision, headline=headline, kind="treaty", evidence="Ein Vertrag.",
                 evidence_language="de", first_source=Source(url=f"https://n.example/{alert_id}", language="en"),
                 corroborations=extra)


def notifier(settings) -> Background:
    return Background(lambda stop: run_notifier(settings, stop))


def deliveries(settings) -> list[DeliveryRecord]:
    return [decode(DeliveryRecord, r.value) for r in records(settings, settings.topic(Topics.DELIVERIES), timeout=0)]


def test_slack_outage_is_waited_out_and_a_redelivery_is_not_resent(kafka, slack):
    settings = kafka.model_copy(update={"slack_webhook_url": slack.url})
    topic = settings.topic(Topics.ALERTS)
    slack.script = [(500, None), (429, "1")]
    create_topics(settings)
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(slack.received) == 1, timeout=60)
    finally:
        stage.stop()
    assert slack.attempts == 3
    # The same alert again (a redelivery, a replay) and a corroboration: a restarted notifier sends neither
    # (a webhook cannot thread, so updates go out only with NEWSMON_NOTIFY_UPDATES).
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    send(settings, topic, "dev-1", encode(alert("dev-1", revision=1)))
    send(settings, topic, "dev-2", encode(alert("dev-2")))
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(slack.received) == 2, timeout=60)
        time.sleep(3)  # time to (wrongly) resend the redelivered alert or the corroboration
    finally:
        stage.stop()
    assert [m["text"].rsplit("alert ", 1)[1].split()[0] for m in slack.received] == ["dev-1", "dev-2"]
    assert records(settings, dlq_topic(topic), timeout=0) == []


def test_a_revoked_webhook_dead_letters_the_alert(kafka, slack):
    settings = kafka.model_copy(update={"slack_webhook_url": slack.url})
    slack.script = [(404, None)]
    create_topics(settings)
    send(settings, settings.topic(Topics.ALERTS), "dev-9", encode(alert("dev-9")))
    stage = notifier(settings)
    try:
        [letter] = records(settings, dlq_topic(settings.topic(Topics.ALERTS)), at_least=1)
    finally:
        stage.stop()
    dead = decode(DeadLetter, letter.value)
    assert dead.stage == "notify.slack" and "404" in dead.error
    assert decode(Alert, dead.original_value()).alert_id == "dev-9"


def test_slack_web_api_threads_corroborations_and_keeps_the_thread_across_a_restart(kafka, slack_api):
    settings = kafka.model_copy(update={"slack_bot_token": slack_api.token, "slack_channel": "#news",
                                        "slack_api_url": slack_api.url})
    topic = settings.topic(Topics.ALERTS)
    create_topics(settings)
    slack_api.script = [(429, "1", None), (500, None, None)]  # Slack is busy, then broken, then answers
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    send(settings, topic, "dev-1", encode(alert("dev-1", revision=1)))
    stage = notifier(settings)
    try:
        assert wait_until(lambda: sum(len(r) for r in slack_api.replies.values()) == 1, timeout=60)
    finally:
        stage.stop()
    [parent_ts] = slack_api.messages
    assert slack_api.attempts >= 5  # 429, 500, the post, the update, the reply
    # The restarted notifier reads the thread's ts back from its delivery records: the next report goes there too.
    send(settings, topic, "dev-1", encode(alert("dev-1", revision=1)))  # a redelivery: nothing
    send(settings, topic, "dev-1", encode(alert("dev-1", revision=2)))
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(slack_api.replies.get(parent_ts, [])) == 2, timeout=60)
        time.sleep(2)
    finally:
        stage.stop()
    assert list(slack_api.messages) == [parent_ts], "one top-level message per development"
    assert len(slack_api.replies[parent_ts]) == 2 and len(slack_api.updates) == 2
    fields = [f["text"] for f in slack_api.messages[parent_ts]["blocks"][1]["fields"]]
    assert "*Sources*\n3" in fields, "the alert shows its source count after chat.update"
    by_key = {(d.revision, d.channel): d for d in deliveries(settings)}
    assert by_key[(0, "slack")].thread_ts == parent_ts and by_key[(2, "slack")].thread_ts == parent_ts


def test_email_updates_thread_and_the_digest_goes_out_once_across_restarts(kafka, mailbox):
    now = datetime.now(timezone.utc)
    settings = kafka.model_copy(update={"smtp_url": mailbox.url, "email_to": ("analyst@example.org",),
                                        "notify_updates": True, "digest": "daily@00:00"})
    topic = settings.topic(Topics.ALERTS)
    create_topics(settings)
    # Alerts written yesterday: today's 00:00 digest covers them.
    yesterday = int((now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=6)).timestamp() * 1000)
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    for value in (alert("dev-1", headline="Russia and Iran sign a treaty"), alert("dev-1", revision=1),
                  alert("dev-2", headline="Iran ratifies the treaty")):
        producer.send(topic, key=value.alert_id.encode(), value=encode(value), timestamp_ms=yesterday)
    producer.flush()
    producer.close()
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(mailbox.messages) >= 4, timeout=60)
    finally:
        stage.stop()
    subjects = [m["Subject"] for m in mailbox.messages]
    digests = [m for m in mailbox.messages if "digest" in m["Subject"]]
    assert len(digests) == 1 and "2 new development(s)" in digests[0]["Subject"]
    body = next(p for p in digests[0].get_payload() if p.get_content_type() == "text/plain").get_payload(
        decode=True).decode("utf-8")
    assert "Russia and Iran sign a treaty" in body and "Iran ratifies the treaty" in body
    first = next(m for m in mailbox.messages if m["Subject"] == "[newsmon] Russia and Iran sign a treaty")
    update = next(m for m in mailbox.messages if m["Subject"] == "Re: [newsmon] Russia and Iran sign a treaty")
    assert update["In-Reply-To"] == first["Message-ID"] and update["References"] == first["Message-ID"]
    assert first.get_content_type() == "multipart/alternative", subjects
    stage = notifier(settings)  # a restart: neither the alerts nor the digest go out again
    try:
        time.sleep(6)
    finally:
        stage.stop()
    assert len(mailbox.messages) == 4, [m["Subject"] for m in mailbox.messages]


def test_apprise_channel_waits_out_an_outage_and_sends_once(kafka, site):
    hits = []

    def hook(request):
        hits.append(request)
        return Route(b"{}", status=503 if len(hits) <= 2 else 200, content_type="application/json")

    site.responders["/hook"] = hook
    url = f"json://{site.base.removeprefix('http://')}/hook"
    settings = kafka.model_copy(update={"apprise_urls": (url,)})
    topic = settings.topic(Topics.ALERTS)
    create_topics(settings)
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    send(settings, topic, "dev-1", encode(alert("dev-1")))  # a redelivery
    stage = notifier(settings)
    try:
        assert wait_until(lambda: any(d.channel == apprise_name(url) for d in deliveries(settings)), timeout=60)
        time.sleep(2)
    finally:
        stage.stop()
    assert len(hits) == 3, "two failures waited out, then one delivery, and the redelivery not resent"
    assert json.loads(hits[-1].body)["title"] == "Russia and Iran sign a treaty"
    assert records(settings, dlq_topic(topic), timeout=0) == []
    assert url not in json.dumps([d.model_dump(mode="json") for d in deliveries(settings)])


def test_alerts_over_the_hourly_limit_go_out_as_one_grouped_message(kafka, slack_api):
    settings = kafka.model_copy(update={"slack_bot_token": slack_api.token, "slack_channel": "#news",
                                        "slack_api_url": slack_api.url, "alerts_per_hour": 2,
                                        "rate_window_seconds": 8.0, "partitions": 1})  # one partition: in order
    topic = settings.topic(Topics.ALERTS)
    create_topics(settings)
    for i in range(5):
        send(settings, topic, f"dev-{i}", encode(alert(f"dev-{i}", headline=f"Development {i}")))
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(slack_api.messages) == 2, timeout=30)
        time.sleep(2)
        assert len(slack_api.messages) == 2, "the limit holds the other three"
        # A report of a held development while it waits: the group shows it.
        send(settings, topic, "dev-4", encode(alert("dev-4", revision=1, headline="Development 4")))
    finally:
        stage.stop()
    stage = notifier(settings)  # a restart keeps what is held
    try:
        assert wait_until(lambda: len(slack_api.messages) == 3, timeout=30)
        time.sleep(1)
        group_ts = list(slack_api.messages)[2]
        send(settings, topic, "dev-3", encode(alert("dev-3", revision=1, headline="Development 3")))
        assert wait_until(lambda: len(slack_api.replies.get(group_ts, [])) == 1, timeout=30), \
            [(m, p.get("thread_ts"), p["text"][:60]) for m, p in slack_api.calls]
    finally:
        stage.stop()
    messages = list(slack_api.messages.values())
    assert [m["blocks"][0]["text"]["text"] for m in messages[:2]] == ["Development 0", "Development 1"]
    group = messages[2]
    assert group["blocks"][0]["text"]["text"].startswith("3 more developments")
    assert all(f"dev-{i}" in group["text"] for i in (2, 3, 4))
    groups = {(d.alert_id, d.revision): d.group for d in deliveries(settings) if d.group}
    assert set(groups) == {("dev-2", 0), ("dev-3", 0), ("dev-4", 0), ("dev-4", 1)} and len(set(groups.values())) == 1


def test_a_slack_outage_does_not_hold_back_email(kafka, slack, mailbox):
    """Each channel has its own loop: while Slack asks to wait a minute, email goes out at once."""
    settings = kafka.model_copy(update={"slack_webhook_url": slack.url, "smtp_url": mailbox.url,
                                        "email_to": ("analyst@example.org",)})
    slack.script = [(429, "60")]
    create_topics(settings)
    send(settings, settings.topic(Topics.ALERTS), "dev-3", encode(alert("dev-3")))
    stage = Background(lambda stop: run_notifier(settings, stop))
    try:
        assert wait_until(lambda: len(mailbox.messages) == 1, timeout=30), "email waited for Slack"
        assert slack.attempts == 1 and slack.received == []  # Slack's wait is still running
    finally:
        stage.stop()


def test_a_topic_s_alerts_go_to_its_own_channels_else_to_the_deployment_s_also_as_topics_change(
        kafka, slack_api, mailbox, tmp_path, monkeypatch):
    from newsmon.registry import add_command, send_command
    from schemas import TopicCommand
    from tests.servers import Mailbox
    from tests.test_producer import topic_folder

    desk_a = Mailbox()  # topic a's own SMTP server: its mail can only get there through a's channels.toml
    monkeypatch.setenv("NEWSMON_TEST_A_SMTP", desk_a.url)
    topics = tmp_path / "topics"
    topic_folder(topics, "a", [], {"channels.toml": '[email]\nto = ["a-desk@example.org"]\n'
                                                    'smtp_url = "env:NEWSMON_TEST_A_SMTP"\n'})
    topic_folder(topics, "b", [])  # no channels.toml: the deployment's channels
    c = topic_folder(tmp_path / "elsewhere", "c", [], {"channels.toml": '[slack]\nchannel = "#c-desk"\n'})
    slack_api.channels["#c-desk"] = "C0CDESK"
    # a static member, as `newsmon run` makes it: the channel's name is in its group.instance.id
    settings = kafka.model_copy(update={
        "topics_dir": topics, "topic_dir": None, "home": tmp_path / "home", "instance_id": "host-0",
        "slack_bot_token": slack_api.token, "slack_channel": "#news", "slack_api_url": slack_api.url,
        "smtp_url": mailbox.url, "email_to": ("desk@example.org",)})
    topic = settings.topic(Topics.ALERTS)
    create_topics(settings)
    sent: list[Alert] = []

    def raise_alert(alert_id: str, of: str | None, revision: int = 0) -> None:
        value = alert(alert_id, revision, headline=f"Headline {alert_id}").model_copy(update={"topic": of})
        sent.append(value)
        send(settings, topic, alert_id, encode(value))

    def slack_in(channel: str) -> list[str]:
        return sorted(p["text"].split("Headline ", 1)[1].split()[0] for m, p in slack_api.calls
                      if m == "chat.postMessage" and p["channel"] == channel and not p.get("thread_ts"))

    def mail(box) -> list[tuple[str, str]]:
        return sorted((m["To"], m["Subject"].rsplit(" ", 1)[1]) for m in box.messages)

    raise_alert("a-1", "a")
    raise_alert("a-1", "a", revision=1)
    raise_alert("b-1", "b")
    raise_alert("b-1", "b", revision=1)
    raise_alert("x-1", None)  # an alert that names no topic: the deployment's
    stage = notifier(settings)
    try:
        assert wait_until(lambda: len(mailbox.messages) == 2 and len(desk_a.messages) == 1 and
                          sum(len(r) for r in slack_api.replies.values()) == 1, timeout=60)
        assert mail(desk_a) == [("a-desk@example.org", "a-1")]
        assert mail(mailbox) == [("desk@example.org", "b-1"), ("desk@example.org", "x-1")]
        assert slack_in("#news") == ["b-1", "x-1"]
        # topic c is added while the stage runs: its channel starts, and its alert goes there only
        send_command(settings, add_command(c))
        raise_alert("c-1", "c")
        assert wait_until(lambda: slack_in("#c-desk") == ["c-1"], timeout=30)
        # topic a is removed: its channel stops, and an alert of it (one in flight) reaches nobody, neither a's
        # desk nor the deployment's; b's goes on as before
        send_command(settings, TopicCommand(topic_id="a", action="remove"))
        time.sleep(2)  # the stage reads the command within a second
        raise_alert("a-2", "a")
        raise_alert("b-2", "b")
        assert wait_until(lambda: ("desk@example.org", "b-2") in mail(mailbox) and "b-2" in slack_in("#news"),
                          timeout=30)
        time.sleep(6)  # the deployment's loops wait 5 s for a topic they do not know before they skip its alert
    finally:
        stage.stop()
    expected = (mail(desk_a), mail(mailbox), slack_in("#news"), slack_in("#c-desk"))
    assert expected == ([("a-desk@example.org", "a-1")],
                        [("desk@example.org", "b-1"), ("desk@example.org", "b-2"), ("desk@example.org", "x-1")],
                        ["b-1", "b-2", "x-1"], ["c-1"])
    assert {d.channel for d in deliveries(settings)} == {"email:a", "email", "slack", "slack#c"}
    # A restart, and every alert delivered again (a replay): nothing goes out twice, on any channel.
    for value in sent:
        send(settings, topic, value.alert_id, encode(value))
    stage = notifier(settings)
    try:
        time.sleep(6)
    finally:
        stage.stop()
        desk_a.close()
    assert (mail(desk_a), mail(mailbox), slack_in("#news"), slack_in("#c-desk")) == expected
    assert records(settings, dlq_topic(topic), timeout=0) == []
