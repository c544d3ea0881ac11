"""What the decider knows: the seeds' facts and every event of the articles it decided, and when one event is
another report of a known one.

Matching is a function of the two events alone (kind, who takes part, who acts, about what, when, with whom), so
it does not depend on the order reports arrive in: if A is a report of B, B is a report of A.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from consumers import catalogue
from consumers.catalogue import DOCUMENT_OBJECTS
from consumers.decide.event import DONE, ONGOING, Event
from consumers.topics.model import KnownFact, Topic

SAME_DAY_TOLERANCE = 1  # days between two text dates of one occurrence (time zones, "on Friday" told on Saturday)
# People in common that make two visits one when the texts disagree on who travelled ("Raisi received Lavrov")
PEOPLE_FOR_DIRECTION = 2


@dataclass(frozen=True)
class Known:
    event: Event
    source: str  # a seed file or an article's URL
    development: str | None  # the development it is a report of (alerted or announced); None for what is known
    status: str  # "seed" | "known" | "announced" | "alerted" | "part" (told beside a development, same occasion)


def fact_event(fact: KnownFact) -> Event:
    """A seed's fact as an event (undated when neither the sentence nor the seed gives a date)."""
    return Event(kind=fact.kind, modality=fact.modality, parties=tuple(sorted(fact.parties)), agent=fact.agent,
                 others=(), object=fact.object, date=fact.date, date_precision=fact.date_precision,
                 date_from_text=fact.date_from_text, people=tuple(fact.people), evidence=fact.evidence,
                 sentence=0, in_title=False, named=True, trigger="")


