"""Words of a sentence in comparable form: normalised surface, lemma (simplemma) and a script-neutral fold for names.

Three forms of each word serve three comparisons:
- `low`: the lower-case surface form, normalised within its language (Romanian cedillas, Turkish dotted I,
  Arabic-script letter variants, diacritics, tatweel and zero-width non-joiners), for the language's own word lists;
- `lemma`: simplemma's lemma of the word in the sentence's language, normalised the same way, so one entry of a
  word list covers the inflected forms;
- `fold`: lower-case Latin (anyascii) for every script but Arabic's, which stays in its script, normalised: names of
  parties and places are compared in this form across languages (Иран, Irán, Ιράν → iran).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from anyascii import anyascii

LEMMA_LANGUAGES = frozenset(("en", "de", "nl", "fr", "es", "it", "pl", "ro", "bg", "ru", "uk", "tr", "el", "is",
                             "fa", "ar"))
# A word: letters and digits; apostrophes and hyphens split ("l'Iran", "İran'ın", "armeno-azerbaigiana").
# Persian writes one word with zero-width non-joiners inside (می‌شود), so they stay part of it.
_WORD = re.compile(r"(?:[^\W_]|\u200c)+", re.UNICODE)
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_AR_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")  # harakat, superscript alef, tatweel, Quranic marks
_AR_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ک": "ك",
                             "ة": "ه", "ۀ": "ه", "ؤ": "و", "\u200c": "", "\u200d": ""})
_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_RO_CEDILLA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_LEMMA_NOTE = re.compile(r"[-\s]*\(.*?\)$")
AR_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    low: str
    lemma: str
    fold: str
    cap: bool  # written with a capital first letter (a name, in scripts that have capitals)
    start: int  # character offsets in the sentence
    end: int
    lows: tuple[str, ...] = ()  # `low`, and for Arabic script without its proclitic or article too


def is_arabic_script(word: str) -> bool:
    return bool(ARABIC_SCRIPT.search(word))


def _strip_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def normalise(word: str, lang: str | None) -> str:
    """Lower-case surface form, normalised as the word lists of `lang` are."""
    word = unicodedata.normalize("NFC", word).translate(_PERSIAN_DIGITS)
    if ARABIC_SCRIPT.search(word):
        return _AR_MARKS.sub("", word).translate(_AR_LETTERS)
    if lang == "tr" or lang == "az":
        word = word.replace("I", "ı").replace("İ", "i")
    elif lang == "ro":
        word = word.translate(_RO_CEDILLA)
    low = word.lower()
    if lang in ("ru", "uk", "bg"):
        low = low.replace("ё", "е")  # written either way
    return low.replace("’", "").replace("'", "").replace("ʼ", "")


@lru_cache(maxsize=300_000)
def lemma_of(word: str, lang: str | None) -> str:
    """simplemma's lemma of one word in `lang`, normalised; the normalised word itself where there is none."""
    if lang not in LEMMA_LANGUAGES:
        return normalise(word, lang)
    if lang == "ro":
        word = word.translate(_RO_CEDILLA)
    elif lang == "tr":
        word = word.replace("İ", "i").replace("I", "ı") if word[:1] in "İI" and not word.isupper() else word
    found = _lemmatize(word, lang)
    if found == word and not word.islower() and not ARABIC_SCRIPT.search(word):
        found = _lemmatize(normalise(word, lang), lang)  # sentence-initial capital, all caps
    # Bulgarian reflexives come as "отворя-(се)" for some forms of a verb and "отворя" for others
    found = _LEMMA_NOTE.sub("", found)
    return normalise(found, lang)


def _lemmatize(word: str, lang: str) -> str:
    try:
        return simplemma.lemmatize(word, lang=lang)
    except (ValueError, KeyError):  # simplemma refuses some inputs (empty once normalised, digits only, odd scripts)
        return word


@lru_cache(maxsize=300_000)
def fold(word: str) -> str:
    """Script-neutral form for names: Latin lower case (Arabic script stays, normalised)."""
    word = unicodedata.normalize("NFC", word)
    if ARABIC_SCRIPT.search(word):
        return _AR_MARKS.sub("", word).translate(_AR_LETTERS)
    return anyascii(word).lower().replace("'", "").replace("’", "")


@lru_cache(maxsize=200_000)
def arabic_variants(low: str) -> tuple[str, ...]:
    """An Arabic-script word with and without one leading proclitic or article (والمعاهدة → معاهده)."""
    if not low or not ARABIC_SCRIPT.match(low[0]):
        return (low,)
    out = [low]
    for p in AR_PROCLITICS:
        if low.startswith(p) and len(low) - len(p) >= 3:
            out.append(low[len(p):])
    return tuple(out)


# Ukrainian writes an apostrophe inside words (п'ятниця, перемир'я): there it is a letter, not a split.
_WORD_APOSTROPHE = re.compile(r"(?:[^\W_]|\u200c)+(?:['’ʼ](?:[^\W_])+)*", re.UNICODE)


def tokenize(sentence: str, lang: str | None) -> list[Token]:
    out = []
    for m in (_WORD_APOSTROPHE if lang == "uk" else _WORD).finditer(sentence):
        w = m.group(0).strip("\u200c")
        if not w:
            continue
        low = normalise(w, lang)
        out.append(Token(text=w, low=low, lemma=lemma_of(w, lang), fold=fold(w), cap=w[:1].isupper(),
                         start=m.start(), end=m.end(), lows=arabic_variants(low)))
    return out


# ------------------------------------------------------------------------------------------------------ sentences
# A full stop after a number is an ordinal ("am 2. Oktober", "31. október"), not the end of a sentence; one before a
# lower-case word ends an abbreviation ("tzw. procesu", "ca. 20"), not a sentence.
_SENT_SPLIT = re.compile(
    r"(?<=[^\W\d]{2}[!?؟…])\s+|(?<=[^\W\d]{2}\.)\s+(?![^\W\d_](?<=[a-zà-ÿа-яёіїєα-ωß]))"
    r"|(?<=[.!?…][\"”»“])\s+|(?<=[^\d\s][.!?؟])\s+(?=[\"„«“A-ZÀ-ÞА-ЯЁІЇЄΑ-Ω\u0600-\u06ff])")
# An abbreviation before a full stop does not end the sentence ("M. Trump", "Dr. Smith").
_NUMBERED = re.compile(r"(?:^|\s)[A-ZА-ЯΑ-Ω][a-zа-яα-ω]{1,3}\.$")
_ABBREVIATION = re.compile(r"(?:^|\s)[A-ZА-ЯΑ-Ω][a-zа-яα-ω]?\.$")


def sentences(text: str) -> list[str]:
    """Sentences of a text, line by line (a line break always ends one)."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        pending = ""
        for piece in _SENT_SPLIT.split(line):
            piece = piece.strip()
            if not piece:
                continue
            if pending and _NUMBERED.search(pending) and not _ABBREVIATION.search(pending) \
                    and not piece[:1].isdigit():
                out.append(pending)  # held for a number that did not come
                pending = ""
            pending = f"{pending} {piece}" if pending else piece
            if len(pending.split()) < 60 and (_ABBREVIATION.search(pending) or _NUMBERED.search(pending)):
                continue  # "M. Trump", "Dr. Smith"; "Oct. 18", "No. 5" if a number follows
            out.append(pending)
            pending = ""
        if pending:
            out.append(pending)
    return out
