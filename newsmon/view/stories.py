"""The stories the page shows: the followed topics as the registry knows them (the start-up folders, then
`newsmon topic add/remove` while it runs), each with its folder's topic.toml read for its name and known facts.

The registry holds a Kafka consumer, so only the view's follower thread polls it; the page's requests read the
copy kept here under a lock. A folder is read again when its topic.toml changes (a topic added again with other
files is materialised anew), and a folder that cannot be read still leaves its topic on the page, without its
known facts.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from consumers.topics.model import Topic, load_topic
from newsmon.registry import Followed, TopicRegistry
from newsmon.view.model import NO_TOPIC
from newsmon.view.timeline import KnownItem, known_items

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Story:
    id: str
    name: str
    folder: Path | None  # None: records name the topic, but no folder of it is followed
    topic: Topic | None  # its topic.toml, when it could be read
    known: list[KnownItem]
    followed: bool


class Stories:
    def __init__(self, registry: TopicRegistry | None = None, followed: list[Followed] | None = None):
        self.registry = registry
        self._lock = threading.Lock()
        self._followed: list[Followed] = list(followed if followed is not None else
                                              registry.followed() if registry is not None else [])
        self._read: dict[str, tuple[Path, float, Topic | None, list[KnownItem]]] = {}

    def poll(self) -> bool:
        """Take the registry's new commands (from the follower thread only); True when the topics changed."""
        if self.registry is None or not self.registry.poll():
            return False
        with self._lock:
            self._followed = self.registry.followed()
        log.info("web: following %s", ", ".join(f.id for f in self._followed) or "no topic")
        return True

    def followed(self) -> list[Followed]:
        with self._lock:
            return list(self._followed)

    def ids(self) -> list[str]:
        return [f.id for f in self.followed()]

    def story(self, topic_id: str) -> Story:
        folder = next((f.folder for f in self.followed() if f.id == topic_id), None)
        if folder is None:
            name = "(no topic)" if topic_id == NO_TOPIC else topic_id
            return Story(topic_id, name, None, None, [], followed=False)
        topic, known = self._load(topic_id, folder)
        return Story(topic_id, topic.name if topic else topic_id, folder, topic, known, followed=True)

    def _load(self, topic_id: str, folder: Path) -> tuple[Topic | None, list[KnownItem]]:
        try:
            changed = (folder / "topic.toml").stat().st_mtime
        except OSError:
            changed = -1.0
        with self._lock:
            cached = self._read.get(topic_id)
        if cached is not None and cached[0] == folder and cached[1] == changed:
            return cached[2], cached[3]
        try:
            topic = load_topic(folder)
            known = known_items(topic)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # the page still shows the topic's developments and articles without its known facts
            log.warning("web: topic %s at %s could not be read (%s): its timeline shows developments only",
                        topic_id, folder, exc)
            topic, known = None, []
        with self._lock:
            self._read[topic_id] = (folder, changed, topic, known)
        return topic, known

    def close(self) -> None:
        if self.registry is not None:
            self.registry.close()
