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
