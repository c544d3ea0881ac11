"""The `newsmon` command's own surface: similarity over a CSV, broker status, and clear usage errors."""
import csv
import json
import subprocess
import sys

from tests.test_decide_stage import DRILL, DRILL_DE

WEATHER = ("A high-pressure system brings sunshine to the coast this weekend, with night frost inland and "
           "temperatures up to 14 degrees on Sunday afternoon, forecasters said.")


def newsmon(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsmon.cli", *args], capture_output=True, text=True,
                          timeout=300, **kw)


def test_similarity_writes_one_json_line_per_pair_in_order(tmp_path):
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pair_id", "text1", "text2", "Overall"])  # extra columns are ignored
        writer.writerow(["a", DRILL, DRILL_DE, "1"])
        writer.writerow(["b", DRILL, WEATHER, "4"])
        writer.writerow(["c", DRILL, DRILL, "1"])
    done = newsmon("similarity", str(pairs))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 3 and all(set(r) == {"score", "same_story"} and 0 <= r["score"] <= 1 for r in rows)
    assert rows[2]["same_story"] and not rows[1]["same_story"]
    assert rows[0]["score"] > rows[1]["score"] and rows[2]["score"] >= rows[0]["score"]


def test_broker_status_names_the_broker_and_says_when_it_is_down(tmp_path):
    done = newsmon("broker", "status", env={"PATH": "/usr/bin:/bin", "NEWSMON_HOME": str(tmp_path),
                                           "NEWSMON_BROKER_PORT": "9"})
    assert done.returncode == 3
    assert json.loads(done.stdout)["running"] is False


def test_replay_without_arguments_is_a_usage_error():
    done = newsmon("replay")
    assert done.returncode == 2 and "--input" in done.stderr


def test_run_prints_the_page_and_stops_the_broker_it_started_but_not_one_it_found(tmp_path, broker_settings):
    import os
    import signal
    import urllib.error
    import urllib.request

    from newsmon import broker
    from newsmon.cli import _broker_on_exit
    from tests.conftest import _free_port_pair
    from tests.kafka_util import wait_until
    from tests.test_pipeline import free_port

    if not broker_settings.uses_local_broker:
        import pytest
        pytest.skip("KAFKA_BOOTSTRAP_SERVERS is set: no local broker to start or stop")
    # A broker that was running before: it keeps running, and the line says how to stop it.
    assert "keeps running" in _broker_on_exit(broker_settings, started_by_us=False)
    assert broker.status(broker_settings)["running"]
    # `newsmon run` that starts its own broker stops it with the stages.
    port = _free_port_pair()
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update(NEWSMON_HOME=str(tmp_path), NEWSMON_BROKER_PORT=str(port), NEWSMON_WEB_PORT=str(free_port()))
    proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run", "--stages", "web"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("newsmon: the page is at http://127.0.0.1:"), first
        page = first.split(" at ", 1)[1].strip()

        def answers() -> bool:
            try:
                urllib.request.urlopen(page + "ready", timeout=2)
                return True
            except urllib.error.HTTPError:
                return True  # 503 while it reads the topics: it is up
            except OSError:
                return False

        assert wait_until(answers, timeout=90), "the page never answered"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    assert "the local Kafka broker it started too" in out, err[-2000:]
    settings = broker_settings.model_copy(update={"home": tmp_path, "broker_port": port})
    assert not broker.status(settings)["running"]
    assert "local Kafka broker started" in err and "web: started" in err


