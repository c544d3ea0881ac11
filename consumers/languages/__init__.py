"""The language layer: how each supported language marks modality, negation, reporting and roles.

One data file per language (`<code>.toml`, the same for every story) plus what CLDR gives through Babel (months,
weekdays, relative days: `dates.py`); `text.py` turns a sentence into tokens with lemmas. The decider reads
`profile(lang).markers.find(tokens)` and the affix lists; it never names a word of a particular language.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from consumers.languages.lexicon import Lexicon, Match
from consumers.languages.text import LEMMA_LANGUAGES, Token, normalise, sentences, tokenize

__all__ = ["LanguageProfile", "Lexicon", "Match", "SUPPORTED", "Token", "profile", "sentences", "tokenize"]

DATA_DIR = Path(__file__).resolve().parent
SUPPORTED = ("en", "de", "nl", "fr", "es", "it", "pl", "ro", "bg", "ru", "uk", "tr", "el", "is", "fa", "ar")

# Marker lists: which tag each list gets, and whether it matches written forms only. Closed-class words (auxiliaries,
# particles, prepositions, negation) are matched as written: their lemmas merge forms that mean different things
# (German "wurde" and "wird" are both "werden"; Russian "был" and "будет" are both "быть").
_MODALITY_LISTS = {
    "future": True, "scheduled": False, "planned": False, "expected": False, "conditional": False,
    "denied": False, "ongoing": False, "past_time": False, "future_time": False, "infinitive_markers": True,
}
_ROLE_LISTS = {
    "recipient": True, "partner": True, "source": True, "place": True, "destination": True, "agent": True,
    "between": True, "host": False, "arrive": False,
}


@dataclass(frozen=True)
class LanguageProfile:
    code: str
    name: str
    word_order: str
    compounds: bool
    markers: Lexicon  # tags: the modality names, "negation", "not_yet", "reporting", "role:<name>", "break"
    future_suffixes: tuple[str, ...]
    conditional_suffixes: tuple[str, ...]
    past_suffixes: tuple[str, ...]
    future_prefixes: tuple[str, ...]
    infinitive_suffixes: tuple[str, ...]
    negation_prefixes: tuple[str, ...]
    negation_suffixes: tuple[str, ...]
    recipient_suffixes: tuple[str, ...]
    partner_suffixes: tuple[str, ...]
    nonpast_suffixes: tuple[str, ...]  # personal endings of the present/future (ru -ут, -ет; pl -ą, -e)
    nonpast_is_future: bool
    present_in_headlines_is_past: bool
    name_vowel_alternations: tuple[tuple[str, str], ...] = ()  # vowels a name's forms swap (is: Íran → írönsk)
    infinitive_ending: str = ""  # where the lemmatiser gives stems: what an infinitive adds to it (fa: ن)

    def stem_of(self, word: str) -> str | None:
        """The stem of an infinitive in a language whose lemmas are stems (Persian کردن → کرد), else None."""
        if self.infinitive_ending and any(word.endswith(s) for s in self.infinitive_suffixes) \
                and word.endswith(self.infinitive_ending):
            return word[:-len(self.infinitive_ending)]
        return None

    @property
    def verb_final(self) -> bool:
        return self.word_order.upper().startswith(("SOV", "V2"))


def _affixes(section: dict, key: str, lang: str) -> tuple[str, ...]:
    values = section.get(key) or []
    # longest first, so "eront" is tried before "ont"
    return tuple(sorted({normalise(v.strip("-*"), lang) for v in values if isinstance(v, str) and v.strip("-*")},
                        key=lambda a: (-len(a), a)))


@lru_cache(maxsize=None)
def profile(lang: str | None) -> LanguageProfile:
    """The language's profile; an unsupported or unknown language gets an empty one (names and dates still work)."""
    code = lang if lang in SUPPORTED else None
    path = DATA_DIR / f"{code}.toml" if code else None
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}
    lexicon_lang = code or "xx"
    markers = Lexicon(lexicon_lang, ordered=True)
    modality = data.get("modality", {})
    for key, surface in _MODALITY_LISTS.items():
        tag = "infinitive" if key == "infinitive_markers" else key
        markers.extend(modality.get(key), tag, surface_only=surface)
    negation = data.get("negation", {})
    markers.extend(negation.get("words"), "negation", surface_only=True)
    markers.extend(negation.get("not_yet"), "not_yet", surface_only=True)
    reporting = data.get("reporting", {})
    markers.extend(reporting.get("verbs"), "reporting")
    markers.extend(reporting.get("markers"), "reporting")
    roles = data.get("roles", {})
    for key, surface in _ROLE_LISTS.items():
        markers.extend(roles.get(key), f"role:{key}", surface_only=surface)
    markers.extend(data.get("clauses", {}).get("breaks"), "break", surface_only=True)
    return LanguageProfile(
        code=code or "", name=data.get("name", code or "unknown"), word_order=data.get("word_order", "SVO"),
        compounds=bool(data.get("compounds", False)), markers=markers,
        future_suffixes=_affixes(modality, "future_suffixes", lexicon_lang),
        conditional_suffixes=_affixes(modality, "conditional_suffixes", lexicon_lang),
        past_suffixes=_affixes(modality, "past_suffixes", lexicon_lang),
        future_prefixes=_affixes(modality, "future_prefixes", lexicon_lang),
        infinitive_suffixes=_affixes(modality, "infinitive_suffixes", lexicon_lang),
        negation_prefixes=_affixes(negation, "prefixes", lexicon_lang),
        negation_suffixes=_affixes(negation, "suffixes", lexicon_lang),
        recipient_suffixes=_affixes(roles, "recipient_suffixes", lexicon_lang),
        partner_suffixes=_affixes(roles, "partner_suffixes", lexicon_lang),
        nonpast_suffixes=_affixes(modality, "nonpast_suffixes", lexicon_lang),
        nonpast_is_future=bool(modality.get("nonpast_is_future", False)),
        present_in_headlines_is_past=bool(modality.get("present_in_headlines_is_past", True)),
        name_vowel_alternations=tuple((str(a), str(b)) for a, b in data.get("names", {}).get("vowel_alternations", [])),
        infinitive_ending=str(data.get("lemmas", {}).get("infinitive_ending", "")),
    )


def lemma_languages() -> frozenset[str]:
    return LEMMA_LANGUAGES
