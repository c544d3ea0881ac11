"""The notify stage: alerts → Slack (Web API or webhook), email, apprise channels, once per (alert, revision,
channel) as far as the channel allows.

A delivery is recorded (compacted topic, flushed at once) only after the channel accepted it; the records are read
back at start-up, so a redelivered or replayed alert is not sent again, and a later revision finds the thread of
its alert (Slack's ts, the email's Message-ID) there. A channel outage is transient: the loop waits (Retry-After
honoured) and retries the same alert, it does not dead-letter it. A channel that refuses an alert for good (a
revoked webhook) dead-letters it, so it can be replayed once the setting is fixed.

Each channel sends at most NEWSMON_ALERTS_PER_HOUR new alerts an hour; what exceeds it is held (a compacted topic,
so a restart keeps it) and goes out as one grouped message when the hour has room again. The daily digest
(NEWSMON_DIGEST) is checked on every turn of the loop.

Each channel reads the alerts in its own consumer group and loop (thread), so one channel's outage (Slack
answering 429 for minutes) never holds back another: email goes on being sent on time meanwhile.

Routing per topic (consumers.notify.routes): a topic folder's channels.toml names the topic's own channels, which
take its alerts (Alert.topic); the deployment's channels take the alerts of every other topic. The stage follows
the topic registry: a topic added with channels gets its channels' loops at once, a removed topic's loops stop.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from kafka import KafkaProducer

from consumers.notify import digest
from consumers.notify.channels import Channel, Email
from consumers.notify.ratelimit import Limit, sends_of
from consumers.notify.routes import Route, Routing, routes
from newsmon.registry import TopicRegistry
from newsmon.settings import Settings
from newsmon.stream import Output, Rejected, StopFlag, Transient, create_topics, make_producer, read_all, \
    read_between, run_loop
from schemas import Alert, DeadLetter, DeliveryRecord, HeldAlert, Topics, decode, dlq_topic, encode

log = logging.getLogger(__name__)
TICK_RETRY = timedelta(seconds=30)  # a held group or a digest that failed without a Retry-After tries again then
REFUSED_RETRY = timedelta(minutes=5)


def delivery_key(alert_id: str, revision: int, channel: str) -> str:
    return f"{alert_id}:{revision}:{channel}"


def load_deliveries(settings: Settings) -> list[DeliveryRecord]:
    return [decode(DeliveryRecord, value) for _key, value in read_all(settings, settings.topic(Topics.DELIVERIES))]


def load_held(settings: Settings) -> list[HeldAlert]:
    return [decode(HeldAlert, value) for _key, value in read_all(settings, settings.topic(Topics.HELD))]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Notifier:
    """What the notifier knows (deliveries, held alerts, the sends in each channel's window) and its two steps:
    `handle` an alert record, `tick` (held groups, the digest)."""

    def __init__(self, settings: Settings, channels: list[Channel], producer: KafkaProducer,
                 deliveries: list[DeliveryRecord] = (), held: list[HeldAlert] = (),
                 clock: Callable[[], datetime] = utcnow, accepts: Callable[[Alert], bool] = lambda _alert: True):
        """`accepts`: whether an alert is for these channels (its topic's own channels, or the deployment's)."""
        self.settings, self.channels, self.producer, self.clock = settings, channels, producer, clock
        self.accepts = accepts
        self.limit = Limit(settings.alerts_per_hour, settings.rate_window_seconds)
        self.delivered = {delivery_key(r.alert_id, r.revision, r.channel): r for r in deliveries}
        self.sends = {ch.name: sends_of(deliveries, ch.name) for ch in channels}
        self.held: dict[str, dict[str, HeldAlert]] = defaultdict(dict)
        for h in held:
            done = delivery_key(h.alert.alert_id, h.alert.revision, h.channel) in self.delivered
            if h.released or done:
                self.held[h.channel].pop(h.alert.alert_id, None)
            else:
                self.held[h.channel][h.alert.alert_id] = h
        self.not_before: dict[str, datetime] = {}
        self.email = next((ch for ch in channels if isinstance(ch, Email)), None)

    # ------------------------------------------------------------------------------------------ one alert
    def handle(self, _key: bytes | None, value: bytes) -> list[Output]:
        alert = decode(Alert, value)
        if not self.accepts(alert):
            return []
        for channel in self.channels:
            self._to(channel, alert)
        return []

    def _to(self, channel: Channel, alert: Alert) -> None:
        if delivery_key(alert.alert_id, alert.revision, channel.name) in self.delivered:
            return
        held = self.held.get(channel.name)
        if alert.revision == 0:
            if held or not self.limit.room(self.sends[channel.name], self.clock()):
                self._hold(channel, alert)
                return
            self._save(channel.send_alert(alert))
            return
        parent = self.delivered.get(delivery_key(alert.alert_id, 0, channel.name))
        if parent is None:
            if held and alert.alert_id in held:
                self._hold(channel, alert)  # the group will show its newest revision
            return  # otherwise the alert went out before this channel existed: nothing to update
        if channel.threads or self.settings.notify_updates:
            self._save(channel.send_update(alert, parent))

    # ------------------------------------------------------------------------------------------ each turn
    def tick(self) -> None:
        now = self.clock()
        for channel in self.channels:
            if self.held.get(channel.name) and now >= self.not_before.get(channel.name, now) and \
                    self.limit.room(self.sends[channel.name], now):
                self._release(channel, now)
        if self.email is not None and self.settings.digest_time is not None and \
                now >= self.not_before.get("digest", now):
            self._digest(now)

    def _release(self, channel: Channel, now: datetime) -> None:
        """The held alerts of a channel, as one grouped message (or as itself when one alone was held)."""
        alerts = [h.alert for h in sorted(self.held[channel.name].values(), key=lambda h: (h.held_at, h.alert.alert_id))]
        group = "group-" + hashlib.sha1("|".join([channel.name, *(a.alert_id for a in alerts)]).encode()).hexdigest()[:12]
        try:
            if len(alerts) == 1:
                record = channel.send_alert(alerts[0])
            else:
                record = channel.send_group(alerts, group, self.limit.per_window)
        except Transient as exc:
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else TICK_RETRY
            self.not_before[channel.name] = now + wait
            log.warning("notify: %s: %d held alert(s) wait %.0fs: %s", channel.name, len(alerts),
                        wait.total_seconds(), exc)
            return
        except Rejected as exc:
            log.error("notify: %s refused %d held alert(s) for good; dead-lettering them: %s", channel.name,
                      len(alerts), exc)
            for alert in alerts:
                self._dead_letter(alert, str(exc))
                self._send(Topics.HELD, f"{channel.name}:{alert.alert_id}",
                           HeldAlert(channel=channel.name, alert=alert, released=True))
            self.producer.flush()
            self.held.pop(channel.name, None)
            return
        for alert in alerts:
            for revision in range(alert.revision + 1):  # the message shows the newest: the older ones are covered
                self._save(record.model_copy(update={"alert_id": alert.alert_id, "revision": revision,
                                                     "group": record.group}), count=False)
        self.sends[channel.name].append(record.delivered_at)
        self.held.pop(channel.name, None)
        log.info("notify: %s sent %d held alert(s)%s", channel.name, len(alerts),
                 f" as one message ({group})" if len(alerts) > 1 else "")

    def _digest(self, now: datetime) -> None:
        period = digest.due(now, self.settings.digest_time, set())
        if period is None or delivery_key(period.key, 0, self.email.name) in self.delivered:
            return
        alerts = [alert for alert in (decode(Alert, value) for _ts, _key, value in read_between(
                  self.settings, self.settings.topic(Topics.ALERTS), period.start, period.end)) if self.accepts(alert)]
        found = digest.build(period, alerts)
        try:
            if found.empty:
                record = DeliveryRecord(alert_id=period.key, revision=0, channel=self.email.name)
            else:
                record = self.email.send_digest(period.day.isoformat(), *digest.render(found))
        except (Transient, Rejected) as exc:
            wait = REFUSED_RETRY if isinstance(exc, Rejected) else TICK_RETRY
            self.not_before["digest"] = now + wait
            log.warning("notify: the digest of %s waits %.0fs: %s", period.day, wait.total_seconds(), exc)
            return
        self._save(record, count=False)
        log.info("notify: digest of %s %s (%d developments, %d updated)", period.day,
                 "had nothing to send" if found.empty else "sent", len(found.developments), len(found.updated))

    # ------------------------------------------------------------------------------------------ records
    def _save(self, record: DeliveryRecord, count: bool = True) -> None:
        key = delivery_key(record.alert_id, record.revision, record.channel)
        # Recorded and flushed per channel, so an outage of another channel cannot make this one repeat.
        self._send(Topics.DELIVERIES, key, record)
        self.producer.flush()
        self.delivered[key] = record
        if count and record.revision == 0:
            self.sends[record.channel].append(record.delivered_at)
        if count:
            log.info("notify: %s sent %s (revision %d)", record.channel, record.alert_id, record.revision)

    def _hold(self, channel: Channel, alert: Alert) -> None:
        held = HeldAlert(channel=channel.name, alert=alert)
        self._send(Topics.HELD, f"{channel.name}:{alert.alert_id}", held)
        self.producer.flush()
        first = self.held[channel.name].get(alert.alert_id)
        self.held[channel.name][alert.alert_id] = held if first is None else held.model_copy(
            update={"held_at": first.held_at})
        log.info("notify: %s: more than %d alerts in %.0f min; %s held for the next grouped message",
                 channel.name, self.limit.per_window, self.limit.seconds / 60, alert.alert_id)

    def _dead_letter(self, alert: Alert, error: str) -> None:
        topic = self.settings.topic(Topics.ALERTS)
        letter = DeadLetter(topic=topic, partition=-1, offset=-1, key_b64=DeadLetter.b64(alert.alert_id.encode()),
                            value_b64=DeadLetter.b64(encode(alert)) or "", stage="notify",
                            error=f"rejected by the channel: {error}"[:2000], attempts=1)
        self.producer.send(dlq_topic(topic), key=alert.alert_id, value=encode(letter))

    def _send(self, spec, key: str, message) -> None:
        self.producer.send(self.settings.topic(spec), key=key, value=encode(message))


def describe(settings: Settings, channels: list[Channel]) -> str:
    names = ", ".join(f"{ch.name}{' (threads)' if ch.threads else ''}" for ch in channels) or "no channel"
    limit = f"at most {settings.alerts_per_hour} alerts an hour each" if settings.alerts_per_hour else "no limit"
    return f"channels: {names}; {limit}" + (f"; digest {settings.digest} UTC" if settings.digest else "")


@dataclass
class _Loop:
    route: Route
    stop: StopFlag
    thread: threading.Thread


def run_notifier(settings: Settings, stop: StopFlag) -> None:
    """One loop (thread) per channel; the set of channels follows the followed topics while the stage runs."""
    create_topics(settings)
    registry = TopicRegistry(settings)
    routing = Routing()
    loops: dict[str, _Loop] = {}
    failed: list[str] = []
    try:
        _reconcile(settings, stop, loops, routes(settings, registry.followed(), routing), routing, failed)
        while not stop.is_set():
            routing.asked.wait(0.5)  # a loop asks when an alert names a topic it has not heard of
            routing.asked.clear()
            if registry.poll():
                log.info("notify: the followed topics changed (%s)", ", ".join(registry.ids()) or "none")
                _reconcile(settings, stop, loops, routes(settings, registry.followed(), routing), routing, failed)
    finally:
        for loop in loops.values():
            loop.stop.set()
        for loop in loops.values():
            loop.thread.join()
        registry.close()
    if failed:  # the stage exits with an error, and `newsmon run` (or the container) restarts it
        raise RuntimeError(f"notify: the {', '.join(failed)} loop failed")


def _reconcile(settings: Settings, stop: StopFlag, loops: dict[str, _Loop], wanted: list[Route], routing: Routing,
               failed: list[str]) -> None:
    """Stop the loops of channels no longer wanted (or whose channels.toml changed), start the new ones."""
    by_name = {route.name: route for route in wanted}
    for name in [n for n, loop in loops.items() if n not in by_name or by_name[n].spec != loop.route.spec]:
        loop = loops.pop(name)
        loop.stop.set()  # it finishes the alert in hand, commits and leaves its group
        loop.thread.join()
        log.info("notify: %s stopped (%s)", name, "its channels changed" if name in by_name else "no longer wanted")
    new = [route for name, route in by_name.items() if name not in loops]
    if not new:
        return
    if by_name.keys() == {"notify"}:
        log.warning("notify: no channel configured (NEWSMON_SLACK_BOT_TOKEN + NEWSMON_SLACK_CHANNEL, "
                    "NEWSMON_SLACK_WEBHOOK_URL, NEWSMON_SMTP_URL + NEWSMON_EMAIL_TO, NEWSMON_APPRISE_URLS, or a "
                    "topic's channels.toml); alerts stay on %s", settings.topic(Topics.ALERTS))
    # read when a loop starts, so that a channel started while the stage runs knows what was delivered meanwhile
    deliveries, held = load_deliveries(settings), load_held(settings)
    for route in new:
        flag = StopFlag(install_signals=False)
        thread = threading.Thread(target=_run_channel, args=(settings, stop, flag, route, routing, deliveries, held,
                                                             failed), name=f"notify-{route.name}")
        loops[route.name] = _Loop(route, flag, thread)
        thread.start()


def notify_stage(channel_name: str | None) -> str:
    """The consumer group (and heartbeat) name of one channel's loop."""
    return f"notify.{channel_name}" if channel_name else "notify"


def _run_channel(settings: Settings, stage_stop: StopFlag, stop: StopFlag, route: Route, routing: Routing,
                 deliveries: list[DeliveryRecord], held: list[HeldAlert], failed: list[str]) -> None:
    """One channel's loop: its own consumer group (notify.<channel>), producer, rate limit and waits. `stop` ends
    this loop (the stage stops, or the channel is no longer wanted); a failure stops the whole stage."""
    channel = route.channel
    channels = [channel] if channel is not None else []
    name = channel.name if channel is not None else None
    producer = make_producer(settings)
    notifier = Notifier(settings, channels, producer, deliveries, [h for h in held if h.channel == name],
                        accepts=lambda alert: routing.accepts(route, alert))
    whose = f"; the alerts of topic {route.topic}" if route.topic else ""
    try:
        run_loop(settings, stage=notify_stage(name), topic=settings.topic(Topics.ALERTS), handler=notifier.handle,
                 producer=producer, stop=stop, tick=notifier.tick, started=describe(settings, channels) + whose)
    except Exception:  # noqa: BLE001 - reported, and the whole stage stops so that it is restarted
        log.exception("notify: the %s loop failed; stopping the stage so that it is restarted", name)
        failed.append(name or "notify")
        stage_stop.set()
    finally:
        producer.close()
