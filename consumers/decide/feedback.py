"""People's feedback, as the decider applies it (newsmon web, `newsmon feedback`; the compacted feedback topic).

- A development marked "not new" or "off topic" is dismissed: its later reports stay quiet (decided "known" or
  "off_topic", with the reason saying so), so no update of it goes out. "withdrawn" takes the dismissal back.
- A quiet article marked "this was new" raises a development from it: an alert, revision 0, that goes out like any
  other, and later reports of the same event join it as corroborations.

Every change is a StateRecord of kind "feedback" on the decider's changelog, so a restarted decider knows it.
The functions here are pure; the decider's loop (consumers/decide_service.py) writes their records and applies
them with `DeciderState.apply`, which hands "feedback" records to `apply_record`. `decide` passes each verdict
through `quiet_if_dismissed`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from consumers import catalogue
from consumers.catalogue import OTHER_KIND
from consumers.decide.event import DONE, Event
from consumers.decide.headline import headline
from consumers.decide.knowledge import Known
from newsmon.urls import canonical_url
from schemas import Alert, Decision, Feedback, Source, StateRecord

if TYPE_CHECKING:  # core imports this module; the types are only named here
    from consumers.decide.core import DeciderState, Verdict

DISMISSING = ("not_new", "off_topic")
LOUD = ("new_development", "corroboration")  # the statuses that send something


@dataclass
class FeedbackState:
    """What feedback changed: the dismissed developments and the articles raised to a development."""

    dismissed: dict[str, str] = field(default_factory=dict)  # development id → "not_new" | "off_topic"
    raised: dict[str, str] = field(default_factory=dict)  # article (canonical URL) → the development it raised


@dataclass(frozen=True)
class FeedbackOutcome:
    records: list[StateRecord]
    alert: Alert | None = None  # a raised development's alert
    decision: Decision | None = None  # the raised article's new decision
    note: str = ""  # what happened, for the log


# --------------------------------------------------------------------------------------------------- decide
def quiet_if_dismissed(verdict: "Verdict", state: "DeciderState") -> "Verdict":
    """A report of a dismissed development is decided quietly: known (not new) or off topic, as the person said."""
    dev = verdict.development
    said = state.feedback.dismissed.get(dev) if dev else None
    if said is None or verdict.status not in LOUD:
        return verdict
    return replace(verdict, status="off_topic" if said == "off_topic" else "known",
                   reason=f"{verdict.reason}; {dev} was marked {said.replace('_', ' ')} by feedback")


# --------------------------------------------------------------------------------------------------- feedback
def apply_feedback(state: "DeciderState", feedback: Feedback) -> FeedbackOutcome:
    """Pure: what one feedback message changes (nothing when the state already says so: a redelivery is a no-op)."""
    if feedback.target == "development":
        return _on_development(state, feedback)
    return _on_article(state, feedback)


def _on_development(state: "DeciderState", feedback: Feedback) -> FeedbackOutcome:
    dev = feedback.development_id or ""
    key = f"feedback:development:{dev}"
    current = state.feedback.dismissed.get(dev)
    if feedback.verdict == "withdrawn":
        if current is None:
            return FeedbackOutcome([], note=f"{dev} was not dismissed")
        return FeedbackOutcome([StateRecord(key=key, kind="feedback", data={"op": "restore", "development": dev})],
                               note=f"{dev}: dismissal withdrawn, its reports count again")
    if current == feedback.verdict:
        return FeedbackOutcome([], note=f"{dev} already marked {current}")
    known = dev in state.developments or any(a.get("dev") == dev for a in state.articles.values())
    if not known:
        return FeedbackOutcome([], note=f"{dev} is no development the decider knows")
    return FeedbackOutcome([StateRecord(key=key, kind="feedback", data={
        "op": "dismiss", "development": dev, "verdict": feedback.verdict})],
        note=f"{dev} marked {feedback.verdict}: its reports stay quiet")


def _article_key(state: "DeciderState", url: str) -> str | None:
    for candidate in (url, canonical_url(url)):
        if candidate in state.articles:
            return candidate
    return None


def _on_article(state: "DeciderState", feedback: Feedback) -> FeedbackOutcome:
    ident = _article_key(state, feedback.url or "")
    if ident is None:
        return FeedbackOutcome([], note=f"{feedback.url} is no article the decider has decided")
    if feedback.verdict == "withdrawn":
        return FeedbackOutcome([], note=f"{ident}: an alert that went out cannot be taken back")
    stored = state.articles[ident]
    decision = Decision.model_validate(stored["decision"])
    if ident in state.feedback.raised or decision.status == "new_development":
        return FeedbackOutcome([], note=f"{ident} already raised a development")
    topic = state.topic
    event = _event_of(state, ident, decision, feedback)
    dev = "dev-" + hashlib.sha1(f"{topic.id}|feedback|{ident}".encode("utf-8")).hexdigest()[:16]
    alert = _alert(state, event, dev, decision, feedback)
    raised = decision.model_copy(update={
        "status": "new_development", "on_topic": True, "alert": True, "development_id": dev,
        "kind": event.kind, "modality": event.modality,
        "reason": f"raised by feedback: this was new (decided {decision.status}: {decision.reason})"})
    return FeedbackOutcome(
        [StateRecord(key=f"feedback:article:{ident}", kind="feedback", data={
            "op": "raise", "url": ident, "development": dev, "decision": raised.model_dump(mode="json"),
            "events": [event.to_record()]}),
         StateRecord(key=f"development:{dev}", kind="development", data={"alert": alert.model_dump(mode="json")})],
        alert=alert, decision=raised, note=f"{ident} raised {dev}: {alert.headline}")


def _event_of(state: "DeciderState", ident: str, decision: Decision, feedback: Feedback) -> Event:
    """The event the article reported (the one that decided it, else its first), or, for an article the decider
    read nothing of the parties in, a development of no listed kind between the topic's parties."""
    events = [k.event for k in state.knowledge.reports_of(ident)]
    if events:
        best = sorted(events, key=lambda e: (e.kind != decision.kind, not e.happened, e.sentence))[0]
        return best.with_(background=False)
    return Event(kind=OTHER_KIND, modality=DONE, parties=tuple(sorted(state.topic.party_ids)), agent=None,
                 others=(), object=None, date=feedback.issued_at.date(), date_precision="day", date_from_text=False,
                 people=(), evidence=feedback.title, sentence=0, in_title=True, named=True, trigger="")


