"""Recognising the same story in any language: copies, same-story pairs and related articles.

Public API: Match, StoryIndex, pair_score, pair_scores, pair_threshold, SAME_STORY_THRESHOLD, run_similarity.
"""
from __future__ import annotations

import csv
import json
from typing import Sequence, TextIO

from .index import Match, StoryIndex
from .signature import build_signature
from . import embedding
from .similarity import SAME_STORY_THRESHOLD, combine, features

__all__ = ["Match", "StoryIndex", "pair_score", "pair_scores", "pair_threshold", "SAME_STORY_THRESHOLD",
           "run_similarity"]


def _text_features(text1: str, text2: str) -> dict[str, float]:
    return features(build_signature(text1), build_signature(text2))


def pair_scores(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """0..1 same-story scores of (text1, text2) pairs, texts embedded in batches when embeddings are available."""
    feats = [_text_features(t1, t2) for t1, t2 in pairs]
    if embedding.available():
        return [embedding.combine(f) for f in embedding.pair_features(pairs, feats)]
    return [combine(f) for f in feats]


def pair_score(text1: str, text2: str) -> float:
    """0..1 same-story score of two raw texts (languages detected automatically).

    With the embedding packages installed (see embedding.py) the score adds two multilingual embedding cosines;
    otherwise it is the text-only signature score.
    """
    return pair_scores([(text1, text2)])[0]


def pair_threshold() -> float:
    """The same-story threshold of pair_score in the current mode."""
    return embedding.EMB_THRESHOLD if embedding.available() else SAME_STORY_THRESHOLD


def run_similarity(csv_path: str, out: TextIO, block: int = 256) -> None:
    """Body of `newsmon similarity PAIRS.csv`: one JSON line {"score", "same_story"} per pair, in order."""
    csv.field_size_limit(1 << 30)
    threshold = pair_threshold()

    def flush(pairs: list[tuple[str, str]]) -> None:
        for score in pair_scores(pairs):
            out.write(json.dumps({"score": round(score, 4), "same_story": score >= threshold}) + "\n")
        pairs.clear()

    pending: list[tuple[str, str]] = []
    with open(csv_path, newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.DictReader(fh):
            pending.append((row.get("text1") or "", row.get("text2") or ""))
            if len(pending) >= block:
                flush(pending)
    flush(pending)
