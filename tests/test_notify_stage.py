"""The notify stage on the real broker: outages are waited out, a delivery is never repeated."""
import time

from consumers.notify.service import run_notifier
from newsmon.stream import create_topics
from schemas import Alert, DeadLetter, Source, Topics, decode, dlq_topic, encode
from tests.kafka_util import Background, records, send, wait_until


def alert(alert_id: str, revision: int = 0) -> Alert:
    return Alert(alert_id=alert_id, revision=revision, headline="Russia and Iran sign a treaty", kind="treaty",
                 first_source=Source(url="https://n.example/a", language="en"))


def test_slack_outage_is_waited_out_and_a_redelivery_is_not_resent(kafka, slack):
    settings = kafka.model_copy(update={"slack_webhook_url": slack.url})
    topic = settings.topic(Topics.ALERTS)
    slack.script = [(500, None), (429, "1")]
    create_topics(settings)
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    stage = Background(lambda stop: run_notifier(settings, stop))
    try:
        assert wait_until(lambda: len(slack.received) == 1, timeout=60)
    finally:
        stage.stop()
    assert slack.attempts == 3
    # The same alert again (a redelivery, a replay) and a corroboration: a restarted notifier sends neither.
    send(settings, topic, "dev-1", encode(alert("dev-1")))
    send(settings, topic, "dev-1", encode(alert("dev-1", revision=1)))
    send(settings, topic, "dev-2", encode(alert("dev-2")))
    stage = Background(lambda stop: run_notifier(settings, stop))
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
    stage = Background(lambda stop: run_notifier(settings, stop))
    try:
        [letter] = records(settings, dlq_topic(settings.topic(Topics.ALERTS)), at_least=1)
    finally:
        stage.stop()
    dead = decode(DeadLetter, letter.value)
    assert dead.stage == "notify.slack" and "404" in dead.error
    assert decode(Alert, dead.original_value()).alert_id == "dev-9"


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
