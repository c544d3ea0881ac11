"""A small topic and short articles for the decider's unit tests (no ../shared, no topic folder on disk)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from consumers.decide import DeciderState, Outcome, decide
from consumers.topics.model import KnownFact, Party, Topic
from consumers.topics.names import Person
from schemas import ExtractedArticle


def make_topic(known: list[KnownFact] | None = None, *, as_of: str = "2024-10-31") -> Topic:
    """Russia and Iran, with a few of their people, as `topic init` would write them."""
    people = [Person("Vladimir Putin", "RU", ("Putin",)), Person("Sergei Lavrov", "RU", ("Lavrov",)),
              Person("Masoud Pezeshkian", "IR", ("Pezeshkian",)), Person("Abbas Araghchi", "IR", ("Araghchi",))]
    d = date.fromisoformat(as_of)
    return Topic(id="test-ru-ir", name="Russia – Iran", description="", languages=[],
                 parties=[Party("RU", "Russia", "RU", {}), Party("IR", "Iran", "IR", {})], people=people,
                 known=known or [], known_as_of=datetime(d.year, d.month, d.day, 23, 59, tzinfo=timezone.utc),
                 queries={})


def fact(kind: str, modality: str = "done", *, day: str | None = None, agent: str | None = None,
         people: tuple[str, ...] = (), obj: str | None = None) -> KnownFact:
    return KnownFact(kind=kind, modality=modality, parties=("IR", "RU"), agent=agent, object=obj,
                     date=date.fromisoformat(day) if day else None, date_precision="day" if day else None,
                     date_from_text=bool(day), people=people, evidence="", source="seed.txt")


def article(key: str, lang: str, title: str, text: str, day: str = "2025-01-17") -> ExtractedArticle:
    url = f"https://news.example/{lang}/{key}"
    return ExtractedArticle(url=url, canonical_url=url, title=title, text=text, language=lang,
                            published=datetime.fromisoformat(day).replace(hour=10, tzinfo=timezone.utc))


def run(state: DeciderState, a: ExtractedArticle) -> Outcome:
    """Decide and apply, as the Kafka loop and replay do."""
    out = decide(a, state)
    for record in out.records:
        state.apply(record)
    return out
