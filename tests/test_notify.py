"""Notifiers against a Slack-like webhook server and a real SMTP server."""
from datetime import datetime, timezone

import pytest

from consumers.notify.email import send_email
from consumers.notify.render import render_slack, render_text, subject
from consumers.notify.slack import post_slack
from newsmon.stream import Rejected, Transient
from schemas import Alert, Source

ALERT = Alert(
    alert_id="dev-1234", headline="Russia and Iran sign a strategic partnership treaty", kind="treaty_signed",
    actors=["Russia", "Iran"], event_date=datetime(2025, 1, 17, tzinfo=timezone.utc),
    evidence="Путин и Пезешкиан подписали договор о всеобъемлющем стратегическом партнерстве.",
    evidence_language="ru",
    first_source=Source(url="https://news.example/a", title="Treaty signed", language="ru"),
    corroborations=[Source(url="https://news.example/b", title="Vertrag unterzeichnet", language="de")])


def test_alert_text_says_what_where_and_quotes_the_original_language():
    text = render_text(ALERT)
    assert text.startswith("New development: Russia and Iran sign")
    assert "Evidence (Russian)" in text and ALERT.evidence in text
    assert "https://news.example/a" in text and "German" in text and "2025-01-17" in text
    assert subject(ALERT).startswith("[newsmon]")


def test_slack_200_delivers(slack):
    post_slack(slack.url, render_slack(ALERT))
    assert slack.received[0]["text"] == render_text(ALERT)


def test_slack_429_is_transient_with_retry_after(slack):
    slack.script = [(429, "7")]
    with pytest.raises(Transient) as info:
        post_slack(slack.url, render_slack(ALERT))
    assert info.value.retry_after == 7.0 and slack.received == []


def test_slack_500_is_transient_and_404_is_final(slack):
    slack.script = [(500, None), (404, None)]
    with pytest.raises(Transient):
        post_slack(slack.url, render_slack(ALERT))
    with pytest.raises(Rejected):
        post_slack(slack.url, render_slack(ALERT))


def test_slack_down_is_transient():
    with pytest.raises(Transient):
        post_slack("http://127.0.0.1:9/hook", {"text": "x"}, timeout=2)


def test_email_reaches_a_real_smtp_server(mailbox):
    send_email(mailbox.url, "newsmon@example.org", ("analyst@example.org",), subject(ALERT), render_text(ALERT),
               message_id_seed="dev-1234.0")
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == subject(ALERT) and "analyst@example.org" in message["To"]
    assert ALERT.evidence in message.get_payload(decode=True).decode("utf-8")


def test_email_to_a_closed_port_is_transient():
    with pytest.raises(Transient):
        send_email("smtp://127.0.0.1:9", "a@b", ("c@d",), "s", "b", message_id_seed="x", timeout=2)


def test_an_unreachable_webhook_is_transient_and_its_secret_path_is_not_in_the_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    url = f"http://127.0.0.1:{port}/services/T0SECRET/B0SECRET/tokentokentoken"
    with pytest.raises(Transient) as info:
        post_slack(url, render_slack(ALERT), timeout=2)
    assert "tokentokentoken" not in str(info.value) and "T0SECRET" not in str(info.value)
