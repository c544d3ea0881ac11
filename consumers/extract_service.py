"""The extraction stage's thin Kafka loop: discovered → fetch page → extract → enrich → extracted.

A page that is gone (404), forbidden, too large or holds no article (a consent wall, a paywall stub, a bot
challenge) is a rejection: logged and recorded on articles.rejected with its reason, so that every discovered article
is accounted for. An aggregator's link that could not be resolved is never fetched (rejected as "unresolved"). A page
that cannot be fetched for now (timeout, 5xx) raises, so the loop retries and finally dead-letters it.
"""
from __future__ import annotations

import logging

from consumers.enrich import enrich
from consumers.extract import Rejected, extract_article
from newsmon.fetch import FetchError, fetch, set_host_limit
from newsmon.settings import Settings
from newsmon.stream import Output, StopFlag, create_topics, make_producer, run_loop
from schemas import DiscoveredArticle, RejectedArticle, Topics, decode

log = logging.getLogger(__name__)


def make_extract_handler(settings: Settings):
    policy = settings.network_policy
    rejected_topic = settings.topic(Topics.REJECTED)

    def rejection(found: DiscoveredArticle, kind: str, reason: str) -> list[Output]:
        record = RejectedArticle(url=found.url, canonical_url=found.canonical_url, feed_url=found.feed_url,
                                 kind=kind, reason=reason[:1000])
        return [Output(rejected_topic, found.canonical_url, record)]

    def handle(_key: bytes | None, value: bytes) -> list[Output]:
        found = decode(DiscoveredArticle, value)
        if not found.resolved:
            # An aggregator's link we could not resolve: its page is the aggregator's, not the article.
            log.info("extract: not fetching unresolved aggregator link %s (%s)", found.url, found.title)
            return rejection(found, "unresolved", "an aggregator's link with no publisher URL")
        try:
            page = fetch(found.url, allow_private=policy, timeout=settings.fetch_timeout)
        except FetchError as exc:
            if exc.kind.retryable:
                raise
            log.warning("extract: rejected %s: %s", found.url, exc)
            return rejection(found, exc.kind.value, exc.detail)
        article = extract_article(page.body, found.url, found.published, feed_url=found.feed_url,
                                  content_type=page.content_type, fetched_url=page.url,
                                  language_hint=found.language)
        if isinstance(article, Rejected):
            log.info("extract: rejected %s (%s): %s", found.url, article.kind, article.reason)
            return rejection(found, article.kind, article.reason)
        if not article.title and found.title:
            article = article.model_copy(update={"title": found.title})
        # Keep the key of the discovered record so an article stays on one partition end to end.
        article = article.model_copy(update={"canonical_url": found.canonical_url})
        article = enrich(article)  # what the decider needs that does not depend on the story, computed here
        return [Output(settings.topic(Topics.EXTRACTED), found.canonical_url, article)]

    return handle


def run_extractor(settings: Settings, stop: StopFlag) -> None:
    create_topics(settings)
    set_host_limit(settings.host_concurrency)
    run_loop(settings, stage="extract", topic=settings.topic(Topics.DISCOVERED), handler=make_extract_handler(settings),
             producer=make_producer(settings), stop=stop, max_records=10)  # each page may take a fetch timeout
