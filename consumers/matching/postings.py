"""A compact inverted index: 64-bit key → the documents that have it, newest first.

A Python dict costs about 100 bytes per distinct key, and most keys of news (names, figures) occur once, so
this is an open-addressing table in flat arrays (12 bytes per slot) whose slots point at the newest posting of
a singly linked list of postings (8 bytes each). Walking a list gives the most recent documents first, which
is what news retrieval wants, and stops after `limit`.
"""
from __future__ import annotations

from array import array
from typing import Iterator

_EMPTY = 0


class PostingTable:
    def __init__(self, capacity: int = 1 << 12) -> None:
        self._alloc(capacity)
        self._used = 0
        self.post_doc = array("I")  # posting → document number
        self.post_next = array("i")  # posting → older posting of the same key, -1 at the end

    def _alloc(self, capacity: int) -> None:
        self._mask = capacity - 1
        self._shift = 64 - (capacity.bit_length() - 1)
        self._keys = array("Q", bytes(8 * capacity))  # key + 1; 0 marks an empty slot
        self._heads = array("i", bytes(4 * capacity))

    def _slot(self, key: int) -> int:
        """Slot of key, or of the empty slot where it would go (linear probing)."""
        stored = key + 1
        mask = self._mask
        # Fibonacci hashing: the top bits of key × 2^64/φ are well mixed even for structured keys
        i = ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> self._shift
        keys = self._keys
        while True:
            k = keys[i]
            if k == stored or k == _EMPTY:
                return i
            i = (i + 1) & mask

    def _grow(self) -> None:
        old_keys, old_heads = self._keys, self._heads
        self._alloc(2 * len(old_keys))
        for k, h in zip(old_keys, old_heads):
            if k != _EMPTY:
                i = self._slot(k - 1)
                self._keys[i] = k
                self._heads[i] = h

    def _claim(self, key: int) -> int:
        if 2 * (self._used + 1) > len(self._keys) + len(self._keys) // 5:  # keep the load under 0.6
            self._grow()
        i = self._slot(key)
        if self._keys[i] == _EMPTY:
            self._keys[i] = key + 1
            self._heads[i] = -1
            self._used += 1
        return i

    def add(self, key: int, doc: int) -> None:
        """Append doc to key's postings."""
        i = self._claim(key)
        self.post_next.append(self._heads[i])
        self._heads[i] = len(self.post_doc)
        self.post_doc.append(doc)

    def add_many(self, keys: list[int], doc: int) -> None:
        """add() for each of a document's distinct keys, in one call (the hot path of indexing)."""
        if 2 * (self._used + len(keys)) > len(self._keys) + len(self._keys) // 5:
            self._grow()
        table_keys, heads, post_next, post_doc = self._keys, self._heads, self.post_next, self.post_doc
        mask, shift = self._mask, self._shift
        p = len(post_doc)
        for key in keys:
            stored = key + 1
            i = ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> shift
            while True:
                k = table_keys[i]
                if k == stored:
                    break
                if k == _EMPTY:
                    table_keys[i] = stored
                    heads[i] = -1
                    self._used += 1
                    break
                i = (i + 1) & mask
            post_next.append(heads[i])
            heads[i] = p
            post_doc.append(doc)
            p += 1

    def put(self, key: int, value: int) -> None:
        """Store one value under key with no posting list (a unique key: document id, text hash)."""
        i = self._claim(key)
        if self._heads[i] == -1:
            self._heads[i] = value

    def get(self, key: int) -> int | None:
        i = self._slot(key)
        if self._keys[i] == _EMPTY:
            return None
        v = self._heads[i]
        return None if v == -1 else v

    def docs(self, key: int, limit: int) -> Iterator[int]:
        """The documents having key, newest first, at most limit of them."""
        i = self._slot(key)
        if self._keys[i] == _EMPTY:
            return
        p = self._heads[i]
        post_doc, post_next = self.post_doc, self.post_next
        while p != -1 and limit > 0:
            yield post_doc[p]
            p = post_next[p]
            limit -= 1

    def __contains__(self, key: int) -> bool:
        return self._keys[self._slot(key)] != _EMPTY

    def nbytes(self) -> int:
        return (self._keys.buffer_info()[1] * self._keys.itemsize + self._heads.buffer_info()[1] * self._heads.itemsize
                + self.post_doc.buffer_info()[1] * 4 + self.post_next.buffer_info()[1] * 4)
