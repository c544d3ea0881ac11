"""A topic: one story a user follows, as its seeds define it. Read from a topic folder (`topic.toml` + `seeds/`).

`topic.toml` is written by `newsmon topic init SEEDS --into DIR` and may be edited by hand; the decider reads it as
it stands. It holds only what the seeds say: the parties and their names, their people, search queries, the known
facts with their dates and `known_as_of`. What is general (languages, kinds of development) ships with newsmon.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from consumers.topics.names import PartyIndex, Person
from consumers.languages.text import fold
from consumers.topics.places import Places, places

DEFAULT_LEAD_SENTENCES = 4
DEFAULT_REPEAT_AFTER_DAYS = 21


@dataclass(frozen=True)
class Party:
    id: str  # the territory code for a state ("RU")
    label: str
    territory: str | None
    names: dict[str, tuple[str, ...]]  # language → names the topic adds to the general table


@dataclass(frozen=True)
class KnownFact:
    """Something the seeds report: an event with its modality and date, and the seed it came from."""

    kind: str
    modality: str
    parties: tuple[str, ...]
    agent: str | None
    object: str | None
    date: date | None
    date_precision: str | None
    date_from_text: bool  # the sentence dates it; otherwise it is the seed's own date
    people: tuple[str, ...]
    evidence: str
    source: str


@dataclass
class Topic:
    id: str
    name: str
    description: str
    parties: list[Party]
    people: list[Person]
    known: list[KnownFact]
    known_as_of: datetime | None
    queries: dict[str, list[str]]
    languages: list[str]
    lead_sentences: int = DEFAULT_LEAD_SENTENCES
    repeat_after_days: int = DEFAULT_REPEAT_AFTER_DAYS
    seeds_dir: Path | None = None
    index: PartyIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        extra = Places()
        general = places()
        for party in self.parties:
            for names in party.names.values():
                for name in names:
                    # a name the general table already gives this party needs no second lookup
                    if {(party.territory or party.id, "name"), (party.territory or party.id, "adjective")} & \
                            general.names.get(fold(name), set()):
                        continue
                    extra.add_name(name, party.id, "name")
        self.index = PartyIndex(parties={p.id: (p.territory or p.id) for p in self.parties}, people=self.people,
                                extra_names=extra)

    @property
    def party_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parties)

    def label(self, party_id: str) -> str:
        for p in self.parties:
            if p.id == party_id:
                return p.label
        from consumers.topics.names import party_label

        return party_label(party_id)


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_of(value: Any) -> datetime | None:
    """The end of the day the seeds were read: what they report happened by then."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    d = _as_date(value)
    return datetime(d.year, d.month, d.day, 23, 59, tzinfo=timezone.utc) if d else None


def load_topic(folder: Path) -> Topic:
    folder = Path(folder)
    cfg = tomllib.loads((folder / "topic.toml").read_text(encoding="utf-8"))
    head = cfg.get("topic", {})
    parties = [Party(id=str(p["id"]), label=str(p.get("label", p["id"])), territory=p.get("territory"),
                     names={lang: tuple(v) for lang, v in (p.get("names") or {}).items() if isinstance(v, list)})
               for p in cfg.get("parties", [])]
    people = [Person(name=str(p["name"]), party=str(p["party"]), forms=tuple(p.get("forms", ())))
              for p in cfg.get("people", [])]
    known = []
    for k in cfg.get("known", []):
        known.append(KnownFact(kind=str(k["kind"]), modality=str(k.get("modality", "done")),
                               parties=tuple(k.get("parties", ())), agent=k.get("agent") or None,
                               object=k.get("object") or None, date=_as_date(k.get("date")),
                               date_precision=k.get("date_precision") or None,
                               date_from_text=bool(k.get("date_from_text", False)), people=tuple(k.get("people", ())),
                               evidence=str(k.get("evidence", "")), source=str(k.get("source", ""))))
    seeds_dir = folder / "seeds"
    return Topic(id=str(head.get("id", folder.name)), name=str(head.get("name", folder.name)),
                 description=str(head.get("description", "")).strip(), parties=parties, people=people, known=known,
                 known_as_of=_as_of(head.get("known_as_of")), queries={k: list(v) for k, v in
                                                                      cfg.get("queries", {}).items()},
                 languages=list(head.get("languages", [])),
                 lead_sentences=int(head.get("lead_sentences", DEFAULT_LEAD_SENTENCES)),
                 repeat_after_days=int(head.get("repeat_after_days", DEFAULT_REPEAT_AFTER_DAYS)),
                 seeds_dir=seeds_dir if seeds_dir.is_dir() else None)
