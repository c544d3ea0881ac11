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
