"""The producer's thin Kafka loop: poll every feed, publish new entries, then save the feed's state.

The feed states live on a compacted topic (latest per feed URL), so a restarted producer publishes nothing twice.
An entry is marked seen only after its record was flushed (rss2email's rule).
"""
from __future__ import annotations

import logging
import time

from newsmon.settings import Settings
from newsmon.stream import StopFlag, beat, create_topics, make_producer, read_all
from producers.feed_poll import poll_feed
from schemas import FeedState, Topics, decode, encode

log = logging.getLogger(__name__)


def load_feed_states(settings: Settings) -> dict[str, FeedState]:
    states: dict[str, FeedState] = {}
    for _key, value in read_all(settings, settings.topic(Topics.FEED_STATE)):
        try:
            state = decode(FeedState, value)
        except ValueError as exc:
            log.warning("skipping an unreadable feed state: %s", exc)
            continue
        states[state.feed_url] = state
    return states


def feed_urls(settings: Settings) -> list[str]:
    """NEWSMON_FEEDS, or the topic folder's feeds.txt (one URL a line, # comments)."""
    if settings.feeds:
        return list(settings.feeds)
    listing = settings.topic_dir / "feeds.txt"
    if not listing.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in listing.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def run_producer(settings: Settings, stop: StopFlag, *, once: bool = False) -> None:
    create_topics(settings)
    producer = make_producer(settings)
    states = load_feed_states(settings)
    # One seen-set across feeds: the same article listed by two feeds is published once.
    published = {url for s in states.values() for url in s.seen}
    urls = feed_urls(settings)
    if not urls:
        log.warning("producer: no feeds configured (NEWSMON_FEEDS or %s/feeds.txt)", settings.topic_dir)
    try:
        while not stop.is_set():
            began = time.monotonic()
            for url in urls:
                if stop.is_set():
                    break
                new, state = poll_feed(url, states.get(url), allow_private=settings.allow_private_networks,
                                       timeout=settings.fetch_timeout)
                fresh = [a for a in new if a.canonical_url not in published]
                for article in fresh:
                    producer.send(settings.topic(Topics.DISCOVERED), key=article.canonical_url, value=encode(article))
                producer.flush()
                producer.send(settings.topic(Topics.FEED_STATE), key=url, value=encode(state))
                producer.flush()
                states[url] = state
                published.update(a.canonical_url for a in fresh)
                log.info("feed %s: %s, %d new", url, state.last_status, len(fresh))
            if once:
                break
            while not stop.is_set() and time.monotonic() - began < settings.poll_seconds:
                beat(settings)
                stop.wait(min(5.0, max(0.0, settings.poll_seconds - (time.monotonic() - began))))
    finally:
        producer.flush()
        producer.close()
