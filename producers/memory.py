"""The producer's memory of what it published, shared by every feed. Pure (no Kafka).

- The same article listed by two feeds (or twice by one) is published once, naming every feed that listed it in
  that round.
- An article whose title changes later is published again under the same key with `revision` raised. A title
  counts as changed only when it was never published for that article: two feeds that title one article
  differently do not make it flap between revisions.
- Aggregator links already resolved (Google News tokens) map to the article they led to, so no link is sent to
  the decoder twice.

It is kept per feed (the articles each feed listed, bounded): a feed's record is rewritten only when the feed lists
something new to it, so the 304s and the unchanged listings of a thousand feeds cost nothing, and a restart reads
one record per feed. `admit` decides and changes nothing; `remember` records an article once its record is durable
(rss2email's rule: an entry is seen only after it was delivered); `listed` notes what each feed listed and says
which feeds' records to save.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from newsmon.urls import canonical_url
from schemas import DiscoveredArticle, FeedMemory, SeenArticle

_SPACE = re.compile(r"\s+")
PER_FEED = 1000  # articles remembered per feed: GDELT lists 250 at most, Google News 100


def title_key(title: str) -> str:
    """A short hash of the title as a reader sees it: case, Unicode forms and white space do not count."""
    folded = _SPACE.sub(" ", unicodedata.normalize("NFKC", title)).strip().casefold()
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=6).hexdigest()


class ArticleMemory:
    def __init__(self, per_feed: int = PER_FEED) -> None:
        self.per_feed = per_feed
        self.articles: dict[str, SeenArticle] = {}
        self.aliases: dict[str, str] = {}  # canonical aggregator link → canonical article URL
        self.feeds: dict[str, dict[str, None]] = {}  # feed URL → the articles it listed, oldest first
        self._dropped = 0

    def load(self, records: Iterable[FeedMemory]) -> None:
        for record in records:
            listing = self.feeds.setdefault(record.feed_url, {})
            for seen in record.articles:
                listing[seen.canonical_url] = None
                self._merge(seen)

    def load_legacy_seen(self, feed_url: str, urls: Iterable[str]) -> None:
        """Feed states written before this memory existed listed their published URLs."""
        listing = self.feeds.setdefault(feed_url, {})
        for url in urls:
            listing[url] = None
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
                chosen[key] = article
            elif article.title and known.title_keys and title_key(article.title) not in known.title_keys:
                chosen[key] = article.model_copy(update={"revision": known.revision + 1})
        return [a if a.feed_urls == feeds[key] else a.model_copy(update={"feed_urls": feeds[key]})
                for key, a in chosen.items()]

    def remember(self, article: DiscoveredArticle) -> None:
        """`article` was published: its title, revision and aggregator link become known."""
        known = self.articles.get(article.canonical_url)
        keys = list(known.title_keys) if known else []
        if article.title and title_key(article.title) not in keys:
            keys.append(title_key(article.title))
        aliases = list(known.aliases) if known else []
        if article.aggregator_url:
            link = canonical_url(article.aggregator_url)
            if link not in aliases:
                aliases.append(link)
        self._merge(SeenArticle(canonical_url=article.canonical_url, title_keys=keys[-20:], aliases=aliases[-5:],
                                revision=max(article.revision, known.revision if known else 0),
                                first_seen_at=known.first_seen_at if known else article.discovered_at))

    def listed(self, feed_url: str, canonical_urls: Iterable[str], published: Iterable[str] = ()) -> bool:
        """Note what a feed lists (only articles already remembered); True when its record must be saved, i.e.
        it lists something new to it, or something of it was published again."""
        listing = self.feeds.setdefault(feed_url, {})
        changed = any(url in listing for url in published)
        for url in canonical_urls:
            if url not in listing and url in self.articles:
                listing[url] = None
                changed = True
        while len(listing) > self.per_feed:
            del listing[next(iter(listing))]
            self._dropped += 1
        return changed

    def prune(self, every: int = 10_000) -> int:
        """Forget the articles no feed lists any more (after `every` drops), so a long-running producer's memory
        stays the size of its feeds' listings. Returns how many were forgotten."""
        if self._dropped < every:
            return 0
        self._dropped = 0
        listed = {url for listing in self.feeds.values() for url in listing}
        gone = [url for url in self.articles if url not in listed]
        for url in gone:
            for alias in self.articles.pop(url).aliases:
                self.aliases.pop(alias, None)
        return len(gone)

    def feed_record(self, feed_url: str) -> FeedMemory:
        listing = self.feeds.get(feed_url, {})
        return FeedMemory(feed_url=feed_url, articles=[self.articles[url] for url in listing if url in self.articles])

    def _merge(self, seen: SeenArticle) -> None:
        known = self.articles.get(seen.canonical_url)
        if known is not None and known != seen:
            seen = SeenArticle(canonical_url=seen.canonical_url, revision=max(known.revision, seen.revision),
                               title_keys=list(dict.fromkeys(known.title_keys + seen.title_keys))[-20:],
                               aliases=list(dict.fromkeys(known.aliases + seen.aliases))[-5:],
                               first_seen_at=min(known.first_seen_at, seen.first_seen_at))
        self.articles[seen.canonical_url] = seen
        for alias in seen.aliases:
            self.aliases[alias] = seen.canonical_url
