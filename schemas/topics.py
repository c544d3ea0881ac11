"""Topic names, keys and layouts, defined once.

Keys: the canonical article URL upstream of the decider (so one article always lands on one partition and a
consumer group can scale extraction out), the development id at the alert stage (so a corroboration is an update
of the same key). State topics are compacted: the latest record per key is the state.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str  # what the record key holds
    compacted: bool = False
    scaled: bool = True  # takes the configured partition count; False = one partition (a single ordered view)


class Topics:
    """Base names; a deployment's namespace (NEWSMON_NAMESPACE, default "newsmon") prefixes them."""

    DISCOVERED = TopicSpec("articles.discovered", key="canonical article URL")
    EXTRACTED = TopicSpec("articles.extracted", key="canonical article URL")
    # What extraction turned down, with the reason (gone, forbidden, too large, no article...).
    REJECTED = TopicSpec("articles.rejected", key="canonical article URL")
    DECISIONS = TopicSpec("decisions", key="canonical article URL")
    ALERTS = TopicSpec("alerts", key="development id")
    # State, rebuilt by reading from the beginning at start-up.
    FEED_STATE = TopicSpec("state.feeds", key="feed URL", compacted=True, scaled=False)
    # The producer's seen-set: per feed, the articles it listed (their union is what was published).
    FEED_MEMORY = TopicSpec("state.feed_memory", key="feed URL", compacted=True, scaled=False)
    FEED_COMMANDS = TopicSpec("commands.feeds", key="feed URL", compacted=True, scaled=False)
    # Each topic's state; the key starts with the topic id, and a topic's records all go to one partition
    # (newsmon.stream.partition_of), so an instance taking a topic over reads that partition only.
    DECIDER_STATE = TopicSpec("state.decider", key="<topic id>|record kind:id", compacted=True)
    TOPIC_COMMANDS = TopicSpec("commands.topics", key="topic id", compacted=True, scaled=False)
    DELIVERIES = TopicSpec("state.deliveries", key="alert id:revision:channel", compacted=True, scaled=False)
    # Alerts a channel's hourly limit held back, until they go out together in one grouped message.
    HELD = TopicSpec("state.held", key="channel:alert id", compacted=True, scaled=False)
    # People's word on decisions (newsmon web, newsmon feedback); the decider reads it in order with the articles.
    FEEDBACK = TopicSpec("feedback", key="development:<id> or article:<url>", compacted=True, scaled=False)
    HEARTBEATS = TopicSpec("state.heartbeats", key="stage@host:pid", compacted=True, scaled=False)
    DLQ_REPLAYS = TopicSpec("state.dlq_replays", key="dead-letter topic/partition/offset", compacted=True,
                            scaled=False)


def topic_name(spec: TopicSpec, namespace: str) -> str:
    return f"{namespace}.{spec.name}"


def dlq_topic(name: str) -> str:
    """The dead-letter topic of a consumed topic."""
    return f"{name}.dlq"


def consumed_topics() -> list[TopicSpec]:
    """The topics a stage consumes in a group: each has a dead-letter topic."""
    return [Topics.DISCOVERED, Topics.EXTRACTED, Topics.ALERTS, Topics.FEEDBACK]


def all_topics() -> list[TopicSpec]:
    specs = [v for v in vars(Topics).values() if isinstance(v, TopicSpec)]
    consumed = consumed_topics()
    return specs + [TopicSpec(dlq_topic(s.name), key="original key", scaled=False) for s in consumed]
