"""One poll of one feed: conditional GET, parse, turn entries into discovered articles, schedule the next poll.
Pure given `fetcher` and the clock (`now`).

Every outcome is recorded on the feed's state from a closed set (FeedStatus), like miniflux records feed errors;
a failed poll never raises. Which of the entries are new is not decided here but by the producer's memory
(producers.memory), which sees every feed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Callable, NamedTuple

from newsmon.fetch import Fetched, FetchError, NetworkPolicy, fetch
from newsmon.urls import canonical_url
from producers import google_news
from producers.feed_parse import FeedEntry, ParsedFeed, host_of, parse_feed
from producers.schedule import Schedule, freshness_hint, next_poll_at, next_wait
from producers.search import FeedKind, SearchServices, feed_kind, feed_language, strip_publisher, unwrap_redirect
from schemas import DiscoveredArticle, FeedState

log = logging.getLogger(__name__)
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks differ; a date a little ahead is not a lie
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


class FeedStatus(str, Enum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    NOT_A_FEED = "not_a_feed"
    BAD_URL = "bad_url"
    FORBIDDEN_ADDRESS = "forbidden_address"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    HTTP_ERROR = "http_error"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    RESOLVER_FAILED = "resolver_failed"  # Google News' link decoder could not be used: the poll is retried
    INTERNAL_ERROR = "internal_error"  # a bug in newsmon: logged with its traceback


@dataclass(frozen=True)
class PollConfig:
    allow_private: "bool | NetworkPolicy" = False  # which non-public addresses may be fetched
    timeout: float = 15.0
    services: SearchServices = field(default_factory=SearchServices)
    schedule: Schedule = field(default_factory=Schedule)


class PollResult(NamedTuple):
    articles: list[DiscoveredArticle]  # every entry the feed lists now, oldest first
    state: FeedState  # the feed's next state (to save only after the new articles are published)


Fetcher = Callable[..., Fetched]
AliasLookup = Callable[[str], str | None]  # an aggregator link → the canonical URL it was resolved to before


def poll_feed(feed_url: str, state: FeedState | None, *, config: PollConfig = PollConfig(),
              fetcher: Fetcher = fetch, known_alias: AliasLookup = lambda _link: None,
              now: datetime | None = None) -> PollResult:
    now = now or datetime.now(timezone.utc)
    kind = feed_kind(feed_url, config.services)
    state = state or FeedState(feed_url=feed_url)
    state = state.model_copy(update={"kind": kind.value, "checked_at": now, "polls": state.polls + 1})
    try:
        got = fetcher(feed_url, allow_private=config.allow_private, timeout=config.timeout, etag=state.etag,
                      last_modified=state.last_modified, accept=FEED_ACCEPT)
    except FetchError as exc:
        return PollResult([], _failed(state, FeedStatus(exc.kind.value), str(exc), config, exc.retry_after, now))
    hint = freshness_hint(got.headers, None, now)
    if got.status == 304:
        return PollResult([], _succeeded(state, FeedStatus.NOT_MODIFIED, config, hint, now))
    parsed = parse_feed(got.body, base_url=got.url, content_type=got.content_type)
    if parsed.problem:
        return PollResult([], _failed(state, FeedStatus.NOT_A_FEED, parsed.problem, config, None, now))
    try:
        articles = _articles(feed_url, kind, parsed, config, fetcher, known_alias, now)
    except google_news.ResolverDown as exc:
        # The validators are not kept: the next poll fetches the feed again and retries every link.
        return PollResult([], _failed(state, FeedStatus.RESOLVER_FAILED, str(exc), config, None, now))
    hint = freshness_hint(got.headers, parsed.ttl_seconds, now)
    done = _succeeded(state, FeedStatus.OK, config, hint, now)
    return PollResult(articles, done.model_copy(update={"etag": got.headers.get("etag"),
                                                        "last_modified": got.headers.get("last-modified")}))


def _articles(feed_url: str, kind: FeedKind, parsed: ParsedFeed, config: PollConfig, fetcher: Fetcher,
              known_alias: AliasLookup, now: datetime) -> list[DiscoveredArticle]:
    """The feed's entries as discovered articles: publisher URLs, canonical keys, checked dates."""
    entries = parsed.entries
    query_language = feed_language(feed_url, kind)
    links: dict[str, str] = {}  # entry link → publisher URL
    unresolved: set[str] = set()
    if kind is FeedKind.GOOGLE_NEWS:
        entries = [replace(e, title=strip_publisher(e.title, e.site_name)) for e in entries]
        links, unresolved = _resolve_google(entries, config, fetcher, known_alias)
    elif kind is FeedKind.BING_NEWS:
        links = {e.url: unwrap_redirect(e.url) for e in entries}
    out = []
    for entry in _oldest_first(entries):
        target = links.get(entry.url, entry.url)
        resolved = entry.url not in unresolved
        published, date_status = entry.published, entry.date_status
        if published is not None and published > now + FUTURE_TOLERANCE:
            published, date_status = None, "future"  # the page's own date is used downstream instead
        out.append(DiscoveredArticle(
            url=target, canonical_url=canonical_url(target), feed_url=feed_url, feed_urls=[feed_url],
            title=entry.title, summary=entry.summary, published=published, date_status=date_status,
            site=entry.site or (host_of(target) if resolved else ""), site_name=entry.site_name,
            language=entry.language or query_language or parsed.language, resolved=resolved,
            aggregator_url=entry.url if target != entry.url or not resolved else "", discovered_at=now))
    return out


