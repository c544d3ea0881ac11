"""`newsmon replay`: the same stage functions as the consumers, one decision a line, without Kafka."""
import json
import subprocess
import sys

from tests.conftest import need_shared
from tests.test_decide_stage import DRILL, DRILL_DE


def run_replay(tmp_path, rows: list) -> list[dict]:
    source, sink = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newsmon.cli", "replay", "--input", str(source), "--output",
                           str(sink)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]


def test_one_decision_per_line_in_the_documented_format(tmp_path):
    rows = [
        {"url": "https://n.example/drill", "published": "2025-06-02T10:00:00Z", "title": "Joint naval drills",
         "text": DRILL},
        {"url": "https://m.example/manoever", "published": "2025-06-02T12:00:00Z", "title": "Marinemanöver",
         "text": DRILL_DE},
        "{this line is broken",
        {"url": "https://e.example/empty", "published": "2025-06-03T10:00:00Z", "html": "<html></html>"},
    ]
    out = run_replay(tmp_path, rows)
    assert len(out) == 4
    for row in out:
        assert set(row) >= {"url", "language", "on_topic", "status", "development_id", "alert", "matched", "reason"}
        assert row["status"] in {"off_topic", "known", "new_development", "corroboration"}
    assert out[0]["status"] == "new_development" and out[0]["alert"] and out[0]["language"] == "en"
    assert out[1]["status"] == "corroboration" and out[1]["development_id"] == out[0]["development_id"]
    assert out[1]["language"] == "de" and not out[1]["alert"]
    assert out[2]["status"] == "off_topic" and "rejected" in out[2]["reason"]
    assert out[3]["status"] == "off_topic" and not out[3]["alert"]


def test_dev_scenario_meets_the_bar(tmp_path):
    folder = need_shared("scenario")
    built = subprocess.run([sys.executable, str(folder / "build_input.py"), str(folder / "dev")],
                           capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in built.stdout.splitlines()]
    out = run_replay(tmp_path, rows)
    (tmp_path / "decisions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    scored = subprocess.run([sys.executable, str(folder / "score.py"), str(folder / "dev" / "labels.jsonl"),
                             str(tmp_path / "decisions.jsonl")], capture_output=True, text=True)
    print(scored.stdout)
    line = scored.stdout.strip().splitlines()[-1].split()
    figures = dict(zip(line[1::2], line[2::2]))
    assert float(figures["recall"]) == 1.0
    assert float(figures["precision"]) >= 0.9 and float(figures["grouping"]) >= 0.9
    assert "known stories kept quiet 5/5" in scored.stdout and "off-topic kept quiet 8/8" in scored.stdout
