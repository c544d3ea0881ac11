"""The topic's multilingual lexicon: terms in any script folded to one comparable form, matched by word prefix.

Text and terms are folded the same way: Arabic-script words stay in Arabic script (alef/yeh/kaf/teh-marbuta
normalised, diacritics and tatweel removed, one leading proclitic tried off), every other word becomes lower-case
Latin through anyascii. A term matches a word that starts with it ("росси" matches России, Россией, российский),
or, ending in "$", only that whole word. A term of several words matches them in order, each within `GAP` words of
the previous one.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii

GAP = 3
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # apostrophes split: l'Iran, all'Iran, Iran's, İran'ın
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_AR_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه",
                         "ؤ": "و", "ئ": "ي", "\u200c": "", "\u200d": ""})
_AR_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_VOWEL_END = re.compile(r"[aeiouy]$")


@lru_cache(maxsize=300_000)
def fold(word: str) -> str:
    """One word in comparable form."""
    if _ARABIC.search(word):
        return _AR_DIACRITICS.sub("", word).translate(_AR_MAP)
    return anyascii(unicodedata.normalize("NFC", word)).lower().replace("'", "").replace("’", "")


def words(text: str) -> list[str]:
    """The text's words, folded (Persian zero-width non-joiners join a word's parts)."""
    text = text.replace("\u200c", "").replace("\u200d", "")
    return [fold(m.group(0)) for m in _WORD.finditer(text)]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    text = text.replace("\u200c", "").replace("\u200d", "")
    return [(fold(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


def stem_name(name: str) -> str:
    """A country name as a stem that also matches its inflected forms (Rosja → rosj matches Rosji, Rosją)."""
    out = []
    for w in words(name):
        if not _ARABIC.search(w) and len(w) >= 5:
            w = _VOWEL_END.sub("", w)
        out.append(w)
    return " ".join(out)


@dataclass(frozen=True)
class Term:
    parts: tuple[tuple[str, bool], ...]  # (folded word, exact)
    tag: str  # what a match means, e.g. "actor:RU", "kind:ratify:done", "modal:planned", "group:space"
    source: str  # the term as written in the topic


def compile_term(raw: str, tag: str) -> Term | None:
    parts = []
    for piece in raw.split():
        exact = piece.endswith("$")
        folded = words(piece.rstrip("$"))
        if not folded:
            continue
        for i, w in enumerate(folded):
            # a short Arabic-script stem matches only a whole word (after its proclitic): "زار" (visited) must
            # not match "وزارة" (ministry)
            short_arabic = bool(_ARABIC.search(w)) and len(w) <= 3
            parts.append((w, (exact and i == len(folded) - 1) or short_arabic))
    # in a phrase, a short word that is not the last is a whole word ("in Kraft" must not start at "Iran")
    last = len(parts) - 1
    parts = [(w, ex or (i < last and len(w) <= 3)) for i, (w, ex) in enumerate(parts)]
    if not parts:
        return None
    return Term(tuple(parts), tag, raw)


def _word_matches(token: str, word: str, exact: bool) -> bool:
    if exact:
        return token == word
    return token.startswith(word)


def _variants(token: str) -> tuple[str, ...]:
    """An Arabic-script word with and without its leading proclitic (و, ال, ب, ...)."""
    if not token or not _ARABIC.match(token[0]):
        return (token,)
    out = [token]
    for p in _AR_PROCLITICS:
        if token.startswith(p) and len(token) - len(p) >= 3:
            out.append(token[len(p):])
    return tuple(out)


@dataclass
class Matcher:
    """Prefix-indexed terms of one language (plus the language-neutral ones)."""

    terms: list[Term] = field(default_factory=list)
    _index: dict[str, list[Term]] = field(default_factory=dict)

    def add(self, term: Term) -> None:
        self.terms.append(term)
        first = term.parts[0][0]
        self._index.setdefault(first[:3], []).append(term)

    def _candidates(self, token: str):
        idx = self._index
        out = idx.get(token[:3], [])
        if len(token) >= 2:
            out = out + idx.get(token[:2], []) + idx.get(token[:1], []) if (token[:2] in idx or token[:1] in idx) \
                else out
        return out

    def find(self, toks: list[str]) -> list[tuple[int, int, Term]]:
        """Every (start, end, term) match in a folded word list; end is exclusive."""
        found: list[tuple[int, int, Term]] = []
        seen: set[tuple[int, str]] = set()
        for i, tok in enumerate(toks):
            for variant in _variants(tok):
                for term in self._candidates(variant):
                    w0, ex0 = term.parts[0]
                    if not _word_matches(variant, w0, ex0):
                        continue
                    if (i, term.tag + term.source) in seen:
                        continue
                    end = self._rest(toks, i, term)
                    if end is not None:
                        seen.add((i, term.tag + term.source))
                        found.append((i, end, term))
        return found

    @staticmethod
    def _rest(toks: list[str], i: int, term: Term) -> int | None:
        pos = i
        for w, ex in term.parts[1:]:
            for j in range(pos + 1, min(len(toks), pos + 1 + GAP)):
                if any(_word_matches(v, w, ex) for v in _variants(toks[j])):
                    pos = j
                    break
            else:
                return None
        return pos + 1
