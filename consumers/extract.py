"""Extraction stage: a page's bytes in, the article's own text and metadata out (trafilatura).

"Rejected" is an outcome with a reason (not an article, too short, a consent wall, a paywall stub, a bot challenge),
not an exception.

Speed: the page is parsed once; trafilatura extracts from that tree in its fast mode (which scored higher than its
default on the real-page snippets, at about 1.5× the speed), without its metadata pass. The little metadata we
keep (title, site name) is read from the same tree; the page's date only when the feed gave none; the language is
detected once, on text we keep; pages rejected early cost no extraction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_sitename, extract_title
from trafilatura.utils import load_html

from consumers import walls
from consumers.language import detect_language
from newsmon.urls import canonical_url
from schemas import ExtractedArticle

MIN_TEXT_CHARS = 200
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_HTML_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([A-Za-z-]+)", re.I)
_OPTIONS = dict(fast=True, with_metadata=False, include_comments=False, include_tables=True)
ZWNJ = "\u200c"
# trafilatura drops every non-printable character, U+200C ZERO WIDTH NON-JOINER with them; in Persian it is part
# of the spelling (می‌شود, "becomes"), so it is carried through extraction as a printable stand-in.
_ZWNJ_STAND_IN = "\ufffc"


@dataclass(frozen=True)
class Rejected:
    reason: str
    kind: str = "no_article"  # no_article, empty, unparseable, too_short, consent_wall, paywall, captcha


def decode_page(body: bytes, content_type: str = "") -> str:
    """Bytes to text: the declared charset if it decodes, else UTF-8, else charset detection."""
    declared = _CHARSET.search(content_type or "")
    candidates = [declared.group(1)] if declared else []
    head = body[:4096]
    meta = _CHARSET.search(head.decode("ascii", "ignore"))
    if meta:
        candidates.append(meta.group(1))
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes  # a trafilatura dependency

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")


def extract_article(html: str | bytes, url: str, published: datetime | None = None, *,
                    feed_url: str | None = None, content_type: str = "", fetched_url: str | None = None,
                    language_hint: str | None = None) -> ExtractedArticle | Rejected:
    """Pure: the same page always gives the same article (except `extracted_at`). `fetched_url` is where the
    fetch ended after redirects (a consent wall is often a redirect); `language_hint` the feed's language."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    text_html = decode_page(html, content_type) if isinstance(html, bytes) else html
    if not text_html.strip():
        return Rejected("empty page", "empty")
    wall = walls.before_extraction(raw, fetched_url or url)
    if wall:
        return Rejected(wall[1], wall[0])
    guarded = ZWNJ in text_html and _ZWNJ_STAND_IN not in text_html
    if guarded:
        text_html = text_html.replace(ZWNJ, _ZWNJ_STAND_IN)
    try:
        tree = load_html(text_html)
        doc = trafilatura.bare_extraction(tree, url=url, **_OPTIONS) if tree is not None else None
    except Exception as exc:  # trafilatura raises on some malformed trees; for us that page has no article
        return Rejected(f"unparseable page: {type(exc).__name__}: {exc}", "unparseable")
    text = (doc.text or "").strip() if doc is not None else ""
    wall = walls.after_extraction(raw, text)
    if wall:
        return Rejected(wall[1], wall[0])
    if not text:
        return Rejected("no article text found on the page")
    if len(text) < MIN_TEXT_CHARS:
        return Rejected(f"article text too short ({len(text)} chars)", "too_short")
    title, sitename = _title_and_site(tree)
    if guarded:
        text, title = text.replace(_ZWNJ_STAND_IN, ZWNJ), title.replace(_ZWNJ_STAND_IN, ZWNJ)
    hint = language_hint or _html_lang(raw)
    return ExtractedArticle(
        url=url, canonical_url=canonical_url(url), feed_url=feed_url, title=title, text=text,
        language=detect_language(f"{title}\n{text}", hint), published=published or _page_date(tree, url),
        sitename=sitename)


def _title_and_site(tree) -> tuple[str, str | None]:
    """The title and site name from the page's meta tags (Open Graph, Twitter, …), else its <title>/<h1>."""
    meta = examine_meta(tree)
    title = meta.title or extract_title(tree) or ""
    sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@").strip() or None
    return title.strip(), sitename


def _page_date(tree, url: str) -> datetime | None:
    """The page's own publication date: only asked for when the feed gave none (it is the costlier step)."""
    try:
        value = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - htmldate raises on odd trees; the article simply has no date
        return None
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _html_lang(raw: bytes) -> str | None:
    found = _HTML_LANG.search(raw[:4096])
    return found.group(1).decode() if found else None
