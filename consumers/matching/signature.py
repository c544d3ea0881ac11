"""An article's signature: a compact, JSON-serialisable summary that is all the index keeps of it.

Three groups of weighted keys (32-bit hashes) serve three comparisons:
- "w": word stems in their own script/language (same-language wording);
- "s": consonant skeletons of transliterated words (cognates and names across languages and scripts);
- "e": distinctive entities: capitalised names (as skeletons), CLDR places, months, weekdays and nationality
  adjectives as language-independent ids, numbers in canonical form.
plus "h" (exact hash of the normalised text) and "mh" (MinHash of word 3-shingles) for the copy level.
Weights come from the word-frequency prior (language-specific IDF) and from where the word stands:
the main body counts fully, short list-like lines (navigation, headline lists) count little.
"""
from __future__ import annotations

import hashlib
import math
import re
import zlib
from datetime import datetime

import numpy as np
from datasketch import MinHash

from .gazetteer import gazetteer
from .language import cjk_bigram_idf, detect_language, word_idf
from .normalise import ARABIC_SCRIPT_RE, arabic_stem, CJK_RE, fix_text, parse_number, skeleton, tokens, translit

SIGNATURE_VERSION = 1
MAX_TEXT_CHARS = 20_000  # the story is told at the top; this bounds the cost of very long pages
NUM_PERM = 32
TOP_W, TOP_S, TOP_E = 40, 32, 32
STEM_LEN = 6
SKELETON_LEN = 5
MIN_IDF = 1.0  # words below this (function words) are not keys at all
PLACE_IDF = 3.0  # a country or city narrows the story less than a rare name does
NUMBER_IDF = 4.0
YEAR_IDF = 2.0  # "2020" is in half of the year's news
_YEAR_RE = re.compile(r"^(19|20)\d\d$")

TITLE_WEIGHT = 1.5
BODY_WEIGHT = 1.0
LIST_LINE_WEIGHT = 0.08  # menus, "read more" headline lists, captions: only when there is a main body
MIN_BODY_WORDS = 40
_SENTENCE_END = re.compile(r"[.!?…。！？\"»”)]\s*$")
_DIGIT_RE = re.compile(r"\d")


def key_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def _is_prose(line: str, n_words: int) -> bool:
    """Prose lines carry the story; short lines without a sentence end are navigation or other headlines,
    and lines cut by separators are menus and footers."""
    if line.count("|") >= 2 or "©" in line:
        return False
    return n_words >= 15 or (n_words >= 6 and bool(_SENTENCE_END.search(line)))


def _is_name(word: str, prev: str) -> bool:
    """A capitalised word that does not start a sentence: probably part of a name (in cased scripts)."""
    return word[:1].isupper() and not word.isupper() and prev not in ("", ".", "!", "?", ":", "\n")


def _add(bag: dict[str, list[float]], key: str, tf: float, idf: float) -> None:
    """Accumulate position-weighted term frequency; keep the highest prior IDF seen for the key."""
    cur = bag.get(key)
    if cur is None:
        bag[key] = [tf, idf]
    else:
        cur[0] += tf
        cur[1] = max(cur[1], idf)


def _top(bag: dict[str, list[float]], n: int) -> list[list[int]]:
    """The n heaviest keys as [hash, weight×100]; weight = sub-linear term frequency × prior IDF."""
    weighted = ((k, ((1.0 + math.log(tf)) if tf >= 1 else tf) * idf) for k, (tf, idf) in bag.items())
    items = sorted(weighted, key=lambda kv: -kv[1])[:n]
    merged: dict[int, int] = {}
    for k, w in items:
        h = key_hash(k)
        merged[h] = merged.get(h, 0) + max(1, int(round(w * 100)))
    return [[h, w] for h, w in merged.items()]


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=7)  # drawing the permutations costs more than hashing a text
_SCHEME = {"scheme": _TEMPLATE.scheme} if hasattr(_TEMPLATE, "scheme") else {}  # datasketch >= 2 requires it


