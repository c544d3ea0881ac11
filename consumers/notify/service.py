"""The notify stage's thin Kafka loop: alerts → Slack / email, exactly once per (alert, revision, channel) as far
as the channel allows.

A delivery is recorded (compacted topic, flushed at once) only after the channel accepted it; the record is read
back at start-up, so a redelivered or replayed alert is not sent again. A channel outage is transient: the loop
waits and retries the same alert, it does not dead-letter it. A channel that refuses an alert for good
(a revoked webhook) dead-letters it, so it can be replayed once the setting is fixed.

Each channel reads the alerts in its own consumer group and loop (thread), so one channel's outage (Slack
answering 429 for minutes) never holds back another: email goes on being sent on time meanwhile.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from kafka import KafkaProducer

from consumers.notify.email import send_email
from consumers.notify.render import render_slack, render_text, subject
from consumers.notify.slack import post_slack
from newsmon.settings import Settings
from newsmon.stream import Output, StopFlag, create_topics, make_producer, read_all, run_loop
from schemas import Alert, DeliveryRecord, Topics, decode, encode

log = logging.getLogger(__name__)
Sender = Callable[[Alert], None]


def channels(settings: Settings) -> dict[str, Sender]:
    found: dict[str, Sender] = {}
    if settings.slack_webhook_url:
        url = settings.slack_webhook_url
        found["slack"] = lambda alert: post_slack(url, render_slack(alert))
    if settings.smtp_url and settings.email_to:
        found["email"] = lambda alert: send_email(
            settings.smtp_url, settings.email_from, settings.email_to, subject(alert), render_text(alert),
            message_id_seed=f"{alert.alert_id}.{alert.revision}")
    return found


def delivery_key(alert_id: str, revision: int, channel: str) -> str:
    return f"{alert_id}:{revision}:{channel}"


def load_deliveries(settings: Settings) -> set[str]:
    done = set()
    for _key, value in read_all(settings, settings.topic(Topics.DELIVERIES)):
        record = decode(DeliveryRecord, value)
        done.add(delivery_key(record.alert_id, record.revision, record.channel))
    return done


def make_notify_handler(settings: Settings, senders: dict[str, Sender], delivered: set[str],
                        producer: KafkaProducer):
    def handle(_key: bytes | None, value: bytes) -> list[Output]:
        alert = decode(Alert, value)
        if alert.revision > 0 and not settings.notify_updates:
            return []  # a corroboration updates the record on the alerts topic; it is not a new alert
        for channel, send in senders.items():
            key = delivery_key(alert.alert_id, alert.revision, channel)
            if key in delivered:
                continue
            send(alert)
            record = DeliveryRecord(alert_id=alert.alert_id, revision=alert.revision, channel=channel)
            # Recorded and flushed per channel, so an outage of the other channel cannot make this one repeat.
            producer.send(settings.topic(Topics.DELIVERIES), key=key, value=encode(record))
            producer.flush()
            delivered.add(key)
            log.info("notify: %s sent %s (revision %d)", channel, alert.alert_id, alert.revision)
        return []

    return handle


def run_notifier(settings: Settings, stop: StopFlag) -> None:
    create_topics(settings)
    senders = channels(settings)
    if not senders:
        log.warning("notify: no channel configured (NEWSMON_SLACK_WEBHOOK_URL, NEWSMON_SMTP_URL + "
                    "NEWSMON_EMAIL_TO); alerts stay on %s", settings.topic(Topics.ALERTS))
        stop.wait(float("inf"))
        return
    delivered = load_deliveries(settings)
    failed: list[str] = []
    loops = [threading.Thread(target=_run_channel, args=(settings, stop, name, send, delivered, failed),
                              name=f"notify-{name}") for name, send in senders.items()]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()
    if failed:  # the stage exits with an error, and `newsmon run` (or the container) restarts it
        raise RuntimeError(f"notify: the {', '.join(failed)} loop failed")


def _run_channel(settings: Settings, stop: StopFlag, name: str, send: Sender, delivered: set[str],
                 failed: list[str]) -> None:
    """One channel's loop: its own consumer group (notify.<channel>) and producer, its own waits."""
    producer = make_producer(settings)
    handler = make_notify_handler(settings, {name: send}, delivered, producer)
    try:
        run_loop(settings, stage=f"notify.{name}", topic=settings.topic(Topics.ALERTS), handler=handler,
                 producer=producer, stop=stop)
    except Exception:  # noqa: BLE001 - reported, and the whole stage stops so that it is restarted
        log.exception("notify: the %s loop failed; stopping the stage so that it is restarted", name)
        failed.append(name)
        stop.set()
    finally:
        producer.close()
