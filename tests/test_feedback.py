"""People's feedback as the decider applies it: a dismissed development's reports stay quiet, a quiet article
marked "this was new" raises a development that alerts and gathers its reports; a restarted decider (the state
rebuilt from the changelog records) decides the same; a feedback message applied twice changes nothing."""
import pytest
from pydantic import ValidationError

from consumers.decide import DeciderState, load_topic
from consumers.decide.feedback import apply_feedback
from schemas import Feedback, StateRecord
from tests.test_decide import AR_SIGNED, FA_KNOWN_MEETING, TOPIC_DIR, TR_SIGNED, art, run

EN_MEETING = art("en-ashgabat", "en", "Putin and Pezeshkian meet in Ashgabat",
                 "Russian President Vladimir Putin and Iranian President Masoud Pezeshkian met on the sidelines of an "
                 "international forum in Ashgabat. The two leaders discussed developments in the Middle East.",
                 "2024-10-11")
RU_SIGNED = art("ru-signed", "ru", "Путин и Пезешкиан подписали договор",
                "Президент России Владимир Путин и президент Ирана Масуд Пезешкиан в пятницу подписали в Кремле "
                "договор о всеобъемлющем стратегическом партнерстве.")


@pytest.fixture(scope="module")
def topic():
    return load_topic(TOPIC_DIR)


def give(state: DeciderState, feedback: Feedback, log: list[StateRecord] | None = None):
    outcome = apply_feedback(state, feedback)
    for record in outcome.records:
        state.apply(record)
        if log is not None:
            log.append(record)
    return outcome


def test_reports_of_a_dismissed_development_stay_quiet_until_the_dismissal_is_withdrawn(topic):
    state = DeciderState(topic)
    first = run(state, TR_SIGNED)
    dev = first.decision.development_id
    dismissed = give(state, Feedback(target="development", development_id=dev, verdict="not_new"))
    assert [r.kind for r in dismissed.records] == ["feedback"] and dismissed.alert is None
    quiet = run(state, AR_SIGNED)
    assert quiet.decision.status == "known" and quiet.alert is None and quiet.decision.development_id == dev
    assert "marked not new by feedback" in quiet.decision.reason
    assert give(state, Feedback(target="development", development_id=dev, verdict="not_new")).records == []
    give(state, Feedback(target="development", development_id=dev, verdict="withdrawn"))
    loud = run(state, RU_SIGNED)
    assert loud.decision.status == "corroboration" and loud.alert.alert_id == dev and loud.alert.revision == 1


def test_off_topic_feedback_makes_the_reports_off_topic(topic):
    state = DeciderState(topic)
    dev = run(state, TR_SIGNED).decision.development_id
    give(state, Feedback(target="development", development_id=dev, verdict="off_topic"))
    later = run(state, AR_SIGNED)
    assert later.decision.status == "off_topic" and later.alert is None


def test_a_quiet_article_marked_new_raises_a_development_that_alerts_and_gathers_its_reports(topic):
    state = DeciderState(topic)
    log: list[StateRecord] = []
    quiet = run(state, FA_KNOWN_MEETING)
    log += quiet.records
    assert quiet.decision.status == "known"
    raised = give(state, Feedback(target="article", url=FA_KNOWN_MEETING.url, verdict="was_new",
                                  title=FA_KNOWN_MEETING.title), log)
    alert = raised.alert
    assert alert is not None and alert.revision == 0 and alert.kind == "talks"
    assert alert.first_source.url == FA_KNOWN_MEETING.url and alert.evidence_language == "fa"
    assert alert.evidence and "پوتین" in alert.evidence
    assert raised.decision.status == "new_development" and raised.decision.alert
    assert raised.decision.development_id == alert.alert_id and "raised by feedback" in raised.decision.reason
    # a redelivery of the same feedback raises nothing more
    assert apply_feedback(state, Feedback(target="article", url=FA_KNOWN_MEETING.url, verdict="was_new")).records == []
    report = run(state, EN_MEETING)
    assert report.decision.status == "corroboration" and report.alert.alert_id == alert.alert_id
    # A restarted decider rebuilds the same state from the changelog and decides the report the same way.
    rebuilt = DeciderState(topic)
    for record in log:
        rebuilt.apply(record)
    again = run(rebuilt, EN_MEETING)
    assert again.decision.status == "corroboration" and again.decision.development_id == alert.alert_id
    without = run(DeciderState(topic), EN_MEETING)
    assert without.decision.status == "known", "without the feedback the report is known: the feedback decides"


def test_feedback_on_what_the_decider_does_not_know_changes_nothing(topic):
    state = DeciderState(topic)
    assert apply_feedback(state, Feedback(target="article", url="https://x.example/a", verdict="was_new")).records == []
    assert apply_feedback(state, Feedback(target="development", development_id="dev-0", verdict="not_new")).records == []


def test_feedback_must_fit_its_target():
    with pytest.raises(ValidationError):
        Feedback(target="development", verdict="not_new")
    with pytest.raises(ValidationError):
        Feedback(target="article", url="https://x.example/a", verdict="not_new")
    assert Feedback(target="article", url="https://x.example/a", verdict="was_new").key == "article:https://x.example/a"
