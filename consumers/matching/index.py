"""StoryIndex: every indexed article's signature, searchable in sub-linear time.

Candidate retrieval never scans. It looks up
- the exact text hash (copies);
- an inverted index from the entity and skeleton keys to documents, reading only the query's most distinctive
  keys, and only the most recent postings of each (news: the same story is recent), skipping keys too common
  to discriminate. A near-copy shares all of them, so it arrives this way too;
then re-scores the best candidates: MinHash agreement (near-copy), else the full signature comparison, where
shared keys that are frequent in the index (site-wide boilerplate, this month's "coronavirus") count less.

Memory per article: one packed record (keys, weights, MinHash), a few postings (8 bytes each) in a flat-array
hash table (postings.py), no per-article Python dict entries. Document frequencies of all keys come from a
fixed-size count-min sketch.
"""
from __future__ import annotations

import hashlib
import math
import struct
from array import array
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .postings import PostingTable
from .similarity import (
    COPY_MINHASH, GROUPS, RELATED_THRESHOLD, SAME_STORY_THRESHOLD, Prepared, combine, group_cosine, norm,
    time_factor,
)

Level = Literal["copy", "same_story", "related"]

QUERY_KEYS = 20  # most distinctive keys of the query that are looked up
INDEXED_E, INDEXED_S = 16, 8  # heaviest entity / skeleton keys per article put in the inverted index
POSTINGS_BUDGET = 1200  # postings read per query, shared among its keys, rarest keys first
MIN_POSTINGS_PER_KEY = 40  # ... and at least the newest this many of each key
CANDIDATES = 16  # candidates re-scored in full
MAX_DF_SHARE = 0.05  # a key in more than this share of the index is not used for retrieval
BACKGROUND_DOCS = 1000  # a small index is treated as if it had this many documents when computing IDF
FULL_WEIGHT_SHARE = 1 / 200  # keys in fewer than this share of documents keep their full weight

# Key spaces of the posting table (tag in bits 56-58): entity and skeleton keys, and the two unique lookups.
_E, _S, _ID, _HASH = 0, 1 << 56, 2 << 56, 3 << 56
_HEADER = struct.Struct("<BHHHHifff")  # lang id, id length, counts and norms of w/s/e keys, published (0 = unknown)


@dataclass(frozen=True)
class Match:
    doc_id: str
    level: Level
    score: float  # 0..1, higher = more similar


class _CountMin:
    """Approximate document frequency of any key in fixed memory (never under-counts)."""

    def __init__(self, width_bits: int = 20, depth: int = 3) -> None:
        self.mask = (1 << width_bits) - 1
        self.table = np.zeros((depth, 1 << width_bits), dtype=np.uint32)
        self.seeds = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D][:depth], dtype=np.uint64)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        k = keys.astype(np.uint64)
        return (((k * self.seeds[:, None]) >> np.uint64(13)) & np.uint64(self.mask)).astype(np.intp)

    def add(self, keys: np.ndarray) -> None:
        """Count each key once (a document's keys are distinct; a rare slot clash within it is ignored)."""
        slots = self._slots(keys)
        for row in range(slots.shape[0]):
            self.table[row, slots[row]] += 1

    def estimate(self, keys: np.ndarray) -> np.ndarray:
        slots = self._slots(keys)
        return np.min(np.stack([self.table[r][slots[r]] for r in range(slots.shape[0])]), axis=0)


def _id_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=7).digest(), "little")


class _Record:
    """Unpacked view of one stored article, built only for the few candidates being re-scored."""

    __slots__ = ("doc_id", "lang_id", "t", "groups", "norms", "mh")

    def __init__(self, blob: bytes) -> None:
        lang_id, id_len, nw, ns, ne, t, *norms = _HEADER.unpack_from(blob)
        self.norms = dict(zip(GROUPS, norms))
        off = _HEADER.size
        self.doc_id = blob[off:off + id_len].decode("utf-8")
        off += id_len
        n = nw + ns + ne
        mv = memoryview(blob)
        keys = mv[off:off + 4 * n].cast("I")
        weights = mv[off + 4 * n:off + 6 * n].cast("H")
        self.mh = mv[off + 6 * n:].cast("H")
        bounds = (0, nw, nw + ns, n)
        self.groups = {g: (keys[bounds[i]:bounds[i + 1]], weights[bounds[i]:bounds[i + 1]]) for i, g in enumerate(GROUPS)}
        self.lang_id = lang_id
        self.t = t or None


