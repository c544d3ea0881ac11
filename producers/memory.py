"""The producer's memory of what it published: one entry per article, shared by every feed. Pure (no Kafka).

- The same article listed by two feeds (or twice by one) is published once, naming every feed that listed it in
  that round.
- An article whose title changes later is published again under the same key with `revision` raised. A title
  counts as changed only when it was never published for that article: two feeds that title one article
  differently do not make it flap between revisions.
- Aggregator links already resolved (Google News tokens) map to the article they led to, so no link is sent to
  the decoder twice.

`admit` decides and changes nothing; `remember` records an article once its record is durable (rss2email's rule:
an entry is seen only after it was delivered), and returns the memory record to save.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from newsmon.urls import canonical_url
from schemas import DiscoveredArticle, SeenArticle

_SPACE = re.compile(r"\s+")


def title_key(title: str) -> str:
    """A short hash of the title as a reader sees it: case, accents' encoding and white space do not count."""
    folded = _SPACE.sub(" ", unicodedata.normalize("NFKC", title)).strip().casefold()
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=6).hexdigest()


class ArticleMemory:
    def __init__(self) -> None:
        self.articles: dict[str, SeenArticle] = {}
        self.aliases: dict[str, str] = {}  # canonical aggregator link → canonical article URL

    def load(self, records: Iterable[SeenArticle]) -> None:
        for record in records:
            self.articles[record.canonical_url] = record
            for alias in record.aliases:
                self.aliases[alias] = record.canonical_url

    def load_legacy_seen(self, urls: Iterable[str]) -> None:
        """Feed states written before this memory existed listed their published URLs."""
        for url in urls:
            self.articles.setdefault(url, SeenArticle(canonical_url=url))

    def alias(self, link: str) -> str | None:
        return self.aliases.get(link)

    def __contains__(self, canonical_url: str) -> bool:
        return canonical_url in self.articles

    def __len__(self) -> int:
        return len(self.articles)

    def admit(self, candidates: Iterable[DiscoveredArticle]) -> list[DiscoveredArticle]:
        """The records to publish now, in the order first met: new articles (revision 0) and new titles of known
        ones (revision + 1); each names every feed of `candidates` that listed it."""
        chosen: dict[str, DiscoveredArticle] = {}
        feeds: dict[str, list[str]] = {}
        for article in candidates:
            key = article.canonical_url
            listed = feeds.setdefault(key, [])
            listed.extend(f for f in article.feed_urls or [article.feed_url] if f not in listed)
            if key in chosen:
                continue
            known = self.articles.get(key)
            if known is None:
                chosen[key] = article.model_copy(update={"revision": 0})
            elif article.title and known.title_keys and title_key(article.title) not in known.title_keys:
                chosen[key] = article.model_copy(update={"revision": known.revision + 1})
        return [a.model_copy(update={"feed_urls": feeds[key]}) for key, a in chosen.items()]

    def remember(self, article: DiscoveredArticle) -> SeenArticle:
        known = self.articles.get(article.canonical_url)
        keys = list(known.title_keys) if known else []
        if article.title and title_key(article.title) not in keys:
            keys.append(title_key(article.title))
        aliases = list(known.aliases) if known else []
        if article.aggregator_url:
            link = _alias_key(article.aggregator_url)
            if link not in aliases:
                aliases.append(link)
                self.aliases[link] = article.canonical_url
        feeds = list(known.feed_urls) if known else []
        feeds.extend(f for f in article.feed_urls if f not in feeds)
        record = SeenArticle(canonical_url=article.canonical_url, revision=max(article.revision,
                             known.revision if known else 0), title_keys=keys[-20:], feed_urls=feeds[-20:],
                             aliases=aliases[-5:],
                             first_seen_at=known.first_seen_at if known else article.discovered_at)
        self.articles[article.canonical_url] = record
        return record


def _alias_key(link: str) -> str:
    return canonical_url(link)
