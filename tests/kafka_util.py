"""Helpers for tests that talk to the real broker."""
from __future__ import annotations

import threading
import time
from typing import Callable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from newsmon.settings import Settings
from newsmon.stream import StopFlag


def records(settings: Settings, topic: str, *, at_least: int = 0, timeout: float = 30.0) -> list:
    """Every record on `topic` from the beginning; waits until there are `at_least` of them (or timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                 enable_auto_commit=False)
        try:
            parts = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in parts]
            got = []
            if tps:
                consumer.assign(tps)
                consumer.seek_to_beginning(*tps)
                ends = consumer.end_offsets(tps)
                while any(consumer.position(tp) < ends[tp] for tp in tps):
                    for batch in consumer.poll(timeout_ms=500).values():
                        got.extend(batch)
        finally:
            consumer.close()
        if len(got) >= at_least or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def send(settings: Settings, topic: str, key: str, value: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    producer.send(topic, key=key.encode(), value=value)
    producer.flush()
    producer.close()


def committed(settings: Settings, stage: str, topic: str) -> int:
    """Sum of the committed offsets of a stage's group on `topic`."""
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=settings.group(stage),
                             enable_auto_commit=False)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in parts)
    finally:
        consumer.close()


class Background:
    """Runs `target(stop)` in a thread; stop() asks it to drain and waits."""

    def __init__(self, target: Callable[[StopFlag], None]):
        self.flag = StopFlag(install_signals=False)
        self.error: BaseException | None = None

        def run():
            try:
                target(self.flag)
            except BaseException as exc:  # noqa: BLE001 - reported by stop()
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.flag.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the stage did not stop"
        if self.error:
            raise self.error


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def start_decide(settings: Settings, topics_dir, home, instance: str, log_path):
    """`newsmon stage decide` as its own process (as `newsmon run` or compose starts it), following every topic
    folder under `topics_dir`, with a static instance id; its log goes to `log_path`."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers, "NEWSMON_NAMESPACE": settings.namespace,
           "NEWSMON_PARTITIONS": str(settings.partitions), "NEWSMON_TOPICS_DIR": str(topics_dir),
           "NEWSMON_HOME": str(home), "NEWSMON_INSTANCE_ID": instance, "NEWSMON_LOG_LEVEL": "INFO",
           "PYTHONUNBUFFERED": "1"}
    env.pop("NEWSMON_TOPIC_DIR", None)
    with open(log_path, "w") as err:
        return subprocess.Popen([sys.executable, "-m", "newsmon.cli", "stage", "decide"], env=env, stderr=err,
                                stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])


def topics_decided(log_path) -> list[str]:
    """The topics a decide process said it decides, in its latest assignment (its log line)."""
    import re
    from pathlib import Path

    said = re.findall(r"decide: generation \d+: deciding (.+)", Path(log_path).read_text(errors="replace"))
    if not said or said[-1].startswith("no topic"):
        return []
    return [t.strip() for t in said[-1].split(",")]
