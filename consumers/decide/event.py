"""An event: what one sentence of an article says happened (or will happen) between the parties."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

DONE = "done"
# Modalities that are not (yet) facts: a plan, a date set, an expectation, a condition; and what is said not to be,
# or only asked about ("what state are the talks in?").
PLANS = ("planned", "scheduled", "expected", "conditional")
NOT_FACTS = ("negated", "denied", "questioned")
ONGOING = "ongoing"


@dataclass(frozen=True)
class Event:
    kind: str  # a catalogue kind ("agreement_signed") or "other"
    modality: str  # "done", one of PLANS, "ongoing", or one of NOT_FACTS
    parties: tuple[str, ...]  # the topic's parties that take part, sorted
    agent: str | None  # the party that acts, for kinds where one acts on the other; None when they act together
    others: tuple[str, ...]  # third parties the sentence names (a host, a mediator, a third state)
    object: str | None  # object class ("treaty", "weapons", "space") or None
    date: date | None
    date_precision: str | None  # "day" | "month" | "year"
    date_from_text: bool  # the sentence gives the date; otherwise it is the publication date
    people: tuple[str, ...]  # keys of the people the sentence names as taking part
    evidence: str  # the sentence, in its original language
    sentence: int  # its position in the lead (0 is the title when there is one)
    in_title: bool
    named: bool  # both parties are named in the sentence itself (not only elsewhere in the lead)
    trigger: str  # the word that shows the kind, as written
    host: str | None = None  # a visit's host, as the text says
    background: bool = False  # dated well before the article: told as background, not as news

    @property
    def happened(self) -> bool:
        return self.modality == DONE

    @property
    def planned(self) -> bool:
        return self.modality in PLANS

    @property
    def on_topic(self) -> bool:
        return len(self.parties) >= 2 and self.modality not in NOT_FACTS

    def to_record(self) -> dict[str, Any]:
        """JSON-able, for the decider's changelog."""
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        out["parties"], out["others"], out["people"] = list(self.parties), list(self.others), list(self.people)
        return out

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> "Event":
        fields = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["date"] = date.fromisoformat(data["date"]) if data.get("date") else None
        for k in ("parties", "others", "people"):
            fields[k] = tuple(data.get(k) or ())
        for k, default in (("host", None), ("background", False), ("named", False), ("in_title", False),
                           ("date_from_text", False), ("trigger", ""), ("evidence", ""), ("sentence", 0)):
            if fields.get(k) is None:
                fields[k] = default
        return cls(**fields)

    def with_(self, **changes: Any) -> "Event":
        return replace(self, **changes)
