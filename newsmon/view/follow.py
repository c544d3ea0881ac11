"""Keeps a View current: reads every topic it folds from the beginning (so a restarted page shows everything it
showed before), then follows them as they grow; reads health from Kafka every few seconds. One consumer with no
group (it commits nothing: reading from the start each time is the point)."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

from kafka import KafkaConsumer, TopicPartition

from newsmon.settings import Settings
from newsmon.stream import StopFlag
from newsmon.view.health import HealthReader
from newsmon.view.model import View, topic_kinds

log = logging.getLogger(__name__)
HEALTH_SECONDS = 5.0


def _partitions(consumer: KafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]


def follow(settings: Settings, view: View, stop: StopFlag, on_turn=None) -> None:
    """Read into `view` until `stop`; `view.ready` once what was there at start-up is read."""
    kinds = topic_kinds(settings.namespace)
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None, enable_auto_commit=False,
                             client_id="newsmon-web", max_poll_records=2000, reconnect_backoff_max_ms=2000)
    health = HealthReader(settings)
    try:
        tps = _partitions(consumer, list(kinds))
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        pending = {tp for tp in tps if ends[tp] > 0}
        began, read, checked = time.monotonic(), 0, 0.0
        if not pending:
            view.ready = True
        while not stop.is_set():
            if on_turn is not None:
                on_turn()
            for tp, records in consumer.poll(timeout_ms=500).items():
                kind = kinds[tp.topic]
                for r in records:
                    view.apply(kind, r.timestamp, r.key, r.value, topic=r.topic, partition=r.partition,
                               offset=r.offset)
                read += len(records)
                if tp in pending and consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
            if not view.ready and not pending:
                view.ready = True
                log.info("web: the view read %d records in %.1fs", read, time.monotonic() - began)
            if time.monotonic() - checked >= HEALTH_SECONDS:
                checked = time.monotonic()
                view.health = health.read()
    finally:
        health.close()
        consumer.close()


def read_topics(settings: Settings, since: dict[str, datetime | None]) -> list:
    """Every record of the given topics up to their current ends, with one consumer: a topic from the beginning
    (None) or from the first record written at or after a time (found by the records' own times)."""
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False, group_id=None,
                             max_poll_records=5000)
    try:
        tps = _partitions(consumer, list(since))
        if not tps:
            return []
        consumer.assign(tps)
        ends = consumer.end_offsets(tps)
        starts = consumer.beginning_offsets(tps)
        timed = {tp: int(since[tp.topic].timestamp() * 1000) for tp in tps if since[tp.topic] is not None}
        found = consumer.offsets_for_times(timed) if timed else {}
        for tp in tps:
            if tp in timed:
                at = found.get(tp)
                consumer.seek(tp, at.offset if at is not None else ends[tp])
            else:
                consumer.seek(tp, starts[tp])
        out = []
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(r for r in records if r.offset < ends[TopicPartition(r.topic, r.partition)])
        return out
    finally:
        consumer.close()


def snapshot(settings: Settings, view: View, since: datetime | None = None) -> View:
    """Fill `view` once (newsmon status): the state topics whole, the streams (decisions, listed articles) from
    `since` only, and health once. Alerts are read whole (one record per development and revision, few beside
    the decisions) so that each topic's last alert is known however long ago it was raised."""
    kinds = topic_kinds(settings.namespace)
    since = since or datetime.now(timezone.utc) - timedelta(days=1)
    streams = {"decisions", "discovered"}
    for r in read_topics(settings, {t: since if k in streams else None for t, k in kinds.items()}):
        view.apply(kinds[r.topic], r.timestamp, r.key, r.value, topic=r.topic, partition=r.partition,
                   offset=r.offset)
    reader = HealthReader(settings)
    try:
        view.health = reader.read()
    finally:
        reader.close()
    view.ready = True
    return view


def start_following(settings: Settings, view: View, stop: StopFlag, on_turn=None) -> threading.Thread:
    def run():
        while not stop.is_set():
            try:
                follow(settings, view, stop, on_turn)
            except Exception:  # noqa: BLE001 - Kafka went away: read again from the start, the view is idempotent
                log.exception("web: reading the topics failed; starting over in 2 s")
                stop.wait(2.0)

    thread = threading.Thread(target=run, name="view", daemon=True)
    thread.start()
    return thread
