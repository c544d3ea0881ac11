"""The alert's English headline, told from the reading that decided it: never "signed" when the evidence says
"will be signed"; a visit names who travelled and who hosted as the text says; the date is the event's own when the
text gives one, else the publication's, and says which."""
from __future__ import annotations

from datetime import date

from consumers import catalogue
from consumers.decide.event import DONE, Event
from consumers.topics.model import Topic

_OBJECTS = {
    "treaty": "an agreement", "declaration": "a declaration", "memorandum": "a memorandum", "contract": "a contract",
    "law": "a law", "rules": "rules", "military": "troops", "weapons": "weapons", "space": "a space launch",
    "nuclear": "nuclear cooperation", "energy": "energy", "transport": "transport and transit",
    "trade": "trade", "finance": "finance", "prisoners": "prisoners", "border": "the border", "peace": "peace",
    "sanctions": "sanctions", "visas": "visas", "airspace": "airspace", "water": "water", "diplomacy": "diplomacy",
}
_MODAL_PREFIX = {"planned": "Planned", "scheduled": "Scheduled", "expected": "Expected", "conditional": "Possible",
                 "ongoing": "Ongoing"}


def _names(topic: Topic, codes: tuple[str, ...] | list[str]) -> str:
    labels = [topic.label(c) for c in codes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _other(event: Event, code: str | None) -> str | None:
    rest = [p for p in event.parties if p != code]
    return rest[0] if rest else None


def _about(event: Event) -> str:
    return f" ({_OBJECTS[event.object]})" if event.object in _OBJECTS else ""


def what_happened(topic: Topic, event: Event) -> str:
    """The event in a few words, in the present tense of a headline."""
    both = _names(topic, event.parties)
    spec = catalogue.kind(event.kind)
    agent = topic.label(event.agent) if event.agent else None
    other = topic.label(_other(event, event.agent)) if event.agent and _other(event, event.agent) else None
    k = event.kind
    if k == "visit" and agent:
        host = topic.label(event.host) if event.host else other
        return f"Visit: {agent} to {host}" if host else f"Visit by {agent}"
    if k == "ratified" and agent:
        return f"{agent} ratifies{' ' + _OBJECTS[event.object] if event.object in _OBJECTS else ' the agreement'}" + \
            (f" with {other}" if other else "")
    if k == "transfer" and agent:
        thing = _OBJECTS.get(event.object or "", "supplies")
        return f"{agent} delivers {thing} to {other}" if other else f"{agent}: delivery of {thing}"
    if spec.directed and agent:
        return f"{agent}: {spec.label}" + (f" concerning {other}" if other else "") + _about(event)
    if k == "agreement_signed":
        thing = _OBJECTS.get(event.object or "", "an agreement")
        return f"{both} sign {thing}"
    if k == "other":
        return f"New development between {both}"
    return f"{both}: {spec.label}{_about(event)}"


def headline(topic: Topic, event: Event) -> str:
    text = what_happened(topic, event)
    if event.modality != DONE:
        text = f"{_MODAL_PREFIX.get(event.modality, 'Announced')}: {text}"
    return text + date_label(event)


def date_label(event: Event) -> str:
    if event.date is None:
        return ""
    shown = _format(event.date, event.date_precision)
    return f" ({shown}, date in the text)" if event.date_from_text else f" (reported {shown})"


def _format(d: date, precision: str | None) -> str:
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return d.strftime("%B %Y")
    return f"{d.day} {d.strftime('%B %Y')}"
