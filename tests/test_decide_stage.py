"""The decider on the real broker: each topic decided by one instance, its state handed over through the changelog."""
from datetime import datetime, timezone

from consumers.decide_service import TopicDecider, run_decider
from newsmon.stream import create_topics
from newsmon.urls import canonical_url
from schemas import Alert, Decision, ExtractedArticle, Topics, decode, encode
from tests.kafka_util import Background, records, send, wait_until

DRILL = ("Russian and Iranian warships began a joint naval exercise in the Caspian Sea on Monday, the Russian defence "
         "ministry said. The drills involve ten ships from both navies and will last three days, according to Iranian "
         "state media. It is the first such exercise between the two navies this year, officials in Moscow and Tehran "
         "said.")
DRILL_DE = ("Russische und iranische Kriegsschiffe haben am Montag ein gemeinsames Marinemanöver im Kaspischen Meer "
            "begonnen, teilte das russische Verteidigungsministerium mit. An der Übung nehmen zehn Schiffe beider "
            "Marinen teil, sie soll drei Tage dauern, berichteten iranische Staatsmedien.")


def extracted(url: str, title: str, text: str, lang: str) -> ExtractedArticle:
    return ExtractedArticle(url=url, canonical_url=canonical_url(url), title=title, text=text, language=lang,
                            published=datetime(2025, 6, 2, 12, tzinfo=timezone.utc))


def start(settings, found: list[TopicDecider]) -> Background:
    return Background(lambda stop: run_decider(settings, stop, on_start=found.append))


def test_two_deciders_one_topic_one_active_and_the_other_takes_over_with_the_state(kafka):
    create_topics(kafka)
    first, second = [], []
    runs = {"first": start(kafka, first), "second": start(kafka, second)}
    inbound = kafka.topic(Topics.EXTRACTED)
    try:
        a = extracted("https://n.example/drill", "Russia and Iran hold joint naval drills in the Caspian", DRILL, "en")
        send(kafka, inbound, a.canonical_url, encode(a))
        [one] = records(kafka, kafka.topic(Topics.DECISIONS), at_least=1, timeout=60)
        assert decode(Decision, one.value).status == "new_development"
        assert decode(Decision, one.value).topic == "russia-iran"
        holding = [name for name, found in (("first", first), ("second", second)) if found[0].topics]
        assert len(holding) == 1, "exactly one decider decides the topic"
        runs.pop(holding[0]).stop()  # it leaves; the other must take the topic over with its state
        b = extracted("https://m.example/manoever", "Russisch-iranisches Marinemanöver im Kaspischen Meer",
                      DRILL_DE, "de")
        send(kafka, inbound, b.canonical_url, encode(b))
        decisions = records(kafka, kafka.topic(Topics.DECISIONS), at_least=2, timeout=90)
    finally:
        for run in runs.values():
            run.stop()
    d1, d2 = (decode(Decision, r.value) for r in decisions)
    assert d2.status == "corroboration" and d2.development_id == d1.development_id and not d2.alert
    alerts = [decode(Alert, r.value) for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)]
    assert [a.revision for a in alerts] == [0, 1] and alerts[1].corroborations[0].url == b.url


def test_the_decider_reads_feedback_in_order_with_the_articles(kafka):
    from schemas import Feedback
    from tests.test_decide import AR_SIGNED, FA_KNOWN_MEETING, TR_SIGNED

    settings = kafka.model_copy(update={"partitions": 1})
    create_topics(settings)
    inbound, feedback = settings.topic(Topics.EXTRACTED), settings.topic(Topics.FEEDBACK)
    decisions = lambda n: [decode(Decision, r.value) for r in  # noqa: E731
                           records(settings, settings.topic(Topics.DECISIONS), at_least=n, timeout=90)]
    stage = Background(lambda stop: run_decider(settings, stop))
    try:
        for article in (FA_KNOWN_MEETING, TR_SIGNED):
            send(settings, inbound, article.canonical_url, encode(article))
        quiet, signed = decisions(2)
        assert quiet.status == "known" and signed.status == "new_development"
        for word in (Feedback(target="article", url=quiet.url, verdict="was_new", title=FA_KNOWN_MEETING.title),
                     Feedback(target="development", development_id=signed.development_id, verdict="not_new")):
            send(settings, feedback, word.key, encode(word))
        raised = decisions(3)[2]
        assert raised.status == "new_development" and raised.url == quiet.url and "feedback" in raised.reason
        send(settings, inbound, AR_SIGNED.canonical_url, encode(AR_SIGNED))
        report = decisions(4)[3]
    finally:
        stage.stop()
    assert report.status == "known" and report.development_id == signed.development_id
    alerts = [decode(Alert, r.value) for r in records(settings, settings.topic(Topics.ALERTS), timeout=0)]
    assert [(a.alert_id, a.revision) for a in alerts] == [(signed.development_id, 0), (raised.development_id, 0)]
