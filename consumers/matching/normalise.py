"""Text normalisation that makes different languages and scripts comparable without translation.

Everything here is a pure function of its input (plus package data), so signatures are reproducible.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# A "word" is a run of letters/digits; CJK ideographs have no spaces, so they are taken one by one
# and paired into bigrams by the caller.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_RE = re.compile(rf"[{_CJK}]+|[^\W\d_{_CJK}]+(?:['’][^\W\d_]+)?|\d+(?:[.,\u00a0\u202f ]\d{{3}})*(?:[.,]\d+)?")
CJK_RE = re.compile(rf"^[{_CJK}]+$")
ARABIC_SCRIPT_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def fix_text(text: str) -> str:
    """Undo the commonest mojibake (UTF-8 read as Latin-1) and normalise Unicode forms."""
    if "Ã" in text or "â€" in text:
        try:
            text = text.encode("cp1252", errors="strict").decode("utf-8", errors="strict")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=200_000)
def translit(word: str) -> str:
    """Lower-case Latin form of any word (Cyrillic, Greek, Arabic, Persian, CJK → Latin)."""
    return anyascii(word).lower()


# Ordered rewrites that fold the spelling conventions of several languages onto one consonant key:
# Lawrow/Lavrov, Schoigu/Shoigu, Tekheran/Teheran, Poetin/Putin ...
_DIGRAPHS = [
    ("tsch", "s"), ("sch", "s"), ("sh", "s"), ("zh", "s"), ("ch", "s"), ("kh", "h"), ("ph", "f"),
    ("ck", "k"), ("dj", "j"), ("dzh", "j"), ("tz", "z"), ("ts", "z"),
]
_LETTER_MAP = str.maketrans({"w": "f", "v": "f", "p": "b", "c": "k", "q": "k", "g": "k", "z": "s", "x": "ks", "'": None})
_VOWELS_LATIN = set("aeiouy")
# In Arabic-script transliterations w and y are mostly long vowels (pwtyn = Putin), so they are dropped too.
_VOWELS_ARABIC = set("aeiouyw")


def skeleton(word: str, *, arabic_script: bool | None = None) -> str:
    """Consonant skeleton of a word's transliteration: Путин, پوتین, Poetin and Putin all give 'btn'."""
    if arabic_script is None:
        arabic_script = bool(ARABIC_SCRIPT_RE.search(word))
    return _skeleton(word, arabic_script)


@lru_cache(maxsize=200_000)
def _skeleton(word: str, arabic_script: bool) -> str:
    s = translit(word)
    s = "".join(ch for ch in s if ch.isalpha() or ch == "'")
    vowels = _VOWELS_ARABIC if arabic_script else _VOWELS_LATIN
    if not arabic_script:
        s = s.replace("w", "v")
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    out = []
    for ch in "".join(ch for ch in s if ch not in vowels).translate(_LETTER_MAP):
        if out and out[-1] == ch:  # doubled letters: Lawrow/Lavrov, Teheran/Tehran
            continue
        out.append(ch)
    return "".join(out)


def parse_number(token: str) -> str | None:
    """Canonical form of a number written in a local format: 35 000, 35.000, 35,000 → '35000'; 3,5 → '3.5'."""
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in token)
    parts = re.split(r"[.,\u00a0\u202f ]", digits)
    if len(parts) == 1:
        return parts[0].lstrip("0") or "0"
    # separators followed by exactly three digits are thousands separators; a different last group is decimals
    if all(len(p) == 3 for p in parts[1:]):
        return (parts[0] + "".join(parts[1:])).lstrip("0") or "0"
    whole = "".join(parts[:-1]).lstrip("0") or "0"
    frac = parts[-1].rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def tokens(text: str) -> list[str]:
    """Words of a text in order; CJK runs become character bigrams (Chinese has no spaces)."""
    out: list[str] = []
    for m in WORD_RE.finditer(text):
        w = m.group(0)
        if CJK_RE.match(w):
            if len(w) == 1:
                out.append(w)
            else:
                out.extend(w[i:i + 2] for i in range(len(w) - 1))
        else:
            out.append(w)
    return out


# Arabic and Persian attach the article and conjunctions to the word (الكورونا, وبالمدينة) and add suffixes:
# a light stemmer, as in information retrieval for Arabic, strips the commonest of them.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
_AR_SUFFIXES = ("هما", "ها", "ات", "ان", "ون", "ين", "ية", "ه", "ة", "ي", "ی")


def arabic_stem(word: str) -> str:
    for p in _AR_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            word = word[len(p):]
            break
    for suf in _AR_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            break
    return word