class Knowledge:
    """Known events, indexed by kind (its family) and by week: an event of a passing kind can only be another
    report of one of the weeks around it, while what lasts (a document signed, ratified, in force; what the seeds
    tell; a development) is compared whatever its date."""

    def __init__(self) -> None:
        self._lasting: dict[str, list[Known]] = {}
        self._by_week: dict[str, dict[int, list[Known]]] = {}
        self.announced: list[Known] = []  # plans of developments that have not happened yet
        # where each distinct report is kept: a development told by hundreds of outlets alike is compared once
        self._slots: dict[tuple, list[tuple[list[Known], int]]] = {}
        self._of_source: dict[str, list[tuple]] = {}  # each source's reports, by key (shared with `_slots`)
        self.count = 0

    def add(self, known: Known) -> None:
        self.count += 1
        key = _report_key(known)
        slots = self._slots.get(key)
        keys = self._of_source.setdefault(known.source, [])
        if key not in keys:
            keys.append(key)
        if slots is not None:
            # the same report again: it is represented by its least source, whatever order reports arrive in
            for bucket, i in slots:
                if known.source < bucket[i].source:
                    bucket[i] = known
            return
        e = known.event
        family = catalogue.kind(e.kind).family_id
        lasting = e.date is None or e.modality == ONGOING or known.status == "seed" or \
            (not catalogue.kind(e.kind).repeatable and known.status in ("alerted", "announced"))
        bucket = self._lasting.setdefault(family, []) if lasting else \
            self._by_week.setdefault(family, {}).setdefault(e.date.toordinal() // 7, [])  # type: ignore[union-attr]
        bucket.append(known)
        slots = [(bucket, len(bucket) - 1)]
        if known.status == "announced" and not e.happened:
            self.announced.append(known)
            slots.append((self.announced, len(self.announced) - 1))
        self._slots[key] = slots

    def of_kind(self, kind: str, around: date | None = None) -> list[Known]:
        """Known events of the kind's family: all of them, or those that can be reports of an event dated `around`."""
        family = catalogue.kind(kind).family_id
        weeks = self._by_week.get(family, {})
        if around is None:
            dated = [k for week in sorted(weeks) for k in weeks[week]]
        else:
            reach = (catalogue.kind(kind).span_days + WEEK_MARGIN_DAYS) // 7 + 1
            week = around.toordinal() // 7
            dated = [k for w in range(week - reach, week + reach + 1) for k in weeks.get(w, ())]
        return self._lasting.get(family, []) + dated

    def reports_of(self, source: str) -> list[Known]:
        """What one source reported, as matching knows it: a report others told alike is represented by theirs
        (the least source), whose wording may be another outlet's."""
        out = []
        for key in self._of_source.get(source, ()):
            bucket, i = self._slots[key][0]
            out.append(bucket[i])
        return out

    def all(self) -> list[Known]:
        return [k for family in sorted(set(self._lasting) | set(self._by_week)) for k in self.of_kind(family)]


WEEK_MARGIN_DAYS = 7


def _report_key(known: Known) -> tuple:
    """What matching reads of a known report; two reports alike in all of it are one report told twice (its
    wording, sentence and trigger aside)."""
    e = known.event
    return (known.status, known.development, e.kind, e.modality, e.parties, e.agent, e.host, e.others, e.object,
            e.date, e.date_precision, e.date_from_text, e.people, e.background)


# Documents that one language names alike (German "Vertrag" is a treaty and a contract) are one kind of document
_DOCUMENT_FAMILY = {"treaty": "agreement", "contract": "agreement", "memorandum": "agreement"}


def _document(obj: str | None) -> str | None:
    return _DOCUMENT_FAMILY.get(obj, obj) if obj in DOCUMENT_OBJECTS else None


def _days(a: date | None, b: date | None) -> int | None:
    return None if a is None or b is None else abs((a - b).days)


def same_occurrence(topic: Topic, e: Event, k: Event, *, seed: bool = False, development: bool = True) -> bool:
    """Are `e` and `k` reports of one development, modality aside?"""
    if catalogue.kind(e.kind).family_id != catalogue.kind(k.kind).family_id or set(e.parties) != set(k.parties):
        return False
    spec = catalogue.kind(e.kind)
    common_people = set(e.people) & set(k.people)
    if spec.directed and e.agent and k.agent and e.agent != k.agent:
        # who did it is read from each report's wording ("Kosovo accuses Serbia of the blast"); an occurrence
        # of a passing kind on the very same day is the same, whoever each report names first
        same_day = spec.repeatable and e.date_from_text and k.date_from_text and e.date == k.date
        if not (same_day or (e.kind == "visit" and len(common_people) >= PEOPLE_FOR_DIRECTION)):
            return False
    if spec.directed and (e.agent is None) != (k.agent is None) and not _same_days(e, k):
        return False  # who acted is unknown on one side: only the same days make it the same development
    if e.kind in ("visit", "talks") and e.people and k.people and not common_people:
        return False  # Lavrov's visit is not Shoigu's
    if _document(e.object) and _document(k.object) and _document(e.object) != _document(k.object):
        return False  # a declaration signed is not the treaty signed
    if seed and e.happened and _after_the_seeds(topic, e):
        return False  # news long after the user read the seeds is not what the seeds told, whatever its kind
    if spec.repeatable and e.planned and k.happened and e.date and k.date and e.date > k.date:
        return False  # a plan for after a known occurrence is the plan of another one ("will talk on Monday")
    if not spec.repeatable and (seed or development or not e.happened):
        # a document is signed, ratified, put into force once: a later report of it is a report of it (a plan
        # stands until it happens); a quiet report far apart in time is another one
        return True
    if e.modality == ONGOING or k.modality == ONGOING:
        return True  # a process that goes on ("talks continue") is one, whatever the dates
    return _close_in_time(topic, e, k, seed)


def _after_the_seeds(topic: Topic, e: Event) -> bool:
    if topic.known_as_of is None or e.date is None:
        return False
    return (e.date - topic.known_as_of.date()).days > topic.repeat_after_days


def _close_in_time(topic: Topic, e: Event, k: Event, seed: bool) -> bool:
    if k.date is None and seed and topic.known_as_of is not None and e.date is not None:
        # an undated seed fact happened by the time the user read the seeds: the same occurrence is told of as
        # happening by then, another one happens well after
        return (e.date - topic.known_as_of.date()).days <= topic.repeat_after_days
    gap = _days(e.date, k.date)
    if gap is None:
        return True
    if e.date_from_text and k.date_from_text:
        if "year" in (e.date_precision, k.date_precision):
            return e.date.year == k.date.year  # type: ignore[union-attr]
        if "month" in (e.date_precision, k.date_precision):
            return (e.date.year, e.date.month) == (k.date.year, k.date.month)  # type: ignore[union-attr]
        return gap <= SAME_DAY_TOLERANCE
    return gap <= catalogue.kind(e.kind).span_days


def _same_days(e: Event, k: Event) -> bool:
    gap = _days(e.date, k.date)
    return gap is not None and gap <= SAME_DAY_TOLERANCE


def same_occasion(e: Event, plan: Event) -> bool:
    """A done event on the very day a plan of the same parties was announced for: the occasion took place (a
    summit announced for Friday, and on Friday the parties initial a text there)."""
    if not (plan.date_from_text and plan.date_precision == "day" and e.date_precision == "day"):
        return False
    gap = _days(e.date, plan.date)
    return gap is not None and gap <= 1 and set(e.parties) == set(plan.parties)


def matches(topic: Topic, knowledge: Knowledge, e: Event) -> list[Known]:
    """Known reports of `e`, first the most telling. A done event is known only from a done report (a plan does not
    make it known); a plan or an ongoing process is known from either."""
    out = []
    around = e.date if e.modality != ONGOING else None
    for k in knowledge.of_kind(e.kind, around):
        if e.happened and k.event.modality != DONE and k.event.modality != ONGOING:
            continue
        if same_occurrence(topic, e, k.event, seed=k.status == "seed",
                           development=k.status in ("alerted", "announced")):
            out.append(k)
    return sorted(out, key=_rank)


def announced_for(topic: Topic, knowledge: Knowledge, e: Event) -> Known | None:
    """The announced (not yet happened) development that `e` makes come true, if any."""
    found = []
    for k in knowledge.announced:
        if same_occurrence(topic, e, k.event) or same_occasion(e, k.event):
            found.append(k)
    return min(found, key=_rank) if found else None


_STATUS_ORDER = {"alerted": 0, "part": 1, "announced": 2, "known": 3, "seed": 4}


def _rank(k: Known) -> tuple:
    return (_STATUS_ORDER.get(k.status, 9), k.event.date or date.min, k.source)
