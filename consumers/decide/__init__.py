"""Match + decide: is an article on topic, known, announced or new; one alert per development, in any language.

The pipeline, as its modules name it: `reading` (read the lead: events with kind, modality, participants, object and
date), `knowledge` (find what is known of each), `core` (choose the outcome and write it down), `headline` (the
alert's words). The language layer is `consumers.languages`, the kinds of development `consumers.catalogue`, the
story `consumers.topics`.

Public API (the Kafka loop and `newsmon replay` call these):
    load_topic(folder) -> Topic
    DeciderState(topic); state.apply(record)
    decide(article, state) -> Outcome(decision, alert, records)
"""
from consumers.decide.core import DeciderState, Outcome, decide
from consumers.decide.event import Event
from consumers.topics.model import Topic, load_topic

__all__ = ["DeciderState", "Event", "Outcome", "Topic", "decide", "load_topic"]
