"""The decider's thin Kafka loop: extracted → decide → decisions, alerts and the decider's changelog.

The decider is one logical instance with one view of everything known. Its state is event-sourced: every change is
a StateRecord on a compacted topic, written before the input offsets are committed, and read back whenever this
instance becomes the active one, so a restarted or moved decider continues exactly where the last one stopped.
More instances may run: the group gives every partition to one of them and the others stand by.
"""
from __future__ import annotations

import logging

from kafka import ConsumerRebalanceListener

from consumers.decide import DeciderState, decide, load_topic
from consumers.decide.feedback import apply_feedback
from newsmon.settings import Settings
from newsmon.stream import Output, StopFlag, Transient, create_topics, make_producer, read_all, run_loop
from schemas import ExtractedArticle, Feedback, StateRecord, Topics, decode

log = logging.getLogger(__name__)


def restore_state(settings: Settings) -> DeciderState:
    state = DeciderState(load_topic(settings.topic_dir))
    restored = 0
    for _key, value in read_all(settings, settings.topic(Topics.DECIDER_STATE)):
        state.apply(decode(StateRecord, value))
        restored += 1
    log.info("decide: state restored from %d changelog records", restored)
    return state


class ActiveDecider(ConsumerRebalanceListener):
    """Holds the state while this instance owns the input; rebuilds it from the changelog each time it takes over.

    The rebuild happens at the first record after an assignment, in the stage's own thread, not in the rebalance
    callback: kafka-python runs that callback on its network thread, where a long rebuild would hold back the
    heartbeats and, with a short session timeout, cost the decider its membership mid-rebuild."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.state: DeciderState | None = None
        self.active = False

    def on_partitions_assigned(self, assigned) -> None:
        if assigned:
            self.state, self.active = None, True  # rebuilt from the changelog before the next record
            log.info("decide: active for %d partitions", len(assigned))
        else:
            log.info("decide: standing by (another instance is active)")

    def on_partitions_revoked(self, revoked) -> None:
        if revoked:
            self.state, self.active = None, False  # whoever takes over writes the changelog from now on

    def _active_state(self) -> DeciderState:
        if not self.active:  # a record can only arrive for partitions we own, after on_partitions_assigned
            raise RuntimeError("decider got a record while not active")
        if self.state is None:
            try:
                self.state = restore_state(self.settings)
            except Exception as exc:  # noqa: BLE001 - Kafka's problem, not the record's: wait, never dead-letter
                raise Transient(f"the decider's state could not be read back yet: {exc}") from exc
        return self.state

    def handle(self, _key: bytes | None, value: bytes) -> list[Output]:
        return decide_outputs(self.settings, self._active_state(), decode(ExtractedArticle, value))

    def handle_feedback(self, _key: bytes | None, value: bytes) -> list[Output]:
        """People's feedback, read in the same group as the articles, so it takes effect in order with them."""
        return feedback_outputs(self.settings, self._active_state(), decode(Feedback, value))


def feedback_outputs(settings: Settings, state: DeciderState, feedback: Feedback) -> list[Output]:
    outcome = apply_feedback(state, feedback)
    outputs = [Output(settings.topic(Topics.DECIDER_STATE), r.key, r) for r in outcome.records]
    if outcome.decision is not None:
        outputs.append(Output(settings.topic(Topics.DECISIONS), outcome.records[0].data["url"], outcome.decision))
    if outcome.alert is not None:
        outputs.append(Output(settings.topic(Topics.ALERTS), outcome.alert.alert_id, outcome.alert))
    for record in outcome.records:
        state.apply(record)
    log.info("decide: feedback %s: %s", feedback.verdict, outcome.note)
    return outputs


def decide_outputs(settings: Settings, state: DeciderState, article: ExtractedArticle) -> list[Output]:
    outcome = decide(article, state)
    outputs = [Output(settings.topic(Topics.DECIDER_STATE), r.key, r) for r in outcome.records]
    outputs.append(Output(settings.topic(Topics.DECISIONS), article.canonical_url, outcome.decision))
    if outcome.alert is not None:
        outputs.append(Output(settings.topic(Topics.ALERTS), outcome.alert.alert_id, outcome.alert))
    for record in outcome.records:
        state.apply(record)
    log.info("decide: %s %s %s", outcome.decision.status, outcome.decision.development_id or "-", article.url)
    return outputs


def run_decider(settings: Settings, stop: StopFlag) -> None:
    create_topics(settings)
    active = ActiveDecider(settings)
    run_loop(settings, stage="decide", topic=settings.topic(Topics.EXTRACTED), handler=active.handle,
             producer=make_producer(settings), stop=stop, single_active=True, listener=active,
             more={settings.topic(Topics.FEEDBACK): active.handle_feedback})
