"""Same-story quality on labelled pairs: `python benchmarks/eval_similarity.py PAIRS.csv [--fit]`.

Prints F1 (Overall <= 2 is the same story, >= 3 is not, in-between not counted) and Pearson(score, -Overall).
--fit re-fits the combination weights with 5-fold cross-validation and prints the CV figures and the weights.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consumers.matching import SAME_STORY_THRESHOLD  # noqa: E402
from consumers.matching.similarity import features, combine  # noqa: E402
from consumers.matching.signature import build_signature  # noqa: E402


def load(path: str) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return [r for r in csv.DictReader(fh) if r.get("Overall")]


def f1_pearson(scores: np.ndarray, overall: np.ndarray, threshold: float) -> tuple[float, float]:
    pearson = float(np.corrcoef(scores, -overall)[0, 1])
    counted = (overall <= 2) | (overall >= 3)
    truth = overall[counted] <= 2
    pred = scores[counted] >= threshold
    tp = np.sum(pred & truth)
    prec = tp / max(1, np.sum(pred))
    rec = tp / max(1, np.sum(truth))
    f1 = float(2 * prec * rec / max(1e-9, prec + rec))
    return f1, pearson


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--fit", action="store_true", help="cross-validate and fit the combination weights")
    args = ap.parse_args()
    rows = load(args.pairs)
    t0 = time.perf_counter()
    feats = []
    for r in rows:
        feats.append(features(build_signature(r["text1"]), build_signature(r["text2"])))
    elapsed = time.perf_counter() - t0
    overall = np.array([float(r["Overall"]) for r in rows])
    scores = np.array([combine(f) for f in feats])
    f1, pearson = f1_pearson(scores, overall, SAME_STORY_THRESHOLD)
    print(f"pairs={len(rows)} F1={f1:.3f} Pearson={pearson:.3f} ({elapsed / len(rows) * 1000:.1f} ms/pair)")
    langs = sorted({(r.get("lang1"), r.get("lang2")) for r in rows})
    if langs and langs[0][0]:
        for lp in langs:
            idx = np.array([(r["lang1"], r["lang2"]) == lp for r in rows])
            if idx.sum() > 10:
                f, p = f1_pearson(scores[idx], overall[idx], SAME_STORY_THRESHOLD)
                print(f"  {lp[0]}-{lp[1]:3} n={idx.sum():4d} F1={f:.3f} Pearson={p:.3f}")
    if args.fit:
        from consumers.matching.fitting import cross_validate

        cross_validate(feats, overall)


if __name__ == "__main__":
    main()
