"""The decider's knowledge: which known reports an event is compared with, whatever order reports arrive in."""
from __future__ import annotations

from datetime import date, timedelta

from consumers.decide.event import Event
from consumers.decide.knowledge import Knowledge, Known, matches
from tests.decide_util import make_topic


def _event(kind: str, day: date | None, *, modality: str = "done", agent: str | None = None,
           evidence: str = "") -> Event:
    return Event(kind=kind, modality=modality, parties=("IR", "RU"), agent=agent, others=(), object=None, date=day,
                 date_precision="day" if day else None, date_from_text=bool(day), people=(), evidence=evidence,
                 sentence=0, in_title=True, named=True, trigger="")


def _known(kind: str, day: date | None, source: str, status: str = "known", dev: str | None = None,
           **kw) -> Known:
    return Known(_event(kind, day, **kw), source, dev, status)


def test_a_report_told_by_many_is_compared_once_and_named_by_its_least_source():
    day = date(2025, 3, 4)
    sources = [f"https://outlet{n}.example/drill" for n in range(40)]
    forward, backward = Knowledge(), Knowledge()
    for s in sources:
        forward.add(_known("joint_exercise", day, s, evidence=s))
    for s in reversed(sources):
        backward.add(_known("joint_exercise", day, s, evidence=s))
    topic = make_topic()
    probe = _event("joint_exercise", day)
    for knowledge in (forward, backward):
        found = matches(topic, knowledge, probe)
        assert [k.source for k in found] == [min(sources)]
        assert found[0].event.evidence == min(sources)  # the representative is one report, whole
        assert knowledge.count == len(sources)
    # a report that differs in what matching reads (who acted) is kept apart
    forward.add(_known("joint_exercise", day, "https://z.example/x", agent="RU"))
    assert len(forward.all()) == 2


def test_a_passing_event_is_compared_with_the_weeks_around_it_and_a_lasting_one_always():
    topic = make_topic()
    knowledge = Knowledge()
    drill_day, signed_day = date(2025, 3, 4), date(2025, 1, 17)
    knowledge.add(_known("joint_exercise", drill_day, "https://a.example/drill"))
    knowledge.add(_known("agreement_signed", signed_day, "https://a.example/treaty", "alerted", "dev-treaty"))
    assert matches(topic, knowledge, _event("joint_exercise", drill_day + timedelta(days=1)))
    assert not matches(topic, knowledge, _event("joint_exercise", drill_day + timedelta(days=120)))
    # a treaty is signed once: a report of its signing a year on is still a report of the alerted development
    later = matches(topic, knowledge, _event("agreement_signed", signed_day + timedelta(days=365)))
    assert [k.development for k in later] == ["dev-treaty"]


def test_an_announced_plan_is_listed_once_until_it_happens():
    knowledge = Knowledge()
    day = date(2025, 5, 9)
    for s in ("https://b.example/plan", "https://a.example/plan"):
        knowledge.add(_known("visit", day, s, "announced", "dev-visit", modality="planned"))
    assert [k.source for k in knowledge.announced] == ["https://a.example/plan"]


def test_what_one_source_reported_is_found_though_another_represents_it():
    knowledge = Knowledge()
    day = date(2025, 3, 4)
    knowledge.add(_known("joint_exercise", day, "https://b.example/drill"))
    knowledge.add(_known("joint_exercise", day, "https://a.example/drill"))
    knowledge.add(_known("visit", day, "https://b.example/drill"))
    reports = knowledge.reports_of("https://b.example/drill")
    assert sorted(k.event.kind for k in reports) == ["joint_exercise", "visit"]
    assert knowledge.reports_of("https://nowhere.example/") == []