def _resolve_google(entries: list[FeedEntry], config: PollConfig, fetcher: Fetcher,
                    known_alias: AliasLookup) -> tuple[dict[str, str], set[str]]:
    """Publisher URLs for the links not resolved before (each costs Google two requests, so never twice)."""
    links: dict[str, str] = {}
    fresh, given_up = [], set()
    for entry in entries:
        key = canonical_url(entry.url)
        known = known_alias(key)
        if known == key:
            given_up.add(entry.url)  # Google had no URL for it last time: published unresolved once, not retried
        elif known:
            links[entry.url] = known
        else:
            fresh.append(entry.url)
    if not fresh:
        return links, given_up
    outcome = google_news.resolve_links(fresh, base=config.services.google_news_url, fetcher=fetcher,
                                        allow_private=config.allow_private, timeout=config.timeout)
    for link, why in outcome.unresolved.items():
        log.info("google news link stays unresolved (%s): %s", why, link)
    return {**links, **outcome.resolved}, given_up | set(outcome.unresolved)


def _succeeded(state: FeedState, status: FeedStatus, config: PollConfig, hint: float | None,
               now: datetime) -> FeedState:
    wait = next_wait(config.schedule, failures=0, hint=hint, feed_url=state.feed_url, polls=state.polls)
    return state.model_copy(update={"last_status": status.value, "last_error": "", "failures": 0,
                                    "last_success_at": now, "interval_seconds": round(wait, 1),
                                    "next_poll_at": next_poll_at(now, wait)})


def _failed(state: FeedState, status: FeedStatus, error: str, config: PollConfig, retry_after: float | None,
            now: datetime) -> FeedState:
    failures = state.failures + 1
    wait = next_wait(config.schedule, failures=failures, hint=retry_after, feed_url=state.feed_url,
                     polls=state.polls)
    # A feed fails now and then (a timeout, a 503); it is reported as failing only after several in a row.
    level = logging.WARNING if failures >= config.schedule.failing_after else logging.INFO
    log.log(level, "feed %s: %s (failure %d in a row; next try in %.0fs)", state.feed_url, error, failures, wait)
    return state.model_copy(update={"last_status": status.value, "last_error": error[:1000], "failures": failures,
                                    "interval_seconds": round(wait, 1), "next_poll_at": next_poll_at(now, wait)})


def _oldest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Publish in the order things happened, whatever order the feed lists them in (most list newest first;
    undated entries keep that convention and come after the dated ones)."""
    undated = [e for e in reversed(entries) if e.published is None]
    dated = sorted((e for e in entries if e.published is not None), key=lambda e: e.published)
    return dated + undated