def test_a_zombie_broker_counts_as_stopped():
    """`kill(pid, 0)` succeeds on a zombie: an exited broker whose parent has not reaped it must still count as
    gone (not our child: read from /proc), and one that is our child is reaped."""
    import os
    import time

    from newsmon import broker

    parent = subprocess.Popen([sys.executable, "-c", "import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\n"
                               "print(pid, flush=True)\ntime.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        orphan = int(parent.stdout.readline())
        time.sleep(0.5)
        os.kill(orphan, 0)  # the zombie still answers
        assert not broker._alive(orphan)
    finally:
        parent.kill()
        parent.wait()
    child = subprocess.Popen(["true"])
    time.sleep(0.5)
    assert not broker._alive(child.pid)  # reaped here


def test_topics_lists_the_followed_topics_with_counts_from_the_records_and_topic_add_remove(kafka, tmp_path):
    from datetime import datetime, timezone

    from newsmon.stream import create_topics
    from schemas import Alert, Decision, Source, Topics, encode
    from tests.kafka_util import send
    from tests.test_pipeline import stage_env
    from tests.test_producer import topic_folder

    topics = tmp_path / "topics"
    topic_folder(topics, "a", [])
    topic_folder(topics, "b", [])
    c = topic_folder(tmp_path / "elsewhere", "c", [])
    settings = kafka.model_copy(update={"topics_dir": topics, "topic_dir": None})
    env = stage_env(settings, NEWSMON_TOPICS_DIR=str(topics), NEWSMON_HOME=str(tmp_path / "home"))
    env.pop("NEWSMON_TOPIC_DIR", None)
    create_topics(settings)
    decisions = settings.topic(Topics.DECISIONS)
    for url, topic, status in [("u1", "a", "new_development"), ("u2", "a", "corroboration"),
                               ("u2", "a", "corroboration"),  # a redelivered decision: one article
                               ("u3", "a", "off_topic"), ("u1", "b", "known"), ("u4", None, "known")]:
        decision = Decision(url=f"https://n.example/{url}", topic=topic, on_topic=status != "off_topic",
                            status=status)
        send(settings, decisions, decision.url, encode(decision))
    alerts = settings.topic(Topics.ALERTS)

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 1, day, hour, tzinfo=timezone.utc)

    for alert_id, revision, topic, created in [("dev-1", 0, "a", at(1, 10)), ("dev-1", 1, "a", at(2, 9)),
                                               ("dev-2", 0, "a", at(1, 12)), ("dev-9", 0, None, at(3, 1))]:
        alert = Alert(alert_id=alert_id, revision=revision, headline="h", topic=topic, created_at=created,
                      first_source=Source(url="https://n.example/u1"))
        send(settings, alerts, alert_id, encode(alert))
    listed = newsmon("topics", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {"a", "b"}
    assert (rows["a"]["articles_on_topic"], rows["a"]["developments"], rows["a"]["last_alert_at"]) == \
        (2, 2, "2026-01-01 12:00:00Z")  # the corroboration's revision on the 2nd is not an alert
    assert (rows["b"]["articles_on_topic"], rows["b"]["developments"], rows["b"]["last_alert_at"]) == (1, 0, None)
    text = newsmon("topics", env=env).stdout
    assert "2026-01-01 12:00:00Z" in text and "2 topic(s) followed" in text

    added = newsmon("topic", "add", str(c), env=env)
    assert added.returncode == 0 and "added: c" in added.stdout, added.stderr
    rows = {r["id"]: r for r in json.loads(newsmon("topics", "--json", env=env).stdout)}
    assert set(rows) == {"a", "b", "c"} and rows["c"]["added_by_command"] and not rows["a"]["added_by_command"]
    assert "updated: c" in newsmon("topic", "add", str(c), env=env).stdout  # a second add replaces its files
    removed = newsmon("topic", "remove", "a", env=env)
    assert removed.returncode == 0, removed.stderr
    assert {r["id"] for r in json.loads(newsmon("topics", "--json", env=env).stdout)} == {"b", "c"}
    unknown = newsmon("topic", "remove", "a", env=env)  # removed already: not followed
    assert unknown.returncode == 2 and "'a' is not a followed topic (followed: b, c" in unknown.stderr
    # a folder that is not a topic is refused before anything is sent
    (tmp_path / "empty").mkdir()
    assert newsmon("topic", "add", str(tmp_path / "empty"), env=env).returncode == 2
    broken = topic_folder(tmp_path / "broken", "d", [])
    (broken / "topic.toml").write_text("[topic\nid = ", encoding="utf-8")
    refused = newsmon("topic", "add", str(broken), env=env)
    assert refused.returncode == 2 and "cannot be read as a topic" in refused.stderr
    assert {r["id"] for r in json.loads(newsmon("topics", "--json", env=env).stdout)} == {"b", "c"}


def test_topic_init_without_into_writes_under_the_topics_folder_and_says_how_to_follow_it(tmp_path):
    import os
    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "topics" / "russia-iran" / "seeds"
    env = {**os.environ, "NEWSMON_TOPICS_DIR": str(tmp_path / "topics")}
    done = newsmon("topic", "init", str(seeds), env=env)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "topics" / "russia-iran"
    assert (folder / "topic.toml").is_file() and len(list((folder / "seeds").iterdir())) == len(list(seeds.iterdir()))
    assert f"newsmon topic add {folder}" in done.stdout
