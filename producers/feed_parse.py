"""Feed bytes → entries (feedparser). Pure: no network, no Kafka.

Ill-formed feeds are the rule, not the exception: feedparser's "bozo" flag alone does not reject a feed that still
yielded entries; a document with no feed structure at all (an HTML page, a JSON error) is rejected with a reason.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

from newsmon.urls import canonical_url


@dataclass(frozen=True)
class FeedEntry:
    url: str
    canonical_url: str
    title: str
    summary: str
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[FeedEntry]
    title: str = ""
    problem: str | None = None  # set when the document is not a feed


def parse_feed(body: bytes, *, base_url: str, content_type: str = "") -> ParsedFeed:
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    entries = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):
            continue  # an entry without a fetchable link cannot become an article
        entries.append(FeedEntry(url=link, canonical_url=canonical_url(link), title=_text(entry.get("title")),
                                 summary=_text(entry.get("summary"))[:2000], published=_when(entry)))
    if not entries and not parsed.get("version"):
        why = parsed.get("bozo_exception")
        return ParsedFeed([], problem=f"not a feed ({type(why).__name__}: {why})" if why else "not a feed")
    return ParsedFeed(entries, title=_text(parsed.feed.get("title")))


def _text(value: object) -> str:
    return str(value or "").strip()


def _when(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if stamp:
            try:
                return datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc)
            except (OverflowError, ValueError):
                continue
    return None
