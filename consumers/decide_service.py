"""The decider's thin Kafka loop: extracted → decide → decisions, alerts and the decider's changelog.

The decider is one logical instance with one view of everything known. Its state is event-sourced: every change is
a StateRecord on a compacted topic, written before the input offsets are committed, and replayed at start-up, so
a restarted or moved decider continues exactly where the last one stopped.
"""
from __future__ import annotations

import logging

from consumers.decide import DeciderState, decide, load_topic
from newsmon.settings import Settings
from newsmon.stream import Output, StopFlag, create_topics, make_producer, read_all, run_loop
from schemas import ExtractedArticle, StateRecord, Topics, decode

log = logging.getLogger(__name__)


def restore_state(settings: Settings) -> DeciderState:
    state = DeciderState(load_topic(settings.topic_dir))
    restored = 0
    for _key, value in read_all(settings, settings.topic(Topics.DECIDER_STATE)):
        state.apply(decode(StateRecord, value))
        restored += 1
    log.info("decide: state restored from %d changelog records", restored)
    return state


def make_decide_handler(settings: Settings, state: DeciderState):
    def handle(_key: bytes | None, value: bytes) -> list[Output]:
        article = decode(ExtractedArticle, value)
        outcome = decide(article, state)
        outputs = [Output(settings.topic(Topics.DECIDER_STATE), r.key, r) for r in outcome.records]
        outputs.append(Output(settings.topic(Topics.DECISIONS), article.canonical_url, outcome.decision))
        if outcome.alert is not None:
            outputs.append(Output(settings.topic(Topics.ALERTS), outcome.alert.alert_id, outcome.alert))
        for record in outcome.records:
            state.apply(record)
        log.info("decide: %s %s %s", outcome.decision.status, outcome.decision.development_id or "-", article.url)
        return outputs

    return handle


def run_decider(settings: Settings, stop: StopFlag) -> None:
    create_topics(settings)
    state = restore_state(settings)
    run_loop(settings, stage="decide", topic=settings.topic(Topics.EXTRACTED), handler=make_decide_handler(settings, state),
             producer=make_producer(settings), stop=stop)
