"""The one consume → process → produce loop that every consuming stage runs.

- No auto-commit: a batch's offsets are committed only after everything it produced is flushed (at-least-once).
- A poison message (bytes that are not the contract) goes to the dead-letter topic at once; any other failure is
  retried, then dead-lettered with the original bytes, the stage and the error, so it never blocks its partition.
- A `Transient` failure (the outside world is down: Slack, SMTP) is not the message's fault: it is retried with
  back-off, without a dead letter and without a commit, until it passes or the stage is stopped.
- SIGTERM / SIGINT finish the current record, flush, commit, leave the group and close.
- Recovery: a stage process started with NEWSMON_INSTANCE_ID (`newsmon run` gives each its own) is a static member
  of its group (group.instance.id): restarted after a crash, it takes its partitions back as soon as it joins,
  without a rebalance and without waiting for the dead member's session to expire. Dynamic members (no id) are
  given up after NEWSMON_SESSION_TIMEOUT_SECONDS with heartbeats every tenth of it, not kafka-python's 45 s.
- A broker that goes away is said once per stage (and once when it is back); kafka-python's own reconnect
  chatter stays below WARNING (newsmon.cli).
"""
from __future__ import annotations

import logging
import os
import re
import signal
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable

from kafka import ConsumerRebalanceListener, KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.coordinator.assignors.abstract import (
    AbstractPartitionAssignor,
    ConsumerProtocolAssignment,
    ConsumerProtocolSubscription,
)
from kafka.errors import BrokerNotAvailableError, CommitFailedError, RetriableError, TopicAlreadyExistsError
from kafka.serializer import Serializer
from kafka.structs import OffsetAndMetadata
from pydantic import ValidationError

from newsmon.settings import Settings
from schemas import DeadLetter, Heartbeat, Message, Topics, all_topics, dlq_topic, encode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Output:
    topic: str
    key: str
    message: Message
    partition: int | None = None  # None: by the key's hash (Kafka's default partitioner)


def partition_of(name: str, partitions: int) -> int:
    """A stable partition for a name (a topic id): the same on every machine and in every Python process."""
    return zlib.crc32(name.encode("utf-8")) % max(1, partitions)


class PoisonMessage(Exception):
    """The record cannot be processed however often it is tried (not our contract, unparseable)."""


class Rejected(Exception):
    """A channel refused the record for good (a revoked webhook, a refused recipient): dead-letter it now."""


