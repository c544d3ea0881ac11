"""Match + decide: is an article on topic, known or new; one alert per development, in any language.

Public API (the Kafka loop and `newsmon replay` call these):
    load_topic(folder) -> Topic
    DeciderState(topic); state.apply(record)
    decide(article, state) -> Outcome(decision, alert, records)
"""
from consumers.decide.core import DeciderState, Outcome, decide
from consumers.decide.topic import Kind, Topic, load_topic

__all__ = ["DeciderState", "Kind", "Outcome", "Topic", "decide", "load_topic"]
