"""`newsmon dlq list|replay` and the page's "send back" button: a dead letter's original bytes go back to the topic
they came from, under their original key, for another try; the replay is recorded (a compacted topic keyed by the
letter's id), so a letter is sent back once unless asked again."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

from kafka import KafkaProducer

from newsmon.settings import Settings
from newsmon.stream import create_topics, make_producer
from newsmon.view.follow import read_topics
from newsmon.view.model import Letter, View, topic_kinds
from schemas import DeadLetterReplay, Topics, encode


def load_letters(settings: Settings) -> list[Letter]:
    create_topics(settings)
    view = View(settings.namespace)
    kinds = {t: k for t, k in topic_kinds(settings.namespace).items() if k in ("dlq", "replays")}
    for r in read_topics(settings, {t: None for t in kinds}):
        view.apply(kinds[r.topic], r.timestamp, r.key, r.value, topic=r.topic, partition=r.partition, offset=r.offset)
    return view.dead_letters()


def replay(settings: Settings, letters: list[Letter], producer: KafkaProducer | None = None) -> list[str]:
    """Send each letter's original record back; returns the ids sent. Raises when Kafka does not take them."""
    own = producer is None
    producer = producer or make_producer(settings)
    try:
        futures = []
        for item in letters:
            letter = item.letter
            key = base64.b64decode(letter.key_b64).decode("utf-8", "replace") if letter.key_b64 else None
            futures.append(producer.send(letter.topic, key=key, value=letter.original_value()))
        producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises if the broker refused it: nothing is recorded as replayed
        now = datetime.now(timezone.utc)
        for item in letters:
            record = DeadLetterReplay(letter_id=item.id, topic=item.letter.topic, replayed_at=now)
            producer.send(settings.topic(Topics.DLQ_REPLAYS), key=item.id, value=encode(record))
        producer.flush()
        return [item.id for item in letters]
    finally:
        if own:
            producer.close()


def select(letters: list[Letter], ids: list[str], *, everything: bool, again: bool) -> tuple[list[Letter], list[str]]:
    """The letters to send back and the ids asked for that are not dead letters."""
    by_id = {x.id: x for x in letters}
    unknown = [i for i in ids if i not in by_id]
    chosen = [by_id[i] for i in ids if i in by_id] if ids else (letters if everything else [])
    return [x for x in chosen if again or x.replayed is None], unknown


def render(letters: list[Letter]) -> str:
    if not letters:
        return "no dead letters"
    lines = []
    for x in letters:
        state = f"sent back {x.replayed.replayed_at:%Y-%m-%d %H:%M}Z" if x.replayed else "waiting"
        lines.append(f"{x.id}  {x.letter.stage}  {x.letter.failed_at:%Y-%m-%d %H:%M}Z  {state}\n    {x.letter.error[:300]}")
    return "\n".join(lines)