def _alert(state: "DeciderState", e: Event, dev: str, decision: Decision, feedback: Feedback) -> Alert:
    topic = state.topic
    spec = catalogue.kind(e.kind)
    order = sorted(e.parties, key=lambda c: (c != e.agent, topic.party_ids.index(c) if c in topic.party_ids else 9))
    return Alert(alert_id=dev, revision=0, headline=headline(topic, e), kind=spec.id, kind_label=spec.label,
                 modality=e.modality, actors=[topic.label(c) for c in order],
                 event_date=datetime(e.date.year, e.date.month, e.date.day, tzinfo=timezone.utc) if e.date else None,
                 date_from_text=e.date_from_text, evidence=e.evidence or feedback.title,
                 evidence_language=decision.language,
                 first_source=Source(url=decision.url, title=feedback.title, language=decision.language),
                 topic=topic.id, created_at=feedback.issued_at)


# --------------------------------------------------------------------------------------------------- state
def apply_record(state: "DeciderState", data: dict[str, Any]) -> None:
    """A "feedback" changelog record into the state (DeciderState.apply calls this); applying it twice is one."""
    op = data.get("op")
    if op == "dismiss":
        state.feedback.dismissed[data["development"]] = data["verdict"]
    elif op == "restore":
        state.feedback.dismissed.pop(data["development"], None)
    elif op == "raise":
        url, dev = data["url"], data["development"]
        if state.feedback.raised.get(url) == dev:
            return
        state.feedback.raised[url] = dev
        state.articles[url] = {"decision": data["decision"], "dev": dev}
        state.doc_dev[url] = dev
        for raw in data.get("events", []):
            state.knowledge.add(Known(Event.from_record(raw), url, dev, "alerted"))
