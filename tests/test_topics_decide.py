"""Several stories at once: each article decided against every topic, each topic as if it were alone.

The stories are the project's own two (tests/scenarios, topics written by `topic init` from their seeds) and the
default story (topics/russia-iran) with two reports of a drill; their articles interleaved by date.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from newsmon.replay import replay, to_article
from newsmon.settings import DEFAULT_TOPIC_DIR
from newsmon.stream import create_topics, make_producer
from schemas import Alert, Decision, Topics, decode, encode
from tests.kafka_util import records, start_decide, topics_decided, wait_until
from tests.scenario_score import labels, replay_rows, score
from tests.test_decide_stage import DRILL, DRILL_DE

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "tests" / "scenarios"
STORIES = ("india-pakistan", "serbia-kosovo")


def _drill_rows() -> list[dict]:
    return [{"url": "https://n.example/drill", "published": "2025-03-03T10:00:00Z",
             "title": "Russia and Iran hold joint naval drills in the Caspian", "text": DRILL, "language": "en"},
            {"url": "https://m.example/manoever", "published": "2025-03-04T10:00:00Z",
             "title": "Russisch-iranisches Marinemanöver im Kaspischen Meer", "text": DRILL_DE, "language": "de"}]


@pytest.fixture(scope="module")
def stories(topic_from_seeds):
    """topic id → (topic folder, the story's rows); and every row interleaved by date."""
    found = {name: (topic_from_seeds(OWN / name / "seeds", name), replay_rows(OWN / name)) for name in STORIES}
    found["russia-iran"] = (DEFAULT_TOPIC_DIR, _drill_rows())
    interleaved = sorted((row for _, rows in found.values() for row in rows), key=lambda r: r["published"])
    return found, interleaved


def _by_url(decisions) -> dict[str, dict]:
    return {d.url: d.model_dump(mode="json") for d in decisions}


def test_one_replay_of_three_interleaved_stories_decides_each_as_alone(stories):
    found, interleaved = stories
    together = list(replay(interleaved, [folder for folder, _ in found.values()]))
    assert len(together) == 3 * len(interleaved), "one decision per article and topic"
    assert Counter(d.topic for d in together) == {t: len(interleaved) for t in found}
    for topic, (folder, rows) in found.items():
        alone = _by_url(replay(rows, folder))
        mine = {d.url: d.model_dump(mode="json") for d in together if d.topic == topic}
        for row in rows:  # the story's own articles: exactly what the topic decides alone
            a, b = alone[row["url"]], mine[row["url"]]
            assert (a["status"], a["development_id"], a["alert"]) == (b["status"], b["development_id"], b["alert"]), \
                (topic, row["url"])
        others = {r["url"] for t, (_, rs) in found.items() if t != topic for r in rs}
        loud = [url for url in others if mine[url]["alert"]]
        assert loud == [], f"articles of other stories alerted in {topic}"
    for name in STORIES:
        rows = labels(OWN / name)
        result = score(rows, {d.url: d.model_dump(mode="json") for d in together if d.topic == name})
        print(f"\n{name} among three stories: {result}")


def test_three_topics_two_deciders_one_killed_each_topic_decided_once_as_alone(kafka, stories, tmp_path):
    """Two decide instances share three topics; the one with more of them is killed half-way; the other takes
    them over from the changelog, and every topic's decisions are what the topic decides alone."""
    found, interleaved = stories
    settings = kafka.model_copy(update={"partitions": 1})  # one partition: the articles in the order sent
    topics_dir = tmp_path / "topics"
    for topic, (folder, _) in found.items():
        shutil.copytree(folder, topics_dir / topic)
    create_topics(settings)
    articles = [to_article(row) for row in interleaved]
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    procs = {name: start_decide(settings, topics_dir, tmp_path / name, name, logs[name]) for name in logs}
    producer = make_producer(settings)
    decisions = lambda: [decode(Decision, r.value) for r in  # noqa: E731
                         records(settings, settings.topic(Topics.DECISIONS), timeout=0)]
    try:
        held = lambda: sorted(topics_decided(logs["a"]) + topics_decided(logs["b"]))  # noqa: E731
        assert wait_until(lambda: held() == sorted(found), timeout=90), \
            {n: topics_decided(p) for n, p in logs.items()}
        half = len(articles) // 2
        for article in articles[:half]:
            producer.send(settings.topic(Topics.EXTRACTED), key=article.canonical_url, value=encode(article))
        producer.flush()
        assert wait_until(lambda: len({(d.topic, d.url) for d in decisions()}) == 3 * half, timeout=120)
        victim = max(logs, key=lambda n: len(topics_decided(logs[n])))
        survivor = "b" if victim == "a" else "a"
        moved = topics_decided(logs[victim])
        procs[victim].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        for article in articles[half:]:
            producer.send(settings.topic(Topics.EXTRACTED), key=article.canonical_url, value=encode(article))
        producer.flush()
        assert wait_until(lambda: len({(d.topic, d.url) for d in decisions()}) == 3 * len(articles), timeout=180)
        print(f"\nkilled the instance deciding {moved}; all decided {time.monotonic() - killed_at:.1f}s later")
        assert sorted(topics_decided(logs[survivor])) == sorted(found), "the survivor took every topic over"
    finally:
        producer.close()
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    by_key: dict[tuple[str, str], set] = {}
    for d in decisions():
        by_key.setdefault((d.topic, d.url), set()).add((d.status, d.development_id, d.alert))
    assert all(len(v) == 1 for v in by_key.values()), "a redelivered article was decided differently"
    for topic, (folder, rows) in found.items():
        alone = _by_url(replay(rows, folder))
        for row in rows:
            a = alone[row["url"]]
            assert by_key[(topic, row["url"])] == {(a["status"], a["development_id"], a["alert"])}, (topic, row["url"])
    alerts = [decode(Alert, r.value) for r in records(settings, settings.topic(Topics.ALERTS), timeout=0)]
    first = Counter(a.alert_id for a in alerts if a.revision == 0)
    for alert in alerts:
        story_urls = {r["url"] for r in found[alert.topic][1]}
        assert alert.first_source.url in story_urls, "an alert of one story raised in another"
    assert set(first) == {dev for v in by_key.values() for (_, dev, alerted) in v if alerted}


def test_a_topic_added_while_running_is_decided_from_then_on(kafka, stories, tmp_path):
    """`newsmon topic add` while one decide instance runs: it rejoins, takes the new topic and decides with it."""
    from newsmon.registry import add_command, send_command

    found, _ = stories
    settings = kafka.model_copy(update={"partitions": 1})
    topics_dir = tmp_path / "topics"
    shutil.copytree(found["russia-iran"][0], topics_dir / "russia-iran")
    create_topics(settings)
    log = tmp_path / "a.log"
    proc = start_decide(settings, topics_dir, tmp_path / "a", "a", log)
    producer = make_producer(settings)
    decisions = lambda: [decode(Decision, r.value) for r in  # noqa: E731
                         records(settings, settings.topic(Topics.DECISIONS), timeout=0)]
    rows = found["india-pakistan"][1]
    try:
        assert wait_until(lambda: topics_decided(log) == ["russia-iran"], timeout=90), log.read_text()[-2000:]
        first = to_article(rows[0])
        producer.send(settings.topic(Topics.EXTRACTED), key=first.canonical_url, value=encode(first))
        producer.flush()
        assert wait_until(lambda: len(decisions()) == 1, timeout=60)
        send_command(settings, add_command(found["india-pakistan"][0]))
        assert wait_until(lambda: sorted(topics_decided(log)) == ["india-pakistan", "russia-iran"], timeout=90), \
            log.read_text()[-2000:]
        second = to_article(rows[3])  # x04: a development of the added story
        producer.send(settings.topic(Topics.EXTRACTED), key=second.canonical_url, value=encode(second))
        producer.flush()
        assert wait_until(lambda: len(decisions()) >= 3, timeout=60)
    finally:
        producer.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    got = {(d.topic, d.url): d for d in decisions()}
    assert got[("india-pakistan", rows[3]["url"])].status == "new_development"
    assert ("russia-iran", rows[3]["url"]) in got
    # the added topic decides from its progress on: the first article, sent before the add, is decided too
    assert ("india-pakistan", rows[0]["url"]) in got
    assert (tmp_path / "a" / "topics" / settings.namespace / "india-pakistan" / "topic.toml").is_file(), \
        "materialised from the command"
