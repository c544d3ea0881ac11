"""Comparing two signatures: per-group weighted cosines combined into one same-story score.

The combination weights are fitted on labelled pairs (benchmarks/eval_similarity.py --fit, 5-fold
cross-validated); they are a handful of global numbers, never anything per pair or per language.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

from .signature import minhash_similarity

KeyWeight = Callable[[int], float]  # corpus re-weighting of a shared key (IDF from the index), in (0, 1]

GROUPS = ("w", "s", "e")

# Logistic combination of the features, fitted on the dev pairs (see fitting.py); the threshold maximises F1.
# (s gets a small negative weight because it largely repeats w within one language; across languages it is
# the skeleton keys that find candidates and e that carries names/places/numbers.)
WEIGHTS = {"bias": -1.349, "w": 6.882, "s": -1.111, "e": 2.194, "same_lang": -0.685}
SAME_STORY_THRESHOLD = 0.406  # best F1 of Overall <= 2 (same story) against >= 3
RELATED_THRESHOLD = 0.231  # best F1 of Overall <= 3 (at least same topic) against 4 (unrelated)
COPY_MINHASH = 0.6  # estimated Jaccard of word 3-shingles above which two texts are copies


class Prepared:
    """A signature's key groups as lookup tables with their norms, built once per query."""

    __slots__ = ("vectors", "norms", "lang")

    def __init__(self, sig: dict) -> None:
        self.vectors = {g: {h: w for h, w in sig[g]} for g in GROUPS}
        self.norms = {g: norm([w for _h, w in sig[g]]) for g in GROUPS}
        self.lang = sig.get("lang")


def norm(weights: Sequence[int]) -> float:
    return math.sqrt(sum(w * w for w in weights))


def group_cosine(query: dict[int, int], qnorm: float, keys: Sequence[int], weights: Sequence[int], cnorm: float,
                 key_weight: KeyWeight | None = None) -> float:
    """Cosine of two weighted key sets; shared keys are additionally down-weighted by key_weight² (boilerplate)."""
    if qnorm == 0.0 or cnorm == 0.0:
        return 0.0
    dot = 0.0
    get = query.get
    for h, w in zip(keys, weights):
        q = get(h)
        if q is not None:
            dot += q * w * (key_weight(h) ** 2 if key_weight else 1.0)
    return dot / (qnorm * cnorm)


def features(sig_a: dict | Prepared, sig_b: dict) -> dict[str, float]:
    a = sig_a if isinstance(sig_a, Prepared) else Prepared(sig_a)
    f = {}
    for g in GROUPS:
        pairs = sig_b[g]
        f[g] = group_cosine(a.vectors[g], a.norms[g], [h for h, _ in pairs], [w for _, w in pairs],
                            norm([w for _, w in pairs]))
    f["same_lang"] = 1.0 if a.lang and a.lang == sig_b.get("lang") else 0.0
    return f


def combine(f: dict[str, float]) -> float:
    z = WEIGHTS["bias"] + sum(WEIGHTS.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-z))


def is_copy(sig_a: dict, sig_b: dict) -> tuple[bool, float]:
    if sig_a["h"] == sig_b["h"]:
        return True, 1.0
    j = minhash_similarity(sig_a["mh"], sig_b["mh"])
    return j >= COPY_MINHASH, j


def signature_score(sig_a: dict, sig_b: dict) -> float:
    return combine(features(sig_a, sig_b))


def time_factor(t_a: int | None, t_b: int | None) -> float:
    """Publication-time proximity: the same story is reported within days; weeks apart it is a new event."""
    if not t_a or not t_b:
        return 1.0
    days = abs(t_a - t_b) / 86400.0
    return 1.0 if days <= 3 else math.exp(-(days - 3) / 14.0)
