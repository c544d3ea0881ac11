"""The reading the extract stage carries on `articles.extracted`: the decider decides alike with it or without it,
and reads the text again when the reading was made with other language data."""
from __future__ import annotations

import json

import pytest

from consumers.decide import DeciderState, decide
from consumers.decide.reading import SentenceAnalysis, carried_reading, reading_version
from consumers.enrich import enrich
from tests.decide_util import article, make_topic

ARTICLES = [
    article("de-plan", "de", "Russland und Iran wollen Vertrag im Januar unterzeichnen",
            "Der Vertrag soll nach Angaben des Kremls am 17. Januar in Moskau unterzeichnet werden.", day="2025-01-10"),
    article("fa-sign", "fa", "ایران و روسیه پیمان همکاری راهبردی امضا کردند",
            "ولادیمیر پوتین و مسعود پزشکیان روز جمعه در مسکو پیمان مشارکت راهبردی جامع را امضا کردند."),
    article("ar-drill", "ar", "انطلاق مناورات بحرية مشتركة بين إيران وروسيا",
            "بدأت القوات البحرية لإيران وروسيا يوم الاثنين مناورات مشتركة في خليج عمان."),
    article("en-off", "en", "Russia and North Korea sign defence treaty",
            "Russia and North Korea signed a mutual defence treaty in Pyongyang on Wednesday."),
]


def _decisions(articles) -> list[tuple]:
    state = DeciderState(make_topic())
    out = []
    for a in articles:
        outcome = decide(a, state)
        for record in outcome.records:
            state.apply(record)
        d = outcome.decision
        out.append((d.status, d.kind, d.modality, d.development_id, d.reason))
    return out


def test_the_carried_reading_decides_as_reading_the_text_does():
    carried = [enrich(a) for a in ARTICLES]
    assert all(a.reading and a.reading["version"] == reading_version() for a in carried)
    # through JSON, as Kafka carries it
    carried = [type(a).model_validate_json(a.model_dump_json()) for a in carried]
    assert _decisions(carried) == _decisions(ARTICLES)
    assert [s for s, *_ in _decisions(ARTICLES)] == ["announced", "new_development", "new_development", "off_topic"]


def test_a_reading_made_with_other_language_data_is_not_used():
    a = ARTICLES[0]
    stale = carried_reading(a.title, a.text, a.language)
    stale["version"] = "other"
    # what a stale reading says must not count: its sentences are emptied of every word
    for unit in stale["units"]:
        unit["markers"], unit["words"], unit["dates"], unit["places"] = [], [], [], []
    assert _decisions([a.model_copy(update={"reading": stale})]) == _decisions([a])


@pytest.mark.parametrize("a", ARTICLES, ids=lambda a: a.url.rsplit("/", 1)[-1])
def test_an_analysis_survives_its_record(a):
    fresh = SentenceAnalysis(a.text, a.language)
    back = SentenceAnalysis.from_record(json.loads(json.dumps(fresh.to_record())), a.language)
    assert back.tokens == fresh.tokens
    assert [(m.tag, m.start, m.end) for m in back.markers] == [(m.tag, m.start, m.end) for m in fresh.markers]
    assert [(m.tag, m.start, m.end) for m in back.words] == [(m.tag, m.start, m.end) for m in fresh.words]
    assert back.dates == fresh.dates and back.places == fresh.places and back.breaks == fresh.breaks
