"""Which feeds the producer polls: the configured list (NEWSMON_FEEDS, or the union of every followed topic's
direct feeds and the search feeds built from its queries), changed at run time by the followed topics
(`newsmon topic add/remove`) and by the operator's commands (`newsmon feeds add/remove`).

A topic's queries come from `[queries]` in `<topic>/topic.toml` (one list per language code) when it has them;
otherwise from `query <lang>: <text>` lines in `<topic>/feeds.txt`, the fallback the default story ships.
"""
from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from typing import Iterable

from newsmon.settings import Settings
from producers.search import SearchServices, search_feed_urls
from schemas import FeedCommand

log = logging.getLogger(__name__)
_QUERY_LINE = re.compile(r"^query\s+([a-z]{2,3})\s*:\s*(.+)$", re.I)


def services(settings: Settings) -> SearchServices:
    return SearchServices(gdelt_url=settings.gdelt_url, google_news_url=settings.google_news_url,
                          bing_news_url=settings.bing_news_url, enabled=tuple(settings.search_services))


def read_listing(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """feeds.txt: one feed URL a line, or `query <lang>: <text>`; `#` starts a comment."""
    urls: list[str] = []
    queries: dict[str, list[str]] = {}
    if not path.exists():
        return urls, queries
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("query") else raw.strip()
        if not line:
            continue
        query = _QUERY_LINE.match(line)
        if query:
            queries.setdefault(query.group(1).lower(), []).append(query.group(2).strip())
        elif line.startswith(("http://", "https://")):
            urls.append(line)
        else:
            log.warning("%s:%d: neither a feed URL nor `query <lang>: <text>`: %r", path, number, line)
    return urls, queries


def topic_queries(topic_dir: Path) -> dict[str, list[str]] | None:
    """`[queries]` of the topic's topic.toml (None when it has none)."""
    path = topic_dir / "topic.toml"
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle).get("queries")
    except (tomllib.TOMLDecodeError, OSError) as exc:
        log.warning("%s: cannot read its [queries]: %s", path, exc)
        return None
    if not isinstance(table, dict) or not table:
        return None
    return {str(lang): [str(q) for q in (qs if isinstance(qs, list) else [qs]) if str(q).strip()]
            for lang, qs in table.items()}


def topic_feeds(settings: Settings, folder: Path) -> list[str]:
    """One topic's direct feeds followed by its search feeds."""
    direct, fallback = read_listing(folder / "feeds.txt")
    queries = topic_queries(folder) or fallback
    return list(dict.fromkeys(direct + search_feed_urls(queries, services(settings))))


def configured_feeds(settings: Settings, folders: Iterable[Path] | None = None) -> list[str]:
    """NEWSMON_FEEDS, or the union of the topics' feeds (`folders`, by default the folders followed at start-up),
    in the topics' order: a feed two topics list is polled once."""
    if settings.feeds:
        return list(dict.fromkeys(settings.feeds))
    if folders is None:
        from newsmon.registry import startup_folders

        folders = startup_folders(settings)
    return list(dict.fromkeys(url for folder in folders for url in topic_feeds(settings, folder)))


class FeedList:
    """The configured feeds with the operator's commands applied (the latest command per URL wins).

    The configured list follows the topics (`configure`); a feed the operator added stays while the topics that
    listed it go, and one the operator removed stays removed whichever topic lists it."""

    def __init__(self, configured: list[str]):
        self.configured = list(configured)
        self.commands: dict[str, FeedCommand] = {}

    def configure(self, configured: list[str]) -> tuple[list[str], list[str]]:
        """A new configured list (the followed topics changed): the feeds it starts and stops polling."""
        before = self.active()
        self.configured = list(configured)
        after = self.active()
        return [u for u in after if u not in before], [u for u in before if u not in after]

    def apply(self, command: FeedCommand) -> bool:
        """True when the command changes the list."""
        before = self.active()
        self.commands[command.feed_url] = command
        return self.active() != before

    def active(self) -> list[str]:
        removed = {u for u, c in self.commands.items() if c.action == "remove"}
        added = [u for u, c in self.commands.items() if c.action == "add" and u not in self.configured]
        return [u for u in self.configured + added if u not in removed]
