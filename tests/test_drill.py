"""The short drill (benchmarks/drill.py --short): the whole pipeline as `newsmon run` starts it, 200 articles, one
SIGKILL of each stage and one broker restart at random moments, hostile links and pages mixed in. Nothing may be lost
and nothing sent twice. (Its recovery times and latencies are printed, not asserted: speed belongs to the drill.)"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.kafka  # it starts a broker of its own through `newsmon run`


def test_the_short_drill_loses_nothing_and_sends_nothing_twice(tmp_path):
    out = tmp_path / "drill.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "drill.py"), "--short", "--json", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    print(done.stdout)
    assert out.exists(), done.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["kills"] == 4 and any(f["kind"] == "broker" and "error" not in f for f in result["faults"])
    assert result["discovered"] >= 200 and result["never_discovered_count"] == 0
    assert result["lost"] == 0, result["lost_examples"]
    assert result["duplicated"] == 0
    assert result["alerts_expected"] > 0
    assert result["alerts_delivered"] == {"slack": result["alerts_expected"], "email": result["alerts_expected"]}
    assert result["stages_alive_at_end"] == result["stages_expected"] and result["run_exit_code"] == 0
    assert result["canary_hits"] == 0, "a request reached an address the guard must refuse"
    assert all(h["ok"] for h in result["hostile"]), result["hostile"]
    assert result["secrets"]["hits"] == {}, result["secrets"]
    assert not any(result["members_left_after_clean_stop"].values()), "a stage did not leave its group on SIGTERM"
