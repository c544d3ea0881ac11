"""Recognising the same story in any language: copies, same-story pairs and related articles.

Public API: Match, StoryIndex, pair_score, SAME_STORY_THRESHOLD, run_similarity.
"""
from __future__ import annotations

import csv
import json
from typing import TextIO

from .index import Match, StoryIndex
from .signature import build_signature
from .similarity import SAME_STORY_THRESHOLD, signature_score

__all__ = ["Match", "StoryIndex", "pair_score", "SAME_STORY_THRESHOLD", "run_similarity"]


def pair_score(text1: str, text2: str) -> float:
    """0..1 same-story score of two raw texts (languages detected automatically)."""
    return signature_score(build_signature(text1), build_signature(text2))


def run_similarity(csv_path: str, out: TextIO) -> None:
    """Body of `newsmon similarity PAIRS.csv`: one JSON line {"score", "same_story"} per pair, in order."""
    csv.field_size_limit(1 << 30)
    with open(csv_path, newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.DictReader(fh):
            score = pair_score(row.get("text1") or "", row.get("text2") or "")
            out.write(json.dumps({"score": round(score, 4), "same_story": score >= SAME_STORY_THRESHOLD}) + "\n")
