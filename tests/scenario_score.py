"""Scoring a replay of a labelled scenario, as `../shared/scenario/score.py` defines it (our own copy of the
definitions, so that the scenarios in tests/scenarios are scored without ../shared).

recall     required developments (a row with alert true) that got an alert on one of their own rows / required
precision  correct first alerts / judged alerts (an alert on a known or off-topic row, or a second alert of one
           development on a row not labelled "either", is wrong)
grouping   pairwise F1 of development_id against the labels' development, over rows of new developments
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    grouping: float
    alerts: int
    wrong: tuple[str, ...]
    repeated: tuple[str, ...]
    missed: tuple[str, ...]

    def __str__(self) -> str:
        return (f"recall {self.recall:.2f} precision {self.precision:.2f} grouping {self.grouping:.2f} "
                f"alerts {self.alerts}; wrong {list(self.wrong)} repeated {list(self.repeated)} "
                f"missed {list(self.missed)}")


def labels(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def replay_rows(folder: Path) -> list[dict]:
    """The replay input, oldest first: url, published, html."""
    rows = sorted(labels(folder), key=lambda r: r["published"])
    return [{"url": r["url"], "published": r["published"],
             "html": (folder / "articles" / f"{r['id']}.html").read_text(encoding="utf-8")} for r in rows]


def score(rows: list[dict], decisions: dict[str, dict]) -> Score:
    required = {r["development"] for r in rows if r["alert"] is True}
    hit, correct, wrong, repeated, alerts = set(), 0, [], [], 0
    alerted = set()
    for row in sorted(rows, key=lambda r: r["published"]):
        if not decisions.get(row["url"], {}).get("alert"):
            continue
        alerts += 1
        dev = row["development"]
        if dev is None:
            wrong.append(row["id"])
        elif dev in alerted:
            if row["alert"] != "either":
                repeated.append(row["id"])
        else:
            alerted.add(dev)
            if dev in required:
                hit.add(dev)
                correct += 1
    judged = correct + len(wrong) + len(repeated)
    pairs = [r for r in rows if r["development"]]
    same_true = same_pred = both = 0
    for a, b in itertools.combinations(pairs, 2):
        t = a["development"] == b["development"]
        da, db = decisions.get(a["url"], {}), decisions.get(b["url"], {})
        p = da.get("development_id") is not None and da.get("development_id") == db.get("development_id")
        same_true += t
        same_pred += p
        both += t and p
    gp = both / same_pred if same_pred else 0.0
    gr = both / same_true if same_true else 1.0
    return Score(recall=len(hit) / len(required) if required else 1.0,
                 precision=correct / judged if judged else 1.0,
                 grouping=2 * gp * gr / (gp + gr) if gp + gr else 0.0, alerts=alerts, wrong=tuple(wrong),
                 repeated=tuple(repeated), missed=tuple(sorted(required - hit)))


def published(row: dict) -> datetime:
    return datetime.fromisoformat(row["published"].replace("Z", "+00:00"))
