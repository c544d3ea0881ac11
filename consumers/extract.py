"""Extraction stage: a page's bytes in, the article's own text and metadata out (trafilatura).

"Rejected" is an outcome with a reason (not an article, too short), not an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import trafilatura
from trafilatura.settings import Extractor

from consumers.language import detect_language
from newsmon.urls import canonical_url
from schemas import ExtractedArticle

MIN_TEXT_CHARS = 200
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_HTML_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([A-Za-z-]+)", re.I)
# trafilatura's own date search is only a fallback (the feed's date is what the publisher says), so its extensive
# search, which doubles the cost of a page, is off.
_OPTIONS = dict(with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
                date_extraction_params={"extensive_search": False, "original_date": True})


@dataclass(frozen=True)
class Rejected:
    reason: str


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
                    feed_url: str | None = None, content_type: str = "") -> ExtractedArticle | Rejected:
    """Pure: the same page always gives the same article (except `extracted_at`)."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    text_html = decode_page(html, content_type) if isinstance(html, bytes) else html
    if not text_html.strip():
        return Rejected("empty page")
    try:
        doc = trafilatura.bare_extraction(text_html, url=url, **_OPTIONS)
    except Exception as exc:  # trafilatura raises on some malformed trees; for us that page has no article
        return Rejected(f"unparseable page: {type(exc).__name__}: {exc}")
    if doc is None or not (doc.text or "").strip():
        return Rejected("no article text found on the page")
    text = doc.text.strip()
    if len(text) < MIN_TEXT_CHARS:
        return Rejected(f"article text too short ({len(text)} chars)")
    lang_hint = _HTML_LANG.search(raw[:4096])
    language = detect_language(f"{doc.title or ''}\n{text}", lang_hint.group(1).decode() if lang_hint else None)
    return ExtractedArticle(
        url=url, canonical_url=canonical_url(url), feed_url=feed_url, title=(doc.title or "").strip(), text=text,
        language=language, published=published or _parse_date(doc.date), sitename=doc.sitename or None)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
