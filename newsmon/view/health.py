"""What only Kafka itself knows: each consuming stage's lag (its group's committed offsets against the topics'
ends) and how many records a topic holds. Read every few seconds by the page, once by `newsmon status`."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from newsmon.settings import Settings
from newsmon.view.model import Health
from schemas import Topics

log = logging.getLogger(__name__)

# The consuming stages and what they consume (the producer consumes nothing: its life shows in its heartbeats).
CONSUMES = {"extract": (Topics.DISCOVERED,), "decide": (Topics.EXTRACTED, Topics.FEEDBACK), "notify": (Topics.ALERTS,)}
COUNTED = {"discovered": Topics.DISCOVERED, "extracted": Topics.EXTRACTED, "decisions": Topics.DECISIONS,
           "alerts": Topics.ALERTS}


class HealthReader:
    """One admin client and one consumer, kept open between reads."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, client_id="newsmon-health",
                                      request_timeout_ms=10_000)
        self.consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                      enable_auto_commit=False, client_id="newsmon-health")

    def read(self) -> Health:
        s = self.settings
        health = Health(checked_at=datetime.now(timezone.utc))
        try:
            names = {spec: s.topic(spec) for spec in {*COUNTED.values(), *(t for ts in CONSUMES.values() for t in ts)}}
            tps = {spec: [TopicPartition(name, p) for p in sorted(self.consumer.partitions_for_topic(name) or ())]
                   for spec, name in names.items()}
            every = [tp for group in tps.values() for tp in group]
            ends = self.consumer.end_offsets(every)
            starts = self.consumer.beginning_offsets(every)
            for kind, spec in COUNTED.items():
                health.records[kind] = sum(ends[tp] - starts[tp] for tp in tps[spec])
            groups = self._groups()
            for stage, specs in CONSUMES.items():
                # a stage may read in several groups (notify: one per channel, notify.<channel>); its lag is the
                # largest of theirs
                mine = [g for g in groups if g == s.group(stage) or g.startswith(s.group(stage) + ".")]
                lags = [self._lag(g, [tp for spec in specs for tp in tps[spec]], ends, starts)
                        for g in mine or [s.group(stage)]]
                health.lag[stage] = None if None in lags else max(lags)
        except Exception as exc:  # noqa: BLE001 - the page says Kafka could not be read; it keeps serving
            health.error = f"{type(exc).__name__}: {exc}"
            log.debug("health: %s", health.error)
        return health

    def _groups(self) -> list[str]:
        try:
            return [g["group_id"] for g in self.admin.list_groups()]
        except Exception as exc:  # noqa: BLE001 - then only the stages' own group names are read
            log.debug("health: consumer groups not listed: %s", exc)
            return []

    def _lag(self, group: str, tps: list[TopicPartition], ends: dict, starts: dict) -> int | None:
        try:
            committed = self.admin.list_group_offsets(group).get(group, {})
        except Exception as exc:  # noqa: BLE001 - a group that never committed has no offsets yet
            log.debug("health: no offsets for %s: %s", group, exc)
            committed = {}
        if not committed and not any(ends[tp] for tp in tps):
            return 0
        total = 0
        for tp in tps:
            done = committed.get(tp)
            at = done.offset if done is not None and done.offset >= 0 else starts[tp]
            total += max(0, ends[tp] - at)
        return total

    def close(self) -> None:
        for client in (self.admin, self.consumer):
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