class Transient(Exception):
    """A dependency is down; try the same record again later."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


Handler = Callable[[bytes | None, bytes], Iterable[Output]]
# What kafka-python raises while the broker cannot be reached: waited out, never a reason to stop a stage.
BROKER_AWAY = (RetriableError, BrokerNotAvailableError)  # KafkaConnectionError and KafkaTimeoutError are retriable


def create_topics(settings: Settings) -> None:
    """Create every topic newsmon uses (idempotent)."""
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, client_id="newsmon-admin")
    try:
        existing = set(admin.list_topics())
        new = []
        for spec in all_topics():
            name = settings.topic(spec)
            if name in existing:
                continue
            configs = {"cleanup.policy": "compact"} if spec.compacted else {}
            new.append(NewTopic(name, num_partitions=settings.partitions if spec.scaled else 1,
                                replication_factor=1 if settings.uses_local_broker else -1, topic_configs=configs))
        if new:
            try:
                admin.create_topics(new, raise_errors=False)
            except TopicAlreadyExistsError:  # another stage created them first
                pass
    finally:
        admin.close()


class _Utf8Key(Serializer):
    def serialize(self, topic, value):
        return None if value is None else value.encode("utf-8")


def make_producer(settings: Settings) -> KafkaProducer:
    # One request in flight keeps a partition's records in the order they were sent, even across retries.
    # Reconnect back-off capped at 2 s (kafka-python's default grows to 30 s): after a broker restart the stage
    # resumes within seconds of the broker, not half a minute later.
    return KafkaProducer(bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=5, retries=10,
                         key_serializer=_Utf8Key(), max_in_flight_requests_per_connection=1,
                         reconnect_backoff_max_ms=2000)


def consumer_group_config(settings: Settings, stage: str) -> dict:
    """Group membership settings shared by every consuming stage (see the module's docstring)."""
    session_ms = int(settings.session_timeout_seconds * 1000)
    config = {"group_id": settings.group(stage), "session_timeout_ms": session_ms,
              "heartbeat_interval_ms": max(200, session_ms // 10), "reconnect_backoff_max_ms": 2000}
    if settings.instance_id:
        # Kafka accepts only [A-Za-z0-9._-] in an id like this; a channel's name may hold others (slack#topic)
        raw = f"{stage}-{settings.instance_id}"
        config["group_instance_id"] = re.sub(r"[^A-Za-z0-9._-]", "-", raw)[:249]
    return config


def leave_group(consumer: KafkaConsumer, stage: str) -> None:
    """Leave the group now, so that the partitions move at once when this member stops for good.

    A static member never sends LeaveGroup on close (Kafka's rule: it may be back in a moment); on a clean stop we
    send it all the same, naming the group.instance.id, as Kafka's own clients do when asked to leave on close.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None or not getattr(coordinator, "group_instance_id", None):
        return  # a dynamic member leaves in close() by itself
    try:
        coordinator.is_dynamic_member = lambda: True  # the one check that keeps a static member from leaving
        coordinator.maybe_leave_group(reason="newsmon stage stopped cleanly", timeout_ms=3000)
    except Exception as exc:  # noqa: BLE001 - best effort: the session timeout frees the partitions anyway
        log.info("%s: could not leave the group (%s); its session timeout will", stage, exc)


class BrokerWatch:
    """Says once when the broker cannot be reached and once when it is back, for one stage.

    kafka-python retries on its own, logging each attempt; that chatter is kept below WARNING, so this is what an
    operator sees: one line when the stage loses the broker, one when it has it again, with the outage's length.
    """

    def __init__(self, settings: Settings, stage: str, every: float = 1.0):
        self.stage, self.every = stage, every
        self.addresses = [_host_port(a) for a in settings.bootstrap_servers.split(",") if a.strip()]
        self.down_since: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{stage}-broker-watch", daemon=True)

    def __enter__(self) -> "BrokerWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def reachable(self) -> bool:
        for host, port in self.addresses:
            try:
                with socket.create_connection((host, port), timeout=1.0):
                    return True
            except OSError:
                continue
        return False

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            up = self.reachable()
            if not up and self.down_since is None:
                self.down_since = time.monotonic()
                log.warning("%s: the Kafka broker (%s) cannot be reached; waiting for it, nothing is committed "
                            "meanwhile", self.stage, ",".join(f"{h}:{p}" for h, p in self.addresses))
            elif up and self.down_since is not None:
                log.warning("%s: the Kafka broker is back after %.0fs", self.stage, time.monotonic() - self.down_since)
                self.down_since = None


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.strip().rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port or 9092)


class _AssignmentLog(ConsumerRebalanceListener):
    """Logs each assignment (with the time since the process started, the figure the drill reads for recovery)
    and passes the callbacks on to the stage's own listener."""

    def __init__(self, stage: str, inner: ConsumerRebalanceListener | None):
        self.stage, self.inner = stage, inner

    def on_partitions_revoked(self, revoked) -> None:
        if self.inner is not None:
            self.inner.on_partitions_revoked(revoked)

    def on_partitions_assigned(self, assigned) -> None:
        log.info("%s: assigned %s, %.1fs after the process started", self.stage,
                 ",".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(assigned)) or "nothing",
                 time.monotonic() - _PROCESS_START)
        if self.inner is not None:
            self.inner.on_partitions_assigned(assigned)


_PROCESS_START = time.monotonic()


def read_all(settings: Settings, topic: str) -> list[tuple[bytes | None, bytes]]:
    """Every record of a (state) topic from the beginning to its current end, in order per partition."""
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                             group_id=None, consumer_timeout_ms=1000)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        out: list[tuple[bytes | None, bytes]] = []
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend((r.key, r.value) for r in records if r.value is not None)
        return out
    finally:
        consumer.close()


def read_between(settings: Settings, topic: str, start: datetime, end: datetime | None = None,
                 ) -> list[tuple[int, bytes | None, bytes]]:
    """(timestamp ms, key, value) of the records of `topic` written from `start` until `end` (or its current end),
    found by the records' own times (offsets_for_times), so a day of a long topic is read without the rest."""
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False, group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not tps:
            return []
        consumer.assign(tps)
        start_ms = int(start.timestamp() * 1000)
        end_ms = int(end.timestamp() * 1000) if end is not None else None
        found = consumer.offsets_for_times({tp: start_ms for tp in tps})
        ends = consumer.end_offsets(tps)
        for tp in tps:
            at = found.get(tp)
            consumer.seek(tp, at.offset if at is not None else ends[tp])
        out: list[tuple[int, bytes | None, bytes]] = []
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend((r.timestamp, r.key, r.value) for r in records
                           if r.value is not None and (end_ms is None or r.timestamp < end_ms))
        return sorted(out, key=lambda r: r[0])
    finally:
        consumer.close()


def beat(settings: Settings) -> None:
    """Tell a health check that this stage's loop is alive."""
    if settings.heartbeat_file is not None:
        settings.heartbeat_file.touch()


HEARTBEAT_SECONDS = 10.0  # how often a stage says it is alive; the page calls it gone after three missed beats


class Heartbeats:
    """A stage instance's life on the heartbeats topic (newsmon status, the page's health): one record when it
    starts, one every HEARTBEAT_SECONDS while its loop turns, a tombstone when it stops cleanly."""

    def __init__(self, settings: Settings, stage: str, producer: KafkaProducer):
        self.settings, self.stage, self.producer = settings, stage, producer
        self.instance = f"{socket.gethostname()}:{os.getpid()}"
        self.started_at = datetime.now(timezone.utc)
        self._last = 0.0

    def beat(self, *, force: bool = False) -> None:
        beat(self.settings)
        now = time.monotonic()
        if force or now - self._last >= HEARTBEAT_SECONDS:
            self._last = now
            self._send(stopped=False)

    def stopped(self) -> None:
        # a tombstone: compaction then forgets the instance, so the topic holds only the instances that may live
        self._send(stopped=True)

    def _send(self, *, stopped: bool) -> None:
        record = None if stopped else encode(Heartbeat(stage=self.stage, instance=self.instance,
                                                       started_at=self.started_at))
        try:
            self.producer.send(self.settings.topic(Topics.HEARTBEATS), key=f"{self.stage}@{self.instance}",
                               value=record)
        except Exception as exc:  # noqa: BLE001 - a missed heartbeat must not stop the stage
            log.debug("%s: heartbeat not sent: %s", self.stage, exc)


class StopFlag:
    """Set by SIGTERM/SIGINT (or a test); the loop finishes the record in hand and exits cleanly."""

    def __init__(self, install_signals: bool = True):
        self._event = threading.Event()
        if install_signals and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.set())
            signal.signal(signal.SIGINT, lambda *_: self.set())

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)


