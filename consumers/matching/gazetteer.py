"""Names of places and months in every CLDR locale (via Babel), mapped to one language-independent id.

"Vereinigte Staaten", "Estados Unidos", "Соединённые Штаты", "美国" → "US"; "Teheran", "Тегеран" → "Asia/Tehran";
"März", "marzo", "марта" → month 3; weekdays; language names (as nationality adjectives). Built once on first use (about 2 s), then shared.
"""
from __future__ import annotations

from functools import lru_cache

from .normalise import CJK_RE, tokens, translit
from consumers.table_cache import cached_table

_CACHE_VERSION = 2  # bump when the table's content or shape changes
MAX_NAME_WORDS = 4
_NATIONAL_LANGUAGES = ("ar", "de", "en", "es", "fa", "fr", "he", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "tr",
                       "uk", "zh", "el", "sv", "cs", "hu", "ro", "bg", "sr", "hr", "fi", "da", "no", "is")
# Inflected languages (ru, pl, tr, ...) change endings: match single-word names on a prefix of this length too.
PREFIX_LEN = 5


class Gazetteer:
    def __init__(self) -> None:
        self.names: dict[tuple[str, ...], set[str]] = {}  # transliterated word tuple → ids
        self.prefixes: dict[str, set[str]] = {}  # first PREFIX_LEN letters of a one-word name → ids
        self.cjk_names: dict[str, set[str]] = {}  # names written in CJK (no word boundaries) → ids

    def add(self, name: str, ident: str) -> None:
        name = name.strip()
        if not name:
            return
        if CJK_RE.match(name.replace(" ", "")):
            if len(name) >= 2:
                self.cjk_names.setdefault(name, set()).add(ident)
            return
        words = tuple(translit(w) for w in tokens(name))
        if not words or len(words) > MAX_NAME_WORDS or (len(words) == 1 and len(words[0]) < 4):
            return  # very short names collide with ordinary words
        self.names.setdefault(words, set()).add(ident)
        if len(words) == 1 and len(words[0]) >= PREFIX_LEN + 1:
            self.prefixes.setdefault(words[0][:PREFIX_LEN], set()).add(ident)

    def finalise(self) -> None:
        # a prefix shared by several places says nothing
        self.prefixes = {p: ids for p, ids in self.prefixes.items() if len(ids) <= 2}

    def find(self, words: list[str], raw_text: str = "") -> list[str]:
        """Ids of the places/months named in a list of transliterated lower-case words (and CJK raw text)."""
        found: list[str] = []
        n = len(words)
        i = 0
        while i < n:
            for k in range(min(MAX_NAME_WORDS, n - i), 0, -1):
                ids = self.names.get(tuple(words[i:i + k]))
                if ids:
                    found.extend(ids)
                    i += k
                    break
            else:
                w = words[i]
                if len(w) >= PREFIX_LEN + 1:
                    ids = self.prefixes.get(w[:PREFIX_LEN])
                    if ids:
                        found.extend(ids)
                i += 1
        if raw_text and any("\u4e00" <= ch <= "\u9fff" for ch in raw_text[:2000]):
            for name, ids in self.cjk_names.items():
                if name in raw_text:
                    found.extend(ids)
        return found


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The table, from a local cache when one was built before (building it reads all 1,000+ CLDR locales)."""
    return cached_table("gazetteer", _CACHE_VERSION, Gazetteer, _build)


def _build() -> Gazetteer:
    from babel import Locale, localedata

    g = Gazetteer()
    for ident in localedata.locale_identifiers():
        try:
            loc = Locale.parse(ident)
        except Exception:  # a few locale ids in CLDR are aliases Babel cannot parse on their own
            continue
        for code, name in loc.territories.items():
            if code.isalpha():  # skip numeric regions (world, Europe, ...): far too broad to identify a story
                g.add(name, "T:" + code)
        for tz, info in loc.time_zones.items():
            city = info.get("city")
            if city:
                g.add(city, "C:" + tz)
        for ctx in ("format", "stand-alone"):
            for num, name in loc.months.get(ctx, {}).get("wide", {}).items():
                g.add(name, f"M:{num}")
            for num, name in loc.days.get(ctx, {}).get("wide", {}).items():
                g.add(name, f"D:{num}")
        # language names double as nationality adjectives once inflection is cut by the prefix match
        # (Russisch/russische, ruso/rusos); only for widely spoken languages, to keep the table precise
        for code in _NATIONAL_LANGUAGES:
            name = loc.languages.get(code)
            if name:
                g.add(name, "L:" + code)
    g.finalise()
    return g
