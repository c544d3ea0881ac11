"""A topic: its description, actors, third parties, kinds of development and seed corpus (topic.toml + seeds/)."""
from __future__ import annotations

import tomllib
from datetime import date, datetime, timezone
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale

from consumers.decide.lexicon import Matcher, compile_term, stem_name
from schemas import ExtractedArticle

ANY = "any"
SCRIPT_FAMILIES = (("ru", "uk", "bg"), ("uk", "ru", "bg"), ("bg", "ru", "uk"), ("fa", "ar"), ("ar", "fa"))


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    priority: int
    symmetric: bool
    repeatable: bool
    requires: str | None
    agent_from: str | None


@dataclass
class Topic:
    id: str
    name: str
    description: str
    languages: list[str]
    actors: dict[str, str]  # code -> English label
    kinds: dict[str, Kind]
    lead_sentences: int
    repeat_after_days: int
    known_as_of: datetime | None  # when the user read the seeds: what they report happened by then
    seeds: list[ExtractedArticle]
    seed_raw: dict[str, str]  # seed url -> raw page text (the loader's cleaning may drop article paragraphs)
    config: dict[str, Any] = field(repr=False)
    _matchers: dict[str, Matcher] = field(default_factory=dict, repr=False)

    def matcher(self, lang: str | None) -> Matcher:
        """The lexicon for a text in `lang`; languages that share a script and are easily confused by language
        identification (ru/uk/bg, fa/ar) share their terms; an unknown language gets every language's terms."""
        key = lang if lang in self.languages else "*"
        m = self._matchers.get(key)
        if m is None:
            langs = None if key == "*" else next((list(f) for f in SCRIPT_FAMILIES if key in f), [key])
            m = self._build(langs)
            self._matchers[key] = m
        return m

    def _build(self, langs: list[str] | None) -> Matcher:
        """Terms of `langs` plus the language-neutral ones (None: every language)."""
        cfg = self.config
        m = Matcher()
        lang = None if langs is None else langs[0]
        langs = self.languages if langs is None else langs

        def add_lists(section: dict[str, Any] | None, tag: str, all_langs: bool = False) -> None:
            if not section:
                return
            for key, values in section.items():
                if not isinstance(values, list):
                    continue
                if key == ANY or all_langs or key in langs:
                    for raw in values:
                        t = compile_term(raw, tag)
                        if t:
                            m.add(t)

        # actors: names are names, so every language's actor terms apply to any text; CLDR names of the
        # article's language (all languages when unknown) are added as stems.
        for code, actor in cfg.get("actors", {}).items():
            add_lists(actor.get("terms"), f"actor:{code}", all_langs=True)
            add_lists(actor.get("persons"), f"person:{code}", all_langs=True)
            add_lists(actor.get("legislature"), f"legis:{code}", all_langs=True)
            terr = actor.get("territory")
            if terr:
                for loc in self.languages:
                    name = _territory_name(loc, terr)
                    if name:
                        t = compile_term(stem_name(name), f"actor:{code}")
                        if t:
                            m.add(t)
        others = cfg.get("others", {})
        add_lists(others.get("terms"), "other:", all_langs=True)
        for raw in others.get("context_terms", []):
            t = compile_term(raw, "ctx:")
            if t:
                m.add(t)
        for terr in others.get("context_territories", []):
            for loc in (self.languages if lang is None else [lang, "en"]):
                name = _territory_name(loc, terr)
                if name and len(name) >= 4:
                    t = compile_term(name, f"ctx:{terr}")
                    if t:
                        m.add(t)
        for terr in others.get("territories", []):
            for loc in (self.languages if lang is None else [lang, "en"]):
                name = _territory_name(loc, terr)
                if name and len(name) >= 4:  # whole names: a stem such as "chin" would match Ukrainian "чинності"
                    t = compile_term(name, f"other:{terr}")
                    if t:
                        m.add(t)
        for gname, group in cfg.get("groups", {}).items():
            add_lists(group, f"group:{gname}")
        add_lists(cfg.get("modality", {}).get("planned"), "modal:planned")
        add_lists(cfg.get("modality", {}).get("immediate"), "modal:immediate")
        for kname, kcfg in cfg.get("kinds", {}).items():
            for mode in ("done", "planned", "weak", "received"):
                add_lists(kcfg.get(mode), f"kind:{kname}:{mode}")
        return m


@lru_cache(maxsize=4096)
def _territory_name(locale: str, territory: str) -> str | None:
    try:
        return Locale.parse(locale).territories.get(territory)
    except Exception:  # an unknown locale in a topic file is not fatal
        return None


def _as_of(value: Any) -> datetime | None:
    """tomllib reads a bare TOML date as a date; a quoted one arrives as text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 23, 59, tzinfo=timezone.utc)
    return _as_of(date.fromisoformat(str(value)))


def load_topic(folder: Path) -> Topic:
    """folder/topic.toml plus the seed corpus in folder/seeds (via consumers.seeds.load_seeds)."""
    from consumers.seeds import load_seeds

    folder = Path(folder)
    cfg = tomllib.loads((folder / "topic.toml").read_text(encoding="utf-8"))
    t = cfg.get("topic", {})
    kinds = {}
    for name, k in cfg.get("kinds", {}).items():
        kinds[name] = Kind(name=name, label=k.get("label", name), priority=int(k.get("priority", 10)),
                           symmetric=bool(k.get("symmetric", False)), repeatable=bool(k.get("repeatable", True)),
                           requires=k.get("requires"), agent_from=k.get("agent_from"))
    seeds_dir = folder / "seeds"
    seeds = load_seeds(seeds_dir) if seeds_dir.is_dir() else []
    raw = {}
    if seeds_dir.is_dir():
        for p in sorted(seeds_dir.glob("*.txt")):
            raw[f"seed:{p.stem}"] = p.read_text(encoding="utf-8", errors="replace")
    actors = {code: a.get("label", code) for code, a in cfg.get("actors", {}).items()}
    return Topic(id=t.get("id", folder.name), name=t.get("name", folder.name), description=t.get("description", ""),
                 languages=list(t.get("languages", [])), actors=actors, kinds=kinds,
                 lead_sentences=int(t.get("lead_sentences", 4)), repeat_after_days=int(t.get("repeat_after_days", 21)),
                 known_as_of=_as_of(t.get("known_as_of")),
                 seeds=seeds, seed_raw=raw, config=cfg)
