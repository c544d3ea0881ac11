"""Search feeds: the topic's queries per language turned into GDELT DOC 2.0, Google News RSS and Bing News RSS
feed URLs, and what each service's entries need before they are articles (the publisher's URL out of a redirect
link, the publisher's name off a title). Pure: no network.

The services' addresses are settings, so that a deployment (or a test) can point them elsewhere; a feed URL is
recognised as a service's by its address.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

LOCALES_FILE = Path(__file__).with_name("search_locales.toml")
GDELT_TIMESPAN = "1d"  # the window each poll asks for: a day covers a producer that was down for hours
GDELT_MAX_RECORDS = 250  # GDELT's maximum per request


class FeedKind(str, Enum):
    FEED = "feed"  # an outlet's own RSS/Atom/JSON Feed
    GDELT = "gdelt"
    GOOGLE_NEWS = "google_news"
    BING_NEWS = "bing_news"


@dataclass(frozen=True)
class SearchServices:
    gdelt_url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    google_news_url: str = "https://news.google.com"
    bing_news_url: str = "https://www.bing.com/news/search"
    enabled: tuple[str, ...] = ("gdelt", "google_news", "bing_news")


@lru_cache(maxsize=1)
def locales() -> dict[str, dict]:
    with LOCALES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def search_feed_urls(queries: dict[str, list[str]], services: SearchServices) -> list[str]:
    """Every search feed for `queries` (language code → query strings), in a stable order, without repeats."""
    urls: list[str] = []
    english = queries.get("en") or []
    for language, own in queries.items():
        locale = locales().get(language, {})
        if "gdelt" in services.enabled and locale.get("gdelt"):
            for query in english or own:  # GDELT matches the English translation of every article
                urls.append(gdelt_url(services, query, locale["gdelt"]))
        if "google_news" in services.enabled and locale.get("google"):
            urls.extend(google_news_url(services, query, locale["google"]) for query in own)
        if "bing_news" in services.enabled and locale.get("bing"):
            urls.extend(bing_news_url(services, query, locale["bing"]) for query in own)
    return list(dict.fromkeys(urls))


def gdelt_url(services: SearchServices, query: str, sourcelang: str) -> str:
    q = quote(f"{query} sourcelang:{sourcelang}", safe="")
    return (f"{services.gdelt_url}?query={q}&mode=artlist&format=json&sort=datedesc"
            f"&timespan={GDELT_TIMESPAN}&maxrecords={GDELT_MAX_RECORDS}")


def google_news_url(services: SearchServices, query: str, edition: dict) -> str:
    return (f"{services.google_news_url.rstrip('/')}/rss/search?q={quote_plus(query + ' when:1d')}"
            f"&hl={edition['hl']}&gl={edition['gl']}&ceid={quote(edition['ceid'], safe='')}")


def bing_news_url(services: SearchServices, query: str, market: str) -> str:
    return f"{services.bing_news_url}?q={quote_plus(query)}&format=rss&mkt={market}"


def _same_endpoint(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.hostname, a.port) == (b.hostname, b.port) and a.path.startswith(b.path.rstrip("/"))


def feed_kind(url: str, services: SearchServices) -> FeedKind:
    if _same_endpoint(url, services.gdelt_url):
        return FeedKind.GDELT
    if _same_endpoint(url, services.google_news_url.rstrip("/") + "/rss"):
        return FeedKind.GOOGLE_NEWS
    if _same_endpoint(url, services.bing_news_url):
        return FeedKind.BING_NEWS
    return FeedKind.FEED


def feed_language(url: str, kind: FeedKind) -> str | None:
    """The language a search feed was asked for (the entries' language hint)."""
    params = parse_qs(urlsplit(url).query)
    if kind is FeedKind.GOOGLE_NEWS and params.get("hl"):
        return params["hl"][0].split("-")[0].lower()
    if kind is FeedKind.BING_NEWS and params.get("mkt"):
        return params["mkt"][0].split("-")[0].lower()
    if kind is FeedKind.GDELT and params.get("query"):
        for term in params["query"][0].split():
            if term.lower().startswith("sourcelang:"):
                name = term.split(":", 1)[1].lower()
                return next((code for code, loc in locales().items() if loc.get("gdelt") == name), None)
    return None


def unwrap_redirect(link: str) -> str:
    """Bing News links are `…/news/apiclick.aspx?…&url=<publisher URL>&…` redirects: the publisher's URL."""
    parts = urlsplit(link)
    if parts.path.lower().endswith("/apiclick.aspx"):
        target = parse_qs(parts.query).get("url", [""])[0]
        if target.startswith(("http://", "https://")):
            return target
    return link


def strip_publisher(title: str, site_name: str) -> str:
    """Google News titles end with " - Publisher": the headline without it (the publisher is kept apart)."""
    if site_name and title.endswith(f" - {site_name}"):
        return title[: -len(site_name) - 3].rstrip()
    return title