def _minhash(words: list[str]) -> list[int]:
    shingles = {" ".join(words[i:i + 3]).encode() for i in range(max(1, len(words) - 2))} if words else {b""}
    m = MinHash(num_perm=NUM_PERM, seed=7, permutations=_TEMPLATE.permutations, **_SCHEME)
    m.update_batch(list(shingles))
    return [int(x) for x in m.hashvalues]


def build_signature(text: str, *, title: str = "", lang: str | None = None,
                    published: datetime | None = None) -> dict:
    """The signature of one article; a pure function of its arguments (and the installed package data)."""
    text = fix_text((text or "")[:MAX_TEXT_CHARS])
    title = fix_text((title or "")[:1000])
    if lang is None:
        lang = detect_language((title + "\n" + text).strip())
    arabic = bool(ARABIC_SCRIPT_RE.search(text[:2000]))
    gaz = gazetteer()

    w_bag: dict[str, list[float]] = {}
    s_bag: dict[str, list[float]] = {}
    e_bag: dict[str, list[float]] = {}
    body_words: list[str] = []  # transliterated words of prose lines, for the copy fingerprints

    lines = [(ln, tokens(ln)) for ln in text.split("\n")]
    prose = [_is_prose(ln, len(toks)) for ln, toks in lines]
    has_body = sum(len(toks) for (_, toks), p in zip(lines, prose) if p) >= MIN_BODY_WORDS
    blocks = [(title, tokens(title), TITLE_WEIGHT)] if title else []
    blocks += [(ln, toks, BODY_WEIGHT if (p or not has_body) else LIST_LINE_WEIGHT)
               for (ln, toks), p in zip(lines, prose)]
    for line, toks, lw in blocks:
        if not toks:
            continue
        low = [translit(t) for t in toks]
        if lw == BODY_WEIGHT:
            body_words.extend(low)
        for place in gaz.find(low, line):
            _add(e_bag, "g:" + place, lw, PLACE_IDF)
        # raw text positions let us tell sentence-initial capitals from names
        prev_end = 0
        for tok in toks:
            idx = line.find(tok, prev_end)
            before = line[prev_end:idx].strip()[-1:] if idx > prev_end else ""
            prev = before if before else ("" if prev_end == 0 else "w")
            prev_end = idx + len(tok) if idx >= 0 else prev_end
            if _DIGIT_RE.match(tok):
                num = parse_number(tok)
                # single digits and small counts are everywhere; years and figures identify events
                if num and (len(num) >= 2 and num not in ("10", "20", "30", "100")):
                    _add(e_bag, "n:" + num, lw, YEAR_IDF if _YEAR_RE.match(num) else NUMBER_IDF)
                continue
            lower = tok.lower()
            if CJK_RE.match(tok):
                idf = cjk_bigram_idf(tok, lang)
                _add(w_bag, "w:" + tok, lw, idf)
                continue
            idf = word_idf(lower, lang)
            if idf < MIN_IDF or len(lower) < 3:
                continue
            in_arabic_script = arabic and bool(ARABIC_SCRIPT_RE.match(tok))
            if in_arabic_script:
                tok = arabic_stem(tok)
            t = translit(tok)
            _add(w_bag, "w:" + t[:STEM_LEN], lw, idf)
            sk = skeleton(tok, arabic_script=in_arabic_script)
            if len(sk) >= 3:
                _add(s_bag, "s:" + sk[:SKELETON_LEN], lw, idf)
                # Arabic script has no capitals: every rare word may be a name
                if (in_arabic_script and idf >= 3.0) or _is_name(tok, prev):
                    _add(e_bag, "e:" + sk[:SKELETON_LEN], lw, idf)

    norm = " ".join(translit(t) for t in tokens(title + "\n" + text))
    return {
        "v": SIGNATURE_VERSION,
        "lang": lang,
        "t": int(published.timestamp()) if published else None,
        "h": hashlib.blake2b(norm.encode(), digest_size=8).hexdigest(),
        "mh": _minhash(body_words or norm.split()),
        "w": _top(w_bag, TOP_W),
        "s": _top(s_bag, TOP_S),
        "e": _top(e_bag, TOP_E),
    }


def minhash_similarity(a: list[int], b: list[int]) -> float:
    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)
