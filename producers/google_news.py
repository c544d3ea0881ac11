"""Google News item links → publisher URLs.

Since 2024 a Google News RSS link (`/rss/articles/CBMi…`) no longer redirects to the publisher: its page is a
JavaScript interstitial. googlenewsdecoder knows the current protocol (read the signature and timestamp off the
article's page, then ask the batchexecute endpoint for the URL, many ids in one POST); we use its protocol helpers
and do the HTTP ourselves, through newsmon's fetcher: the same guards, timeouts and per-host limit as everything
else, and the endpoint's address a setting.

Two kinds of failure: Google answers but has no URL for an id (that entry stays unresolved, kept with its title,
source and summary, never fetched as if Google's page were the article), or the endpoint cannot be reached or
answers nonsense (ResolverDown: the whole poll is retried later, nothing is published unresolved for an outage).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from googlenewsdecoder import _parse as protocol

from newsmon.fetch import FetchError

log = logging.getLogger(__name__)
GOOGLE_HOST = "https://news.google.com"
BATCH_PATH = "/_/DotsSplashUi/data/batchexecute"


class ResolverDown(Exception):
    """The decoding endpoint could not be used at all (unreachable, refused, unreadable answer)."""


@dataclass(frozen=True)
class Resolution:
    resolved: dict[str, str]  # Google link → publisher URL
    unresolved: dict[str, str]  # Google link → why not


def article_id(link: str, base: str) -> str | None:
    """The id of a Google News article link on `base` (`…/rss/articles/ID`, `…/articles/ID`, `…/read/ID`)."""
    parts, home = urlsplit(link), urlsplit(base)
    if (parts.hostname, parts.port) != (home.hostname, home.port):
        return None
    segments = parts.path.rstrip("/").split("/")
    if len(segments) >= 2 and segments[-2] in ("articles", "read") and segments[-1]:
        return segments[-1]
    return None


def resolve_links(links: list[str], *, base: str, fetcher, allow_private, timeout: float) -> Resolution:
    """Resolve every Google News link in `links` with one batch request. Raises ResolverDown."""
    resolved: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    pending: list[tuple[int, str, str, str]] = []  # (index, id, timestamp, signature), the decoder's shape
    ids = [article_id(link, base) for link in links]
    for index, (link, art_id) in enumerate(zip(links, ids)):
        if art_id is None:
            unresolved[link] = "not a Google News article link"
            continue
        page_url = protocol.params_page_url(art_id, link).replace(GOOGLE_HOST, base.rstrip("/"), 1)
        try:
            page = fetcher(page_url, allow_private=allow_private, timeout=timeout)
        except FetchError as exc:
            if exc.kind.value == "not_found":
                unresolved[link] = f"Google has no page for it ({exc})"
                continue
            raise ResolverDown(f"article page: {exc}") from exc
        signature = protocol.parse_signature(page.body.decode("utf-8", "replace"))
        if signature is None:
            unresolved[link] = "no signature on Google's article page"
            continue
        pending.append((index, art_id, signature[1], signature[0]))
    if pending:
        results = [protocol.err("pending") for _ in links]
        body = protocol.build_batchexecute_body([(str(i), a, ts, sg) for i, a, ts, sg in pending])
        try:
            answer = fetcher(base.rstrip("/") + BATCH_PATH, allow_private=allow_private, timeout=timeout,
                             method="POST", body=body.encode("utf-8"),
                             content_type="application/x-www-form-urlencoded;charset=UTF-8")
            pairs = protocol.parse_batchexecute(answer.body.decode("utf-8", "replace"))
        except FetchError as exc:
            raise ResolverDown(f"batchexecute: {exc}") from exc
        except (ValueError, IndexError, TypeError, KeyError, json.JSONDecodeError) as exc:
            raise ResolverDown(f"batchexecute answered something unreadable: {exc}") from exc
        protocol.apply_decoded(results, pending, pairs)
        for index, *_ in pending:
            result, link = results[index], links[index]
            url = result.get("decoded_url") if result.get("success") else None
            if url and str(url).startswith(("http://", "https://")):
                resolved[link] = url
            else:
                unresolved[link] = result.get("message") or "no URL in Google's answer"
    return Resolution(resolved, unresolved)