class _RecordStore:
    """All articles packed back to back in one bytearray: no per-article object or allocator overhead.

    A record: header, document id (UTF-8), keys of the w/s/e groups (uint32), their weights (uint16) and the
    MinHash values (low 16 bits: enough to tell equal values apart)."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._offsets = array("Q", [0])

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def append(self, doc_id: str, sig: dict, lang_id: int) -> int:
        groups = [sig[g] for g in GROUPS]
        id_bytes = doc_id.encode("utf-8")[:65535]
        self._data += _HEADER.pack(lang_id, len(id_bytes), *(len(p) for p in groups), int(sig.get("t") or 0),
                                   *(norm([w for _, w in p]) for p in groups))
        self._data += id_bytes
        self._data += array("I", [h for pairs in groups for h, _ in pairs]).tobytes()
        weights = [w for pairs in groups for _, w in pairs]
        try:
            self._data += array("H", weights).tobytes()
        except OverflowError:  # weights are far below 2^16 in practice; clamp rather than fail
            self._data += array("H", [min(w, 65535) for w in weights]).tobytes()
        self._data += array("H", [x & 0xFFFF for x in sig["mh"]]).tobytes()
        self._offsets.append(len(self._data))
        return len(self._offsets) - 2

    def record(self, n: int) -> _Record:
        return _Record(bytes(self._data[self._offsets[n]:self._offsets[n + 1]]))

    def doc_id(self, n: int) -> str:
        start = self._offsets[n]
        id_len = struct.unpack_from("<H", self._data, start + 1)[0]
        return self._data[start + _HEADER.size:start + _HEADER.size + id_len].decode("utf-8")

    def nbytes(self) -> int:
        return len(self._data) + 8 * len(self._offsets)


class StoryIndex:
    def __init__(self) -> None:
        self._store = _RecordStore()
        self._table = PostingTable()
        self._df = _CountMin()
        self._langs: list[str | None] = [None]
        self._lang_ids: dict[str | None, int] = {None: 0}

    def __len__(self) -> int:
        return len(self._store)

    @staticmethod
    def signature(text: str, *, title: str = "", lang: str | None = None, published=None) -> dict:
        from .signature import build_signature

        return build_signature(text, title=title, lang=lang, published=published)

    def memory_bytes(self) -> int:
        """Bytes held by the index's own structures (records, hash table, postings, frequency sketch)."""
        return self._store.nbytes() + self._table.nbytes() + self._df.table.nbytes

    def __contains__(self, doc_id: str) -> bool:
        n = self._table.get(_ID | _id_key(doc_id))
        return n is not None and self._store.doc_id(n) == doc_id

    def add(self, doc_id: str, signature: dict) -> None:
        id_key = _ID | _id_key(doc_id)
        if doc_id in self:
            return  # idempotent: a redelivered article or a replayed changelog changes nothing
        lang = signature.get("lang")
        lang_id = self._lang_ids.get(lang)
        if lang_id is None:
            lang_id = self._lang_ids[lang] = len(self._langs)
            self._langs.append(lang)
        n = self._store.append(doc_id, signature, lang_id)
        table = self._table
        table.put(id_key, n)
        table.put(_HASH | (int(signature["h"], 16) & ((1 << 56) - 1)), n)
        keys = {h | _E for h, _w in signature["e"][:INDEXED_E]}
        keys.update(h | _S for h, _w in signature["s"][:INDEXED_S])
        table.add_many(list(keys), n)
        all_keys = {h for g in GROUPS for h, _ in signature[g]}
        if all_keys:
            self._df.add(np.fromiter(all_keys, dtype=np.uint64, count=len(all_keys)))

    # --- querying -----------------------------------------------------------------------------------------

    def _document_frequencies(self, prepared: Prepared) -> dict[int, float]:
        keys = list({h for g in GROUPS for h in prepared.vectors[g]})
        if not keys:
            return {}
        df = self._df.estimate(np.fromiter(keys, dtype=np.uint64, count=len(keys)))
        return dict(zip(keys, df.tolist()))

    def _corpus_weights(self, df: dict[int, float]) -> dict[int, float]:
        """IDF factor in (0, 1] of each query key: 1 for keys rare in the index, less for frequent ones."""
        n_eff = max(len(self._store), BACKGROUND_DOCS)
        scale = 1.0 / math.log(1 / FULL_WEIGHT_SHARE)
        return {h: min(1.0, max(0.02, math.log((n_eff + 1) / (d + 1)) * scale)) for h, d in df.items()}

    def _candidates(self, sig: dict, df: dict[int, float]) -> list[int]:
        n_docs = len(self._store)
        max_df = max(50, n_docs * MAX_DF_SHARE)
        lookups: list[tuple[float, int]] = []
        for group, space, top in (("e", _E, INDEXED_E), ("s", _S, INDEXED_S)):
            for h, w in sig[group][:top]:
                d = df.get(h, 0)
                if 0 < d <= max_df:
                    lookups.append((w * math.log((n_docs + 1) / d), h | space))
        lookups.sort(reverse=True)
        votes: dict[int, float] = {}
        docs = self._table.docs
        budget = POSTINGS_BUDGET
        for weight, key in lookups[:QUERY_KEYS]:
            # the newest postings first: a story is reported within days, so old documents matter less
            read = 0
            for d in docs(key, max(MIN_POSTINGS_PER_KEY, budget)):
                votes[d] = votes.get(d, 0.0) + weight
                read += 1
            budget -= read
        if len(votes) <= CANDIDATES:
            return list(votes)
        return sorted(votes, key=votes.__getitem__, reverse=True)[:CANDIDATES]

    def query(self, signature: dict, *, limit: int = 10) -> list[Match]:
        if not len(self._store) or not any(signature[g] for g in GROUPS):
            return []  # an empty text identifies no story (and is no "copy" of another empty page)
        results: dict[int, Match] = {}
        exact = self._table.get(_HASH | (int(signature["h"], 16) & ((1 << 56) - 1)))
        if exact is not None:
            results[exact] = Match(self._store.doc_id(exact), "copy", 1.0)

        prepared = Prepared(signature)
        df = self._document_frequencies(prepared)
        cw = self._corpus_weights(df)
        key_weight = cw.__getitem__
        mh16 = [x & 0xFFFF for x in signature["mh"]]
        for d in self._candidates(signature, df):
            if d in results:
                continue
            rec = self._store.record(d)
            # near-copy: same text up to edits and boilerplate (MinHash of word 3-shingles)
            j = sum(1 for a, b in zip(mh16, rec.mh) if a == b) / len(mh16) if mh16 else 0.0
            if j >= COPY_MINHASH:
                results[d] = Match(rec.doc_id, "copy", j)
                continue
            f = {}
            for g in GROUPS:
                keys, weights = rec.groups[g]
                f[g] = group_cosine(prepared.vectors[g], prepared.norms[g], keys, weights, rec.norms[g], key_weight)
            f["same_lang"] = 1.0 if prepared.lang and self._langs[rec.lang_id] == prepared.lang else 0.0
            score = combine(f) * time_factor(signature.get("t"), rec.t)
            if score >= SAME_STORY_THRESHOLD:
                results[d] = Match(rec.doc_id, "same_story", score)
            elif score >= RELATED_THRESHOLD:
                results[d] = Match(rec.doc_id, "related", score)
        rank = {"copy": 2, "same_story": 1, "related": 0}
        return sorted(results.values(), key=lambda m: (-rank[m.level], -m.score))[:limit]
