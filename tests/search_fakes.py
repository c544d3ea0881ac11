"""Local servers that answer like the three search services (they cannot exist here): GDELT DOC 2.0 artlist
(JSON and RSS), Google News RSS search with its encoded article links plus the article page and batchexecute
endpoint that googlenewsdecoder speaks to, and Bing News RSS with apiclick redirect links.

Each holds `stories`: (title, publisher URL, publisher name, language, published) that it lists; `down` makes it
answer like an unhealthy service.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.servers import Request, Route, Site


@dataclass
class Story:
    title: str
    url: str
    site_name: str
    language: str = "en"
    published: datetime = field(default_factory=lambda: datetime(2024, 10, 1, 9, 30, tzinfo=timezone.utc))

    @property
    def domain(self) -> str:
        return (urlsplit(self.url).hostname or "").removeprefix("www.")


GDELT_LANGUAGE = {"en": "English", "de": "German", "ru": "Russian", "fa": "Persian", "is": "Icelandic"}


class GdeltFake:
    """`/api/v2/doc/doc?query=… sourcelang:x&mode=artlist&format=json|rss`."""

    path = "/api/v2/doc/doc"

    def __init__(self, site: Site):
        self.site, self.stories, self.down = site, [], None  # down: None, "rate_limited", "text_error"
        site.responders[self.path] = self.answer

    @property
    def url(self) -> str:
        return self.site.url(self.path)

    def answer(self, request: Request) -> Route:
        if self.down == "rate_limited":
            return Route(b"Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com "
                         b"for larger queries.", status=429, content_type="text/html", headers={"Retry-After": "900"})
        if self.down == "text_error":  # GDELT answers some bad queries with 200 and a sentence of plain text
            return Route(b"The specified phrase is too short.", content_type="text/html; charset=utf-8")
        params = parse_qs(urlsplit(request.path).query)
        query = params.get("query", [""])[0]
        language = next((t.split(":", 1)[1] for t in query.split() if t.startswith("sourcelang:")), None)
        chosen = [s for s in self.stories if language is None or GDELT_LANGUAGE[s.language].lower() == language]
        if params.get("format", ["html"])[0] == "rss":
            items = "".join(f"<item><title>{escape(s.title)}</title><link>{escape(s.url)}</link>"
                            f"<pubDate>{format_datetime(s.published)}</pubDate><guid>{escape(s.url)}</guid></item>"
                            for s in chosen)
            return Route(f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>GDELT</title>'
                         f'{items}</channel></rss>'.encode(), content_type="application/rss+xml")
        if not chosen:
            return Route(b"{}", content_type="application/json")
        articles = [{"url": s.url, "url_mobile": "", "title": s.title, "seendate": s.published.strftime("%Y%m%dT%H%M%SZ"),
                     "socialimage": "", "domain": s.domain, "language": GDELT_LANGUAGE[s.language],
                     "sourcecountry": "Iran"} for s in chosen]
        return Route(json.dumps({"articles": articles}).encode(), content_type="application/json; charset=utf-8")


class GoogleNewsFake:
    """RSS search at `/rss/search`, article pages at `/rss/articles/<id>` carrying the signature and timestamp,
    and `POST /_/DotsSplashUi/data/batchexecute` answering `garturlres` rows."""

    def __init__(self, site: Site):
        self.site, self.stories = site, []
        self.decoder_down = False
        self.unknown: set[str] = set()  # publisher URLs Google "has no URL for" (its answer omits them)
        site.responders["/rss/search"] = self.search
        site.responders["/rss/articles/"] = self.article_page
        site.responders["/_/DotsSplashUi/data/batchexecute"] = self.batchexecute

    @property
    def base(self) -> str:
        return self.site.base

    @staticmethod
    def token(story: Story) -> str:
        return "CBMi" + base64.urlsafe_b64encode(story.url.encode()).decode().rstrip("=")

    def _by_token(self, token: str) -> Story | None:
        return next((s for s in self.stories if self.token(s) == token), None)

    @staticmethod
    def signature(token: str) -> str:
        return "AU_yqL" + token[-8:]

    def search(self, request: Request) -> Route:
        hl = parse_qs(urlsplit(request.path).query).get("hl", ["en-US"])[0].split("-")[0]
        items = []
        for s in (s for s in self.stories if s.language == hl):
            link = f"{self.base}/rss/articles/{self.token(s)}?oc=5"
            description = (f'<a href="{link}" target="_blank">{escape(s.title)}</a>&nbsp;&nbsp;'
                           f'<font color="#6f6f6f">{escape(s.site_name)}</font>')
            items.append(f"<item><title>{escape(s.title)} - {escape(s.site_name)}</title><link>{link}</link>"
                         f'<guid isPermaLink="false">{self.token(s)}</guid><pubDate>{format_datetime(s.published)}'
                         f"</pubDate><description>{escape(description)}</description>"
                         f'<source url="https://{s.domain}">{escape(s.site_name)}</source></item>')
        return Route(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" '
                      'xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator>'
                      f'<title>"query" - Google News</title><language>{hl}</language>'
                      f'{"".join(items)}</channel></rss>').encode(), content_type="application/xml; charset=utf-8")

    def article_page(self, request: Request) -> Route:
        token = urlsplit(request.path).path.rsplit("/", 1)[1]
        if self._by_token(token) is None:
            return Route(b"Not found", status=404)
        # The interstitial page: JavaScript in a real browser, and the attributes the decoder reads.
        return Route(f'<!doctype html><html><body><c-wiz><div jscontroller="aLI87" data-n-a-sg="{self.signature(token)}"'
                     f' data-n-a-ts="1727774400" data-n-a-id="{token}"></div></c-wiz>'
                     f'<script>window.location="/articles/{token}"</script></body></html>'.encode())

    def batchexecute(self, request: Request) -> Route:
        if self.decoder_down or request.method != "POST":
            return Route(b"<html><body>Server Error</body></html>", status=500)
        envelopes = json.loads(unquote(request.body.decode().split("=", 1)[1]))[0]
        rows = []
        for _rpc, inner, _none, req_id in envelopes:
            _name, _ctx, token, timestamp, signature = json.loads(inner)
            story = self._by_token(token)
            if story is None or story.url in self.unknown or signature != self.signature(token) or timestamp != 1727774400:
                continue
            rows.append(["wrb.fr", "Fbv4je", json.dumps(["garturlres", story.url, 1]), None, None, None, req_id])
        rows += [["di", 42], ["af.httprm", 41, "-1234", 7]]
        return Route((")]}'\n\n" + json.dumps(rows)).encode(), content_type="application/json; charset=utf-8")


class BingNewsFake:
    """`/news/search?q=…&format=rss&mkt=…` with `apiclick.aspx` links and the publisher in News:Source."""

    path = "/news/search"

    def __init__(self, site: Site):
        self.site, self.stories = site, []
        site.responders[self.path] = self.answer

    @property
    def url(self) -> str:
        return self.site.url(self.path)

    def answer(self, request: Request) -> Route:
        query = parse_qs(urlsplit(request.path).query)
        market = query.get("mkt", ["en-US"])[0].split("-")[0]
        ns = f"https://www.bing.com:443/news/search?q={quote(query.get('q', [''])[0])}&amp;format=rss"
        items = "".join(
            f"<item><title>{escape(s.title)}</title><link>http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid="
            f"&amp;tid=66FB{i:04d}&amp;url={bing_escape(s.url)}&amp;c=1234&amp;mkt={market}-de</link>"
            f"<description>{escape(s.title)}: the first lines of the article.</description>"
            f"<pubDate>{format_datetime(s.published)}</pubDate><News:Source>{escape(s.site_name)}</News:Source></item>"
            for i, s in enumerate(s for s in self.stories if s.language == market))
        return Route((f'<?xml version="1.0" encoding="utf-8" ?><rss version="2.0" xmlns:News="{ns}"><channel>'
                      f"<title>q - BingNews</title><link>https://www.bing.com/news/search?q=q</link>"
                      f"<description>Search results</description>{items}</channel></rss>").encode(),
                     content_type="application/rss+xml; charset=utf-8")


def bing_escape(url: str) -> str:
    """Bing writes the publisher URL percent-encoded with lower-case escapes (https%3a%2f%2f…)."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(url, safe=""))
