"""Sending people's feedback (the page's buttons, `newsmon feedback`): one record on the compacted feedback topic,
keyed by its target, which the decider reads in order with the articles (consumers/decide/feedback.py)."""
from __future__ import annotations

from kafka import KafkaProducer

from newsmon.settings import Settings
from newsmon.stream import create_topics, make_producer
from schemas import Feedback, Topics, encode


def send_feedback(settings: Settings, feedback: Feedback, producer: KafkaProducer | None = None) -> Feedback:
    own = producer is None
    if own:
        create_topics(settings)
    producer = producer or make_producer(settings)
    try:
        producer.send(settings.topic(Topics.FEEDBACK), key=feedback.key, value=encode(feedback)).get(timeout=30)
    finally:
        if own:
            producer.close()
    return feedback
