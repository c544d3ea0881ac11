"""Word lists of one language compiled for matching against tokens: by lemma, by surface form, by prefix, as phrases.

An entry is written as in the data files: a word ("unterzeichnen", "signed"), a prefix ("ratifizi*"), or a phrase
of several words ("in Kraft treten", "according to"). Entries are lemmatised like the text, so one entry covers the
inflected forms the lemmatiser maps to the same lemma.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from consumers.languages.text import Token, arabic_variants, is_arabic_script, lemma_of, normalise

PHRASE_GAP = 1  # ordered phrases: words that may stand between two of the phrase's words
UNORDERED_SPAN = 4  # unordered phrases: extra words allowed in the span that holds all of the phrase's words
MIN_COMPOUND_HEAD = 4


@dataclass(frozen=True, slots=True)
class Part:
    low: str
    lemma: str
    prefix: bool
    stem_lemma: str = ""  # the lemma of its forms when the language lemmatises to stems (Persian کردن → کرد)
    bare: str = ""  # an Arabic-script word without its article (المصادقة → مصادقه): text has both


@dataclass(frozen=True, slots=True)
class Entry:
    tag: str  # what a match means: "future", "kind:ratified:verbs", "object:treaty" ...
    parts: tuple[Part, ...]
    source: str  # as written in the data file
    surface_only: bool  # match the written forms only, never the lemma (auxiliaries whose lemma is ambiguous)


@dataclass(frozen=True, slots=True)
class Match:
    tag: str
    start: int  # first token
    end: int  # one past the last token
    entry: Entry


def compile_entry(raw: str, tag: str, lang: str, *, surface_only: bool = False,
                  stem_of: Callable[[str], str | None] | None = None) -> Entry | None:
    parts = []
    for word in raw.split():
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*")
        if not word:
            continue
        low = normalise(word, lang)
        lemma = low if (prefix or surface_only) else lemma_of(word, lang)
        stem = stem_of(word) if stem_of and not (prefix or surface_only) else None
        bare = low[2:] if is_arabic_script(low) and low.startswith("ال") and len(low) >= 5 and not prefix else ""
        parts.append(Part(low=low, lemma=lemma, prefix=prefix,
                          stem_lemma=lemma_of(stem, lang) if stem and lemma_of(stem, lang) != lemma else "",
                          bare=bare))
    if not parts:
        return None
    return Entry(tag=tag, parts=tuple(parts), source=raw, surface_only=surface_only)


@dataclass
class Lexicon:
    """Entries of one language; `find(tokens)` lists every match."""

    lang: str
    ordered: bool = True  # phrases match in the written order (modality, reporting) or in any order (kinds)
    compounds: bool = False  # a word ending in an entry's word matches it (Friedensvertrag → Vertrag)
    stem_of: Callable[[str], str | None] | None = None  # an infinitive's stem, where lemmas are stems
    _by_low: dict[str, list[tuple[Entry, int]]] = field(default_factory=dict)
    _by_lemma: dict[str, list[tuple[Entry, int]]] = field(default_factory=dict)
    _prefixes: dict[str, list[tuple[Entry, int]]] = field(default_factory=dict)  # first 3 letters → entries
    entries: list[Entry] = field(default_factory=list)

    def add(self, raw: str, tag: str, *, surface_only: bool = False) -> None:
        entry = compile_entry(raw, tag, self.lang, surface_only=surface_only, stem_of=self.stem_of)
        if entry is None:
            return
        self.entries.append(entry)
        # a phrase is looked up by one of its words: the first of an ordered phrase, the longest (the rarest, not
        # "of" or "the") of an unordered one
        anchor = 0 if self.ordered else max(range(len(entry.parts)), key=lambda n: (len(entry.parts[n].low), -n))
        for i, part in enumerate(entry.parts):
            if i != anchor:
                continue
            if part.prefix:
                self._prefixes.setdefault(part.low[:3], []).append((entry, i))
                continue
            self._by_low.setdefault(part.low, []).append((entry, i))
            if part.bare:
                self._by_low.setdefault(part.bare, []).append((entry, i))
            if not entry.surface_only and part.lemma != part.low:
                self._by_lemma.setdefault(part.lemma, []).append((entry, i))
            if part.stem_lemma:
                self._by_lemma.setdefault(part.stem_lemma, []).append((entry, i))

    def extend(self, words: list[str] | None, tag: str, *, surface_only: bool = False) -> None:
        for raw in words or ():
            if isinstance(raw, str):
                self.add(raw, tag, surface_only=surface_only)

    # ------------------------------------------------------------------------------------------------- matching
    def _part_matches(self, part: Part, tok: Token, surface_only: bool) -> bool:
        if part.prefix:
            return tok.low.startswith(part.low)
        lows = tok.lows or (tok.low,)
        if part.low in lows or (part.bare and part.bare in lows):
            return True
        if surface_only:
            return False
        if tok.lemma == part.lemma or tok.lemma == part.low or part.lemma == tok.low:
            return True
        if part.stem_lemma and tok.lemma == part.stem_lemma:
            return True
        if len(lows) > 1 and any(lemma_of(v, self.lang) == part.lemma for v in lows[1:]):
            return True
        if self.compounds and len(part.low) >= MIN_COMPOUND_HEAD and len(tok.low) > len(part.low) + 2:
            return tok.low.endswith(part.low) or tok.lemma.endswith(part.lemma)
        return False

    def _candidates(self, tok: Token) -> list[tuple[Entry, int]]:
        out: list[tuple[Entry, int]] = []
        lows = tok.lows or (tok.low,)
        for low in lows:
            out.extend(self._by_low.get(low, ()))
            out.extend(self._by_lemma.get(low, ()))
        out.extend(self._by_low.get(tok.lemma, ()))
        out.extend(self._by_lemma.get(tok.lemma, ()))
        if len(lows) > 1:
            for low in lows[1:]:
                lem = lemma_of(low, self.lang)
                out.extend(self._by_lemma.get(lem, ()))
                out.extend(self._by_low.get(lem, ()))
        out.extend(self._prefixes.get(tok.low[:3], ()))
        if self.compounds and len(tok.low) > MIN_COMPOUND_HEAD + 2:
            for cut in range(3, len(tok.low) - MIN_COMPOUND_HEAD + 1):
                # a phrase too: its anchor may be the compound's head (setzt … Wasservertrag aus → Vertrag aussetzen)
                out.extend(self._by_low.get(tok.low[cut:], ()))
                out.extend(self._by_lemma.get(tok.lemma[cut:], ()))
        return out

    def find(self, tokens: list[Token]) -> list[Match]:
        found: dict[tuple[str, str, int, int], Match] = {}
        for i, tok in enumerate(tokens):
            for entry, k in self._candidates(tok):
                if not self._part_matches(entry.parts[k], tok, entry.surface_only):
                    continue
                span = self._phrase_span(tokens, i, entry, k)
                if span is None:
                    continue
                key = (entry.tag, entry.source, span[0], span[1])
                if key not in found:
                    found[key] = Match(entry.tag, span[0], span[1], entry)
        return sorted(found.values(), key=lambda m: (m.start, m.end, m.tag, m.entry.source))

    def _phrase_span(self, tokens: list[Token], i: int, entry: Entry, k: int) -> tuple[int, int] | None:
        parts = entry.parts
        if len(parts) == 1:
            return (i, i + 1)
        if self.ordered:
            if k != 0:
                return None  # an ordered phrase is anchored on its first word
            pos = i
            for part in parts[1:]:
                for j in range(pos + 1, min(len(tokens), pos + 2 + PHRASE_GAP)):
                    if self._part_matches(part, tokens[j], entry.surface_only):
                        pos = j
                        break
                else:
                    return None
            return (i, pos + 1)
        # unordered: every other word within the span around the anchor, the nearest first
        width = len(parts) + UNORDERED_SPAN
        lo, hi = max(0, i - width), min(len(tokens), i + width + 1)
        nearest = sorted(range(lo, hi), key=lambda j: (abs(j - i), j))
        positions = [i]
        for n, part in enumerate(parts):
            if n == k:
                continue
            hit = next((j for j in nearest
                        if j not in positions and self._part_matches(part, tokens[j], entry.surface_only)), None)
            if hit is None:
                return None
            positions.append(hit)
        if max(positions) - min(positions) + 1 > width:
            return None
        return (min(positions), max(positions) + 1)
