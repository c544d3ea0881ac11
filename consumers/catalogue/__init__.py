"""The catalogue: the kinds of development newsmon knows, and their words in every supported language.

`kinds.toml` defines each kind once (its label, who takes part, whether it repeats); `words/<lang>.toml` gives its
words as lemmas, the object classes ("treaty", "weapons", "satellite"...), relation and legislature words. The same
for every story: a story brings only its parties and what is known (its topic folder).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from consumers.languages import SUPPORTED, profile
from consumers.languages.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent
OTHER_KIND = "other"  # an on-topic development of a kind the catalogue lacks
# "with_object": words that report the kind only beside one of its objects (Arabic وقع "signed" or "occurred")
KIND_FIELDS = ("verbs", "nouns", "phrases", "receive", "host", "with_object")
# Documents, the most telling first: a "law ratifying the treaty" ratifies the treaty.
DOCUMENT_OBJECTS = ("treaty", "memorandum", "declaration", "contract", "rules", "law")


@dataclass(frozen=True)
class KindSpec:
    id: str
    label: str
    roles: str  # "joint" | "directed" | "organisation"
    repeatable: bool
    priority: int
    objects: tuple[str, ...]  # one of these object classes must stand near the word (empty: any)
    aimed: bool = False  # aimed at someone: a third state where it happens is its counterpart
    span_days: int = 7  # how long one occurrence lasts and is reported
    family: str = ""  # kinds told with the same words, compared with each other

    @property
    def family_id(self) -> str:
        return self.family or self.id

    @property
    def directed(self) -> bool:
        return self.roles == "directed"


OTHER = KindSpec(id=OTHER_KIND, label="development", roles="joint", repeatable=True, priority=0, objects=())


@lru_cache(maxsize=1)
def kinds() -> dict[str, KindSpec]:
    data = tomllib.loads((ROOT / "kinds.toml").read_text(encoding="utf-8"))
    out = {}
    for kid, spec in data.items():
        out[kid] = KindSpec(id=kid, label=spec.get("label", kid), roles=spec.get("roles", "joint"),
                            repeatable=bool(spec.get("repeatable", True)), priority=int(spec.get("priority", 10)),
                            objects=tuple(spec.get("objects", ())), aimed=bool(spec.get("aimed", False)),
                            span_days=int(spec.get("span_days", 7)), family=str(spec.get("family", "")))
    return out


def kind(kid: str) -> KindSpec:
    return kinds().get(kid, OTHER)


def _words(lang: str) -> dict:
    path = ROOT / "words" / f"{lang}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=None)
def lexicon(lang: str | None) -> Lexicon:
    """The catalogue's words in `lang`, tagged "kind:<id>:<field>", "object:<class>", "relation", "legislature",
    "time:past" and "time:future". Phrases match in any order ("trat ... in Kraft"). An unsupported language gets
    every language's words, matched as written."""
    langs = [lang] if lang in SUPPORTED else list(SUPPORTED)
    prof = profile(lang)
    lex = Lexicon(lang if lang in SUPPORTED else "xx", ordered=False, compounds=prof.compounds,
                  stem_of=prof.stem_of if prof.infinitive_ending else None)
    known = kinds()
    for code in langs:
        data = _words(code)
        for kid, fields in data.get("kinds", {}).items():
            if kid not in known:
                continue
            for field in KIND_FIELDS:
                lex.extend(fields.get(field), f"kind:{kid}:{field}")
        for obj, entry in data.get("objects", {}).items():
            lex.extend(entry.get("words") if isinstance(entry, dict) else entry, f"object:{obj}")
        lex.extend(data.get("relation", {}).get("words"), "relation")
        lex.extend(data.get("legislature", {}).get("words"), "legislature")
        times = data.get("time_words", {})
        lex.extend(times.get("past"), "time:past")
        lex.extend(times.get("future"), "time:future")
    return lex
