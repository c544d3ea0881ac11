"""One poll of one feed: conditional GET, parse, and the entries not published before. Pure given `fetcher`.

Every outcome is recorded on the feed's state from a closed set (FeedStatus), like miniflux records feed errors.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from enum import Enum
from typing import Callable

from newsmon.fetch import Fetched, FetchError, fetch
from producers.feed_parse import FeedEntry, parse_feed
from schemas import DiscoveredArticle, FeedState

log = logging.getLogger(__name__)
SEEN_LIMIT = 5000  # entries remembered per feed: far more than any feed lists at once


class FeedStatus(str, Enum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    NOT_A_FEED = "not_a_feed"
    BAD_URL = "bad_url"
    FORBIDDEN_ADDRESS = "forbidden_address"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"
    HTTP_ERROR = "http_error"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"


Fetcher = Callable[..., Fetched]


def _oldest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Publish in the order things happened, whatever order the feed lists them in (most list newest first;
    undated entries keep that convention and come after the dated ones)."""
    undated = [e for e in reversed(entries) if e.published is None]
    dated = sorted((e for e in entries if e.published is not None), key=lambda e: e.published)
    return dated + undated


def poll_feed(feed_url: str, state: FeedState | None, *, allow_private: bool, timeout: float = 15.0,
              fetcher: Fetcher = fetch) -> tuple[list[DiscoveredArticle], FeedState]:
    """The new entries to publish and the feed's next state (to save only after they are published)."""
    state = state or FeedState(feed_url=feed_url)
    now = datetime.now(timezone.utc)
    try:
        got = fetcher(feed_url, allow_private=allow_private, timeout=timeout, etag=state.etag,
                      last_modified=state.last_modified)
    except FetchError as exc:
        log.warning("feed %s: %s", feed_url, exc)
        return [], state.model_copy(update={"last_status": FeedStatus(exc.kind.value).value, "last_error": str(exc),
                                            "checked_at": now, "failures": state.failures + 1})
    if got.status == 304:
        return [], state.model_copy(update={"last_status": FeedStatus.NOT_MODIFIED.value, "last_error": "",
                                            "checked_at": now, "failures": 0})
    parsed = parse_feed(got.body, base_url=got.url, content_type=got.content_type)
    if parsed.problem:
        log.warning("feed %s: %s", feed_url, parsed.problem)
        return [], state.model_copy(update={"last_status": FeedStatus.NOT_A_FEED.value,
                                            "last_error": parsed.problem, "checked_at": now,
                                            "failures": state.failures + 1})
    seen = set(state.seen)
    new: list[DiscoveredArticle] = []
    for entry in _oldest_first(parsed.entries):
        if entry.canonical_url in seen:
            continue
        seen.add(entry.canonical_url)
        new.append(DiscoveredArticle(url=entry.url, canonical_url=entry.canonical_url, feed_url=feed_url,
                                     title=entry.title, summary=entry.summary, published=entry.published))
    remembered = (list(state.seen) + [a.canonical_url for a in new])[-SEEN_LIMIT:]
    return new, state.model_copy(update={
        "etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified"), "seen": remembered,
        "last_status": FeedStatus.OK.value, "last_error": "", "checked_at": now, "failures": 0})
