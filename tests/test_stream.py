"""The shared consume → process → produce loop on the real broker: commits, dead letters, drain."""
import os
import signal
import subprocess
import sys

from newsmon.stream import Output, Transient, create_topics, make_producer, run_loop
from schemas import DeadLetter, DiscoveredArticle, Topics, decode, dlq_topic, encode
from tests.kafka_util import Background, committed, records, send, wait_until


def article(n: int) -> DiscoveredArticle:
    return DiscoveredArticle(url=f"https://n.example/{n}", canonical_url=f"https://n.example/{n}",
                             feed_url="https://n.example/feed", title=f"bad {n}" if n == 2 else f"ok {n}")


def start_echo(settings, calls: list, fail_on_title: str | None = None, transient_times: int = 0):
    """A stage that copies discovered records to the extracted topic's name, failing as told."""
    out_topic = settings.topic(Topics.DECISIONS)
    state = {"transient": transient_times}

    def handler(key, value):
        found = decode(DiscoveredArticle, value)
        calls.append(found.title)
        if state["transient"] > 0:
            state["transient"] -= 1
            raise Transient("the dependency is down", retry_after=0.1)
        if found.title == fail_on_title:
            raise RuntimeError("this one always fails")
        return [Output(out_topic, found.canonical_url, found)]

    create_topics(settings)
    return Background(lambda stop: run_loop(settings, stage="echo", topic=settings.topic(Topics.DISCOVERED),
                                            handler=handler, producer=make_producer(settings), stop=stop))


def test_poison_and_failing_messages_are_dead_lettered_and_do_not_block(kafka):
    create_topics(kafka)
    inbound = kafka.topic(Topics.DISCOVERED)
    send(kafka, inbound, "k", b"{not json")
    for n in (1, 2, 3):
        send(kafka, inbound, "k", encode(article(n)))  # one key: one partition, so order is kept
    calls: list = []
    stage = start_echo(kafka, calls, fail_on_title="bad 2")
    try:
        letters = records(kafka, dlq_topic(inbound), at_least=2)
        passed = records(kafka, kafka.topic(Topics.DECISIONS), at_least=2)
        assert wait_until(lambda: committed(kafka, "echo", inbound) == 4)
    finally:
        stage.stop()
    dead = [decode(DeadLetter, r.value) for r in letters]
    assert dead[0].original_value() == b"{not json" and "poison" in dead[0].error and dead[0].attempts == 1
    assert dead[1].stage == "echo" and "always fails" in dead[1].error and dead[1].attempts == kafka.max_attempts
    assert decode(DiscoveredArticle, dead[1].original_value()).title == "bad 2"
    assert sorted(decode(DiscoveredArticle, r.value).title for r in passed) == ["ok 1", "ok 3"]
    assert calls.count("bad 2") == kafka.max_attempts


def test_a_transient_failure_waits_and_retries_without_dead_letter(kafka):
    create_topics(kafka)
    send(kafka, kafka.topic(Topics.DISCOVERED), "k", encode(article(1)))
    calls: list = []
    stage = start_echo(kafka, calls, transient_times=3)
    try:
        passed = records(kafka, kafka.topic(Topics.DECISIONS), at_least=1)
    finally:
        stage.stop()
    assert len(passed) == 1 and calls == ["ok 1"] * 4
    assert records(kafka, dlq_topic(kafka.topic(Topics.DISCOVERED)), timeout=0) == []


def test_sigterm_drains_and_exits_cleanly(kafka):
    create_topics(kafka)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "NEWSMON_NAMESPACE": kafka.namespace}
    proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "stage", "extract"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        send(kafka, kafka.topic(Topics.DISCOVERED), "k", b"poison")
        assert wait_until(lambda: committed(kafka, "extract", kafka.topic(Topics.DISCOVERED)) == 1, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "extract: stopped" in err
