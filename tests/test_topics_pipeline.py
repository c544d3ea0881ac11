"""Three stories through the running pipeline at once: Russia–Iran (the default topic, the dev scenario of
../shared), Armenia–Azerbaijan (its topic written by `topic init` from its seeds) and the project's own India–Pakistan,
their 80 pages interleaved by date in one feed, served on 127.0.0.1. `newsmon run` follows the three topic folders;
each story's decisions, scored from what the decider wrote to Kafka, must score exactly what `newsmon replay` of that
story alone scores, and no page of one story may alert in another."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from newsmon.replay import replay
from newsmon.settings import DEFAULT_TOPIC_DIR
from schemas import Decision, Topics, decode
from tests.conftest import SHARED
from tests.kafka_util import records, wait_until
from tests.scenario_score import labels, replay_rows, score
from tests.servers import Route, Site
from tests.test_pipeline import rss_feed, stage_env

ROOT = Path(__file__).resolve().parents[1]


def _stories(topic_from_seeds) -> dict[str, tuple[Path, Path]]:
    """topic id → (topic folder, scenario folder)."""
    if not (SHARED / "scenario").exists():
        pytest.skip(f"needs {SHARED / 'scenario'} (the shared scenarios), which is absent here")
    aa = SHARED / "scenario" / "armenia-azerbaijan"
    own = ROOT / "tests" / "scenarios" / "india-pakistan"
    return {"russia-iran": (DEFAULT_TOPIC_DIR, SHARED / "scenario" / "dev"),
            "armenia-azerbaijan": (topic_from_seeds(aa / "seeds", "armenia-azerbaijan"), aa),
            "india-pakistan": (topic_from_seeds(own / "seeds", "india-pakistan"), own)}


def _alone(folder: Path, scenario: Path):
    rows = labels(scenario)
    return score(rows, {d.url: d.model_dump(mode="json") for d in replay(replay_rows(scenario), folder)})


def test_three_interleaved_stories_through_the_pipeline_score_as_each_alone(broker_settings, topic_from_seeds,
                                                                            tmp_path):
    stories = _stories(topic_from_seeds)
    settings = broker_settings.model_copy(update={"namespace": f"t{uuid.uuid4().hex[:10]}", "partitions": 1})
    topics_dir = tmp_path / "topics"
    for topic, (folder, _) in stories.items():
        shutil.copytree(folder, topics_dir / topic)
    site = Site()
    items, row_of = [], {}  # the served URL → (topic, the row's labelled URL)
    for topic, (_, scenario) in stories.items():
        for row in labels(scenario):
            path = f"/{topic}/{row['id']}.html"
            site.routes[path] = Route((scenario / "articles" / f"{row['id']}.html").read_bytes())
            items.append((site.url(path), row["id"], datetime.fromisoformat(row["published"].replace("Z", "+00:00"))))
            row_of[site.url(path)] = (topic, row["url"])
    items.sort(key=lambda item: item[2])  # one feed, oldest first: the stories interleaved by date
    site.routes["/feed.xml"] = Route(rss_feed(items), content_type="application/rss+xml")
    env = stage_env(settings, NEWSMON_FEEDS=site.url("/feed.xml"), NEWSMON_PARTITIONS="1",
                    NEWSMON_TOPICS_DIR=str(topics_dir), NEWSMON_HOME=str(tmp_path / "home"))
    env.pop("NEWSMON_TOPIC_DIR", None)
    stderr_path = tmp_path / "stderr.log"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run", "--no-broker", "--stages",
                                 "producer,extract,decide"], env=env, stderr=stderr, stdout=subprocess.DEVNULL)
    decided = lambda: [decode(Decision, r.value) for r in  # noqa: E731
                       records(settings, settings.topic(Topics.DECISIONS), timeout=0)]
    try:
        expected = len(items) * len(stories)
        assert wait_until(lambda: len({(d.topic, d.url) for d in decided()}) >= expected, timeout=600), \
            f"{len({(d.topic, d.url) for d in decided()})} of {expected}; {stderr_path.read_text()[-3000:]}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        site.close()
    by_topic: dict[str, dict[str, dict]] = {t: {} for t in stories}
    for d in decided():
        own_topic, url = row_of[d.url]
        by_topic[d.topic][url] = {**d.model_dump(mode="json"), "story": own_topic}
    for topic, (folder, scenario) in stories.items():
        mine = by_topic[topic]
        together = score(labels(scenario), mine)
        alone = _alone(folder, scenario)
        print(f"\n{topic}: alone {alone}\n{topic}: among three through the pipeline {together}")
        assert (together.recall, together.precision, together.grouping, together.alerts) == \
            (alone.recall, alone.precision, alone.grouping, alone.alerts)
        strays = sorted(url for url, d in mine.items() if d["alert"] and d["story"] != topic)
        assert strays == [], f"pages of other stories alerted in {topic}"


def test_one_replay_of_the_three_interleaved_stories_scores_each_as_alone(topic_from_seeds):
    stories = _stories(topic_from_seeds)
    rows = sorted((dict(row, story=topic) for topic, (_, scenario) in stories.items()
                   for row in replay_rows(scenario)), key=lambda r: r["published"])
    story_of = {row["url"]: row["story"] for row in rows}
    together = list(replay(rows, [folder for folder, _ in stories.values()]))
    for topic, (folder, scenario) in stories.items():
        mine = {d.url: d.model_dump(mode="json") for d in together if d.topic == topic}
        result, alone = score(labels(scenario), mine), _alone(folder, scenario)
        print(f"\n{topic}: alone {alone}\n{topic}: in one replay of three {result}")
        assert (result.recall, result.precision, result.grouping, result.alerts) == \
            (alone.recall, alone.precision, alone.grouping, alone.alerts)
        assert [u for u, d in mine.items() if d["alert"] and story_of[u] != topic] == []
