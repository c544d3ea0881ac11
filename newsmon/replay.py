"""`newsmon replay`: articles from a JSONL file through the same stage functions as the consumers
(extract → decide), in order, without Kafka and without sending anything; one decision per line out.

Input line: {"url", "published", "html"} or {"url", "published", "text", "title"}.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence

from consumers.decide import DeciderState, decide, load_topic
from consumers.enrich import enrich
from consumers.extract import Rejected, extract_article
from consumers.language import detect_language
from newsmon.progress import progress
from newsmon.urls import canonical_url
from schemas import Decision, ExtractedArticle

log = logging.getLogger(__name__)


def _published(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def to_article(row: dict) -> ExtractedArticle | Rejected:
    """An input line as the extract stage would publish it (extracted and enriched)."""
    article = _extracted(row)
    return article if isinstance(article, Rejected) else enrich(article)


def _extracted(row: dict) -> ExtractedArticle | Rejected:
    url = str(row.get("url") or "")
    if not url:
        return Rejected("input line has no url")
    published = _published(row.get("published"))
    if row.get("html"):
        return extract_article(row["html"], url, published)
    text = str(row.get("text") or "").strip()
    if not text:
        return Rejected("input line has neither html nor text")
    title = str(row.get("title") or "")
    return ExtractedArticle(url=url, canonical_url=canonical_url(url), title=title, text=text,
                            language=row.get("language") or detect_language(f"{title}\n{text}"),
                            published=published)


def replay(rows: Iterable[dict], topic_dirs: Path | Sequence[Path]) -> Iterator[Decision]:
    """Each row decided against every topic, in order: one decision per row and topic (with its `topic`).

    The same steps as the decide stage (consumers.decide_service.decide_outputs): extraction and what does not
    depend on the topic once per article, then each topic's judgement against its own state."""
    from consumers.decide_service import TopicState, decide_outputs

    dirs = [topic_dirs] if isinstance(topic_dirs, (str, Path)) else list(topic_dirs)
    states = []
    for folder in dirs:
        topic = load_topic(Path(folder))
        states.append(TopicState(topic.id, DeciderState(topic)))
    if len({t.id for t in states}) != len(states):
        raise ValueError(f"two topic folders have the same id: {[t.id for t in states]}")
    settings = OfflineNames()
    for row in rows:
        article = to_article(row)
        if isinstance(article, Rejected):
            for t in states:
                yield Decision(url=str(row.get("url") or ""), topic=t.id, on_topic=False, status="off_topic",
                               reason=f"rejected: {article.reason}")
            continue
        for out in decide_outputs(settings, states, article):
            if isinstance(out.message, Decision):
                yield out.message


class OfflineNames:
    """What decide_outputs asks of the settings (topic names), without Kafka (replay, the benchmarks)."""

    @staticmethod
    def topic(spec) -> str:
        return spec.name


def replay_file(source: IO[str], sink: IO[str], topic_dirs: Sequence[Path]) -> int:
    def rows() -> Iterator[dict]:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                log.error("replay: line %d is not JSON (%s); it gets a rejected decision", number, exc)
                yield {"url": f"line:{number}"}

    count = 0
    for decision in progress(replay(rows(), topic_dirs), "replay: deciding"):
        out = decision.model_dump(mode="json", exclude={"schema_version"})
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
        count += 1
    return count