class SingleActiveAssignor(AbstractPartitionAssignor):
    """Every partition to one member of the group; the others stand by and take over when it leaves.

    For a stage that must see everything (the decider's one global view): the group protocol itself elects the
    active instance, so a second instance is a hot standby, never a second, diverging view.
    """

    name = "newsmon-single-active"
    version = 0

    @classmethod
    def assign(cls, cluster, members):
        ordered = sorted(members, key=lambda m: m.member_id)
        topics = sorted({t for m in members for t in m.metadata.topics})
        owned = [(t, sorted(cluster.partitions_for_topic(t) or ())) for t in topics]
        return {m.member_id: ConsumerProtocolAssignment(cls.version, owned if i == 0 else [], b"")
                for i, m in enumerate(ordered)}

    @classmethod
    def metadata(cls, topics):
        return ConsumerProtocolSubscription(cls.version, list(topics), b"")

    @classmethod
    def on_assignment(cls, assignment, generation):
        pass


def run_loop(settings: Settings, *, stage: str, topic: str, handler: Handler, producer: KafkaProducer,
             stop: StopFlag, max_records: int = 50, single_active: bool = False,
             listener: ConsumerRebalanceListener | None = None, more: dict[str, Handler] | None = None,
             tick: Callable[[], None] | None = None, started: str = "",
             assignor: AbstractPartitionAssignor | None = None,
             commit: Callable[[dict[TopicPartition, OffsetAndMetadata]], None] | None = None,
             on_consumer: Callable[[KafkaConsumer], None] | None = None) -> None:
    """`more`: further topics this stage consumes in the same group, each with its handler (the decider reads the
    feedback topic in order with the articles). `tick`: called every turn of the loop, records or not (the
    notifier's held alerts and digest). `assignor`: the group's partition assignor, in place of Kafka's range
    assignor. `commit`: records where the batch ended in place of the group's offset commit, after the batch's
    outputs are flushed (the decider keeps its progress per topic on its changelog). `on_consumer`: given the
    consumer once it exists (to pause, resume and seek)."""
    extra = {"partition_assignment_strategy": (SingleActiveAssignor,)} if single_active else {}
    if assignor is not None:
        extra = {"partition_assignment_strategy": (assignor,)}
    group = consumer_group_config(settings, stage)
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False,
                             auto_offset_reset="earliest", max_poll_records=max_records,
                             client_id=f"newsmon-{stage}", **group, **extra)
    handlers = {topic: handler, **(more or {})}
    consumer.subscribe(list(handlers), listener=_AssignmentLog(stage, listener))
    if on_consumer is not None:
        on_consumer(consumer)
    # one life per process and stage: a stage's loops (notify.slack, notify.email) are one instance of "notify"
    heart = Heartbeats(settings, stage.split(".")[0], producer)
    heart.beat(force=True)
    log.info("%s: consuming %s (%s member)%s", stage, ", ".join(handlers),
             f"static {group['group_instance_id']}" if "group_instance_id" in group else "dynamic",
             f"; {started}" if started else "")
    watch = BrokerWatch(settings, stage).__enter__()
    try:
        while not stop.is_set():
            heart.beat()
            if tick is not None:
                tick()
            try:
                batch = consumer.poll(timeout_ms=500)
            except BROKER_AWAY as exc:
                # kafka-python 3 may raise out of poll() while the broker is away (looking up the coordinator):
                # nothing was consumed, so wait and poll again; BrokerWatch has said it once for this stage.
                log.debug("%s: poll failed while the broker is away: %s", stage, exc)
                stop.wait(1.0)
                continue
            if not batch:
                continue
            offsets: dict[TopicPartition, OffsetAndMetadata] = {}
            for tp, records in batch.items():
                for record in records:
                    if not _process(settings, stage, record, handlers.get(record.topic, handler), producer, stop):
                        break  # stopping while a dependency is down: leave the rest uncommitted
                    offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
                if stop.is_set():
                    break
            producer.flush()  # what the batch produced is durable before its offsets are
            if offsets and commit is not None:
                commit(offsets)
            elif offsets:
                try:
                    consumer.commit(offsets)
                except CommitFailedError as exc:
                    # The group rebalanced while we worked (a long outage, a new member): the records come back
                    # to whoever owns them now, and every stage is idempotent, so a redelivery changes nothing.
                    log.warning("%s: commit refused after a rebalance, records will be redelivered: %s", stage, exc)
                except BROKER_AWAY as exc:
                    # The broker went away between the flush and the commit: the next commit covers these offsets,
                    # and if none comes the records are redelivered, which changes nothing (idempotent stages).
                    log.warning("%s: commit failed while the broker is away, a later one covers it: %s", stage, exc)
    finally:
        watch.__exit__()
        heart.stopped()
        producer.flush()
        if stop.is_set():
            leave_group(consumer, stage)
        consumer.close()
        log.info("%s: stopped", stage)


