"""A story's timeline, pure: what the seeds made known first, then each development by day (oldest first, as the
story unfolded), each with its evidence in its original language, its first source and its corroborations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from consumers import catalogue
from consumers.language import detect_language, language_name
from consumers.notify.render import SourceLine, source_line
from consumers.topics.model import KnownFact, Topic
from schemas import Alert, Feedback

MODALITY = {"done": "done", "planned": "planned", "scheduled": "scheduled", "expected": "expected",
            "conditional": "possible", "ongoing": "ongoing"}


@dataclass(frozen=True)
class KnownItem:
    what: str  # the kind's label
    modality: str
    parties: str
    date: date | None
    dated_by_text: bool
    evidence: str
    language: str  # the evidence's language, by name
    language_code: str | None
    source: str  # the seed file


@dataclass(frozen=True)
class DevelopmentItem:
    alert: Alert
    day: date | None
    first: SourceLine
    announced: SourceLine | None
    corroborations: list[SourceLine]
    languages: list[str]  # every language it was reported in
    channels: list[str]  # where its alert went
    feedback: Feedback | None  # a person's word on it (dismissed as not new / off topic)

    @property
    def dismissed(self) -> bool:
        return self.feedback is not None and self.feedback.verdict in ("not_new", "off_topic")


@dataclass(frozen=True)
class Day:
    day: date | None
    developments: list[DevelopmentItem]


@dataclass(frozen=True)
class Timeline:
    topic_id: str
    name: str
    description: str
    known_as_of: date | None
    known: list[KnownItem]
    days: list[Day]

    @property
    def development_count(self) -> int:
        return sum(len(d.developments) for d in self.days)


@lru_cache(maxsize=4096)
def _language(text: str) -> str | None:
    return detect_language(text) if text else None


def known_items(topic: Topic) -> list[KnownItem]:
    out = []
    for fact in topic.known:
        out.append(_known(topic, fact))
    return sorted(out, key=lambda k: (k.date is None, k.date or date.min, k.source))  # the undated last


def _known(topic: Topic, fact: KnownFact) -> KnownItem:
    code = _language(fact.evidence)
    return KnownItem(what=catalogue.kind(fact.kind).label, modality=MODALITY.get(fact.modality, fact.modality),
                     parties=" and ".join(topic.label(p) for p in fact.parties), date=fact.date,
                     dated_by_text=fact.date_from_text, evidence=fact.evidence, language=language_name(code),
                     language_code=code, source=fact.source)


def development_day(alert: Alert) -> date | None:
    when = alert.event_date or alert.first_source.published
    return when.date() if when else None


def build(topic: Topic | None, topic_id: str, alerts: list[Alert], channels: dict[str, list[str]],
          feedback: dict[str, Feedback], known: list[KnownItem] | None = None) -> Timeline:
    items = []
    for alert in alerts:
        langs = [alert.first_source.language] + [s.language for s in alert.corroborations]
        items.append(DevelopmentItem(
            alert=alert, day=development_day(alert), first=source_line(alert.first_source),
            announced=source_line(alert.announced_by) if alert.announced_by else None,
            corroborations=[source_line(s) for s in alert.corroborations],
            languages=sorted({language_name(code) for code in langs if code}),
            channels=channels.get(alert.alert_id, []), feedback=feedback.get(f"development:{alert.alert_id}")))
    by_day: dict[date | None, list[DevelopmentItem]] = {}
    for item in sorted(items, key=lambda i: (i.day or date.max, i.alert.created_at, i.alert.alert_id)):
        by_day.setdefault(item.day, []).append(item)
    return Timeline(topic_id=topic_id, name=topic.name if topic else topic_id,
                    description=topic.description if topic else "",
                    known_as_of=topic.known_as_of.date() if topic and topic.known_as_of else None,
                    known=known if known is not None else (known_items(topic) if topic else []),
                    days=[Day(d, devs) for d, devs in by_day.items()])
