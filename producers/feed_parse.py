"""Feed bytes → entries. Pure: no network, no Kafka.

RSS and Atom go through feedparser; JSON Feed (jsonfeed.org) and GDELT's DOC API JSON (`mode=artlist&format=json`)
are read here, since feedparser reads neither. Ill-formed feeds are the rule, not the exception: feedparser's "bozo"
flag alone does not reject a feed that still yielded entries; a document with no feed structure at all (an HTML
page, a JSON error, GDELT's plain-text complaints) is rejected with a reason that quotes its start.

Dates: a date the parser could not read is tried once more with dateparser (feeds write dates in their own
language); what still fails is flagged "unparseable", a missing one "missing". Whether a date lies in the future is
decided at publication time (feed_poll), against the clock.
"""
from __future__ import annotations

import calendar
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser

MAX_SUMMARY = 2000
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    url: str  # the entry's link as the feed gives it (an aggregator's token for Google News)
    title: str
    summary: str
    published: datetime | None
    date_status: str = "ok"  # ok, missing, unparseable
    site: str = ""  # the publisher's host when the feed names it (<source url>, GDELT's domain)
    site_name: str = ""  # the publisher's name when the feed names it (<source>, News:Source)
    language: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[FeedEntry]
    title: str = ""
    problem: str | None = None  # set when the document is not a feed
    ttl_seconds: float | None = None  # RSS <ttl>: how long the publisher says the feed may be cached
    language: str | None = None


def parse_feed(body: bytes, *, base_url: str, content_type: str = "") -> ParsedFeed:
    head = body[:64].lstrip()
    if head.startswith((b"{", b"\xef\xbb\xbf{")) or "json" in content_type.lower():
        return _parse_json(body)
    return _parse_xml(body, base_url, content_type)


def _parse_xml(body: bytes, base_url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    # No sanitising: every field leaves here as plain text (tags stripped), which is cheaper and safer still. No
    # resolving of relative links inside content either (a sixth of the parse): only the entry's link is made
    # absolute, below.
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    feed_language = language_code(parsed.feed.get("language"))
    base = parsed.get("href") or base_url
    entries = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if link and not link.startswith(("http://", "https://")):
            link = urljoin(base, link)
        if not link.startswith(("http://", "https://")):
            continue  # an entry without a fetchable link cannot become an article
        published, date_status = _entry_date(entry)
        source = entry.get("source") or {}
        site_name = plain(source.get("title") or entry.get("news_source") or "")
        language = language_code((entry.get("title_detail") or {}).get("language")) or feed_language
        entries.append(FeedEntry(url=link, title=plain(entry.get("title")),
                                 summary=plain(entry.get("summary"))[:MAX_SUMMARY], published=published,
                                 date_status=date_status, site=host_of(source.get("href") or ""),
                                 site_name=site_name, language=language))
    if not entries and not parsed.get("version"):
        return ParsedFeed([], problem=_not_a_feed(body, parsed.get("bozo_exception")))
    return ParsedFeed(entries, title=plain(parsed.feed.get("title")), ttl_seconds=_ttl(parsed.feed.get("ttl")),
                      language=feed_language)


def _parse_json(body: bytes) -> ParsedFeed:
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ParsedFeed([], problem=_not_a_feed(body, exc))
    if not isinstance(doc, dict):
        return ParsedFeed([], problem=_not_a_feed(body, None))
    if "articles" in doc or doc == {}:  # GDELT artlist; `{}` is its answer when nothing matched
        return ParsedFeed([e for e in map(_gdelt_entry, doc.get("articles") or []) if e is not None])
    if "jsonfeed.org" in str(doc.get("version", "")) or isinstance(doc.get("items"), list):
        language = language_code(doc.get("language"))
        items = [e for e in (_json_feed_entry(i, language) for i in doc.get("items") or []) if e is not None]
        return ParsedFeed(items, title=plain(doc.get("title")), language=language)
    return ParsedFeed([], problem=_not_a_feed(body, None))


def _gdelt_entry(item: object) -> FeedEntry | None:
    if not isinstance(item, dict) or not str(item.get("url", "")).startswith(("http://", "https://")):
        return None
    published, status = None, "missing"
    seen = str(item.get("seendate") or "")
    if seen:
        try:  # GDELT writes 20240101T101500Z: when its crawler saw the article, the closest it has to a date
            published, status = datetime.strptime(seen, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc), "ok"
        except ValueError:
            status = "unparseable"
    return FeedEntry(url=item["url"], title=plain(item.get("title")), summary="", published=published,
                     date_status=status, site=host_of(f"http://{item.get('domain')}") if item.get("domain") else "",
                     language=language_code(str(item.get("language") or "")))


def _json_feed_entry(item: object, language: str | None) -> FeedEntry | None:
    if not isinstance(item, dict):
        return None
    link = str(item.get("url") or item.get("external_url") or "")
    if not link.startswith(("http://", "https://")):
        return None
    raw = item.get("date_published") or item.get("date_modified")
    published, status = (None, "missing") if not raw else _read_date(str(raw))
    summary = item.get("summary") or item.get("content_text") or plain(item.get("content_html"))
    return FeedEntry(url=link, title=plain(item.get("title")), summary=plain(summary)[:MAX_SUMMARY],
                     published=published, date_status=status, language=language_code(item.get("language")) or language)


def _entry_date(entry) -> tuple[datetime | None, str]:
    for key in ("published", "updated", "created"):
        stamp = dict.get(entry, f"{key}_parsed")  # the plain dict: feedparser's key aliases warn when looked up
        if stamp:
            try:
                return datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc), "ok"
            except (OverflowError, ValueError):
                continue
    raw = dict.get(entry, "published") or dict.get(entry, "updated") or dict.get(entry, "created")
    return (None, "missing") if not raw else _read_date(str(raw))


def _read_date(raw: str) -> tuple[datetime | None, str]:
    """A date string in any format or language, as aware UTC."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        import dateparser  # slow to import; most feeds never need it

        value = dateparser.parse(raw, settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True,
                                                "TO_TIMEZONE": "UTC"})
        if value is None:
            return None, "unparseable"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc), "ok"


_GDELT_LANGUAGES = {"english": "en", "german": "de", "dutch": "nl", "french": "fr", "spanish": "es",
                    "italian": "it", "polish": "pl", "romanian": "ro", "bulgarian": "bg", "russian": "ru",
                    "ukrainian": "uk", "turkish": "tr", "greek": "el", "icelandic": "is", "persian": "fa",
                    "arabic": "ar", "portuguese": "pt", "chinese": "zh", "japanese": "ja", "hebrew": "he"}


def language_code(value: object) -> str | None:
    """`en-US`, `de_DE`, `German` (GDELT) → ISO 639-1, or None."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text in _GDELT_LANGUAGES:
        return _GDELT_LANGUAGES[text]
    code = re.split(r"[-_]", text, maxsplit=1)[0]
    return code if len(code) == 2 and code.isalpha() else None


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def plain(value: object) -> str:
    """Feed text as plain text: tags dropped, entities decoded, white space collapsed."""
    text = str(value or "")
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def _ttl(value: object) -> float | None:
    try:
        minutes = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def _not_a_feed(body: bytes, why: object) -> str:
    start = plain(body[:300].decode("utf-8", "replace"))[:120]
    reason = f" ({type(why).__name__}: {why})" if why else ""
    return f"not a feed{reason}; it begins: {start!r}"