def _process(settings: Settings, stage: str, record, handler: Handler, producer: KafkaProducer,
             stop: StopFlag) -> bool:
    """Handle one record; True when it is done with (outputs sent or dead-lettered)."""
    attempts, transient_wait = 0, 1.0
    while True:
        attempts += 1
        try:
            # a handler that needs where the record sits (the decider's progress per topic) takes the record itself
            outputs = list(handler(record) if getattr(handler, "takes_record", False)
                           else handler(record.key, record.value))
        except Transient as exc:
            wait = exc.retry_after if exc.retry_after is not None else transient_wait
            transient_wait = min(transient_wait * 2, 60.0)
            log.warning("%s: %s [%d:%d] waits %.1fs: %s", stage, record.topic, record.partition, record.offset,
                        wait, exc)
            if stop.wait(wait):
                return False
            continue
        except Rejected as exc:
            _dead_letter(stage, record, producer, f"rejected by the channel: {exc}", attempts)
            return True
        except (PoisonMessage, ValidationError, UnicodeDecodeError, ValueError) as exc:
            _dead_letter(stage, record, producer, f"poison message: {exc}", attempts)
            return True
        except Exception as exc:  # noqa: BLE001 - any other failure is retried, then dead-lettered
            log.warning("%s: attempt %d failed for %s [%d:%d]: %s: %s", stage, attempts, record.topic,
                        record.partition, record.offset, type(exc).__name__, exc)
            if attempts >= settings.max_attempts:
                _dead_letter(stage, record, producer, f"{type(exc).__name__}: {exc}", attempts)
                return True
            time.sleep(min(0.2 * 2 ** attempts, 5.0))
            continue
        for out in outputs:
            producer.send(out.topic, key=out.key, value=encode(out.message), partition=out.partition)
        return True


def _dead_letter(stage: str, record, producer: KafkaProducer, error: str, attempts: int) -> None:
    log.error("%s: dead-lettering %s [%d:%d] after %d attempt(s): %s", stage, record.topic, record.partition,
              record.offset, attempts, error)
    letter = DeadLetter(topic=record.topic, partition=record.partition, offset=record.offset,
                        key_b64=DeadLetter.b64(record.key), value_b64=DeadLetter.b64(record.value) or "",
                        stage=stage, error=error[:2000], attempts=attempts)
    producer.send(dlq_topic(record.topic), key=(record.key or b"").decode("utf-8", "replace"), value=encode(letter))
