"""The view: every record of the topics people look at, folded into what the page and `newsmon status` show.

`View.apply(topic kind, record time, key, value)` is the only way it changes; the queries below read it. Records
are read from the beginning at start-up, so a restarted page shows what it showed before. Redeliveries (the same
decision or delivery twice) count once. A record that does not decode is counted and skipped, never fatal.

A deployment follows several stories (topics, newsmon.registry): the decider writes one decision per article and
topic under the same record key, so articles are held per (topic, URL). A record written before decisions named
their topic belongs to its alert's topic when it has one, else to NO_TOPIC, shown as "(no topic)".
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from pydantic import ValidationError

from schemas import (
    Alert,
    DeadLetter,
    DeadLetterReplay,
    Decision,
    DeliveryRecord,
    DiscoveredArticle,
    FeedCommand,
    Feedback,
    FeedState,
    Heartbeat,
    HeldAlert,
    Topics,
    TopicSpec,
    consumed_topics,
    decode,
    dlq_topic,
)

log = logging.getLogger(__name__)
HEARTBEAT_GONE = timedelta(seconds=35)  # three missed heartbeats (every 10 s): the instance is gone
# Seconds from an article's publication to its alert: a minute to a week.
LATENCY_BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0, 43200.0, 86400.0, 259200.0, 604800.0)
STAGES = ("producer", "extract", "decide", "notify", "web")
NO_TOPIC = ""  # the topic of a record that names none (written before decisions named their topic)

# topic kind → (topic spec, what its records are)
FOLDED: dict[str, tuple[TopicSpec, type]] = {
    "decisions": (Topics.DECISIONS, Decision),
    "discovered": (Topics.DISCOVERED, DiscoveredArticle),
    "alerts": (Topics.ALERTS, Alert),
    "feeds": (Topics.FEED_STATE, FeedState),
    "commands": (Topics.FEED_COMMANDS, FeedCommand),
    "deliveries": (Topics.DELIVERIES, DeliveryRecord),
    "held": (Topics.HELD, HeldAlert),
    "feedback": (Topics.FEEDBACK, Feedback),
    "heartbeats": (Topics.HEARTBEATS, Heartbeat),
    "replays": (Topics.DLQ_REPLAYS, DeadLetterReplay),
}


def topic_kinds(namespace: str) -> dict[str, str]:
    """Full topic name → the kind View.apply takes ("dlq" for every dead-letter topic)."""
    out = {f"{namespace}.{spec.name}": kind for kind, (spec, _model) in FOLDED.items()}
    for spec in consumed_topics():
        out[f"{namespace}.{dlq_topic(spec.name)}"] = "dlq"
    return out


def _what(r: DeliveryRecord) -> str:
    """What a delivery delivered: a digest, an alert (revision 0) or an update of one."""
    return "digest" if r.alert_id.startswith("digest:") else "alert" if r.revision == 0 else "update"


@dataclass
class Article:
    """One decided article as the stream shows it: its decision joined with what its feed said of it."""

    url: str
    topic: str  # the topic its decision names (NO_TOPIC when it names none)
    decision: Decision
    decided_at: datetime
    title: str = ""
    site: str = ""
    published: datetime | None = None
    feedback: Feedback | None = None


@dataclass(frozen=True)
class TopicSummary:
    """One topic as the topic list and `newsmon status` show it."""

    id: str
    followed: bool  # False: records name it, but the deployment no longer follows it (or never did)
    decided: int  # articles decided against it
    on_topic: int  # of them, on topic
    statuses: Counter[str]
    developments: int
    last_alert: Alert | None
    last_alert_at: datetime | None  # when the decider raised it


@dataclass
class Letter:
    id: str  # <dead-letter topic without the namespace>/<partition>/<offset>
    dlq_topic: str
    letter: DeadLetter
    replayed: DeadLetterReplay | None = None


@dataclass
class Instance:
    stage: str
    instance: str
    started_at: datetime
    last_beat: datetime
    alive: bool


@dataclass
class Health:
    """What the health poller read from Kafka itself (consumer lag, topic sizes)."""

    lag: dict[str, int | None] = field(default_factory=dict)  # stage → records not yet consumed
    records: dict[str, int] = field(default_factory=dict)  # topic kind → records it holds
    checked_at: datetime | None = None
    error: str = ""


class View:
    def __init__(self, namespace: str, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.namespace = namespace
        self.clock = clock
        self.lock = threading.RLock()
        self.articles: dict[tuple[str, str], Article] = {}  # (topic, decision URL) → article
        self.topics_of: dict[str, set[str]] = {}  # decision URL → the topics it was decided against
        self.listed: dict[str, DiscoveredArticle] = {}  # URL and canonical URL → the feed's record
        self.alerts: dict[str, Alert] = {}  # development id → newest revision
        self.raised_at: dict[str, datetime] = {}  # development id → when revision 0 was written
        self.feeds: dict[str, FeedState] = {}
        self.commands: dict[str, FeedCommand] = {}
        self.deliveries: dict[str, DeliveryRecord] = {}
        self.held: dict[str, HeldAlert] = {}
        self.feedback: dict[str, Feedback] = {}
        self.heartbeats: dict[str, Heartbeat] = {}
        self.letters: dict[str, Letter] = {}
        self.replays: dict[str, DeadLetterReplay] = {}
        self.health = Health()
        self.unreadable = 0
        self.ready = False  # True once everything written before start-up has been read
        # counters for /metrics, each counting a thing once however often its record is redelivered
        self.decisions_by_status: Counter[tuple[str, str]] = Counter()  # (topic, status)
        self._decided: set[tuple[str, str, str]] = set()  # (topic, url, status)
        self.letters_by_topic: Counter[str] = Counter()
        self.latency: dict[str, list[int]] = {"raised": [0] * (len(LATENCY_BUCKETS) + 1),
                                              "sent": [0] * (len(LATENCY_BUCKETS) + 1)}
        self.latency_sum: Counter[str] = Counter()
        self._latency_seen: set[tuple[str, str]] = set()
        self.first_sent: dict[str, datetime] = {}  # development id → when a channel first took its alert

    # ------------------------------------------------------------------------------------------ apply
    def apply(self, kind: str, timestamp_ms: int, key: bytes | None, value: bytes | None, *,
              topic: str = "", partition: int = 0, offset: int = 0) -> None:
        if value is None:
            if kind == "heartbeats" and key is not None:  # a clean stop: the instance is gone
                with self.lock:
                    self.heartbeats.pop(key.decode("utf-8", "replace"), None)
            return
        at = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc) if timestamp_ms else self.clock()
        try:
            with self.lock:
                if kind == "dlq":
                    self._letter(decode(DeadLetter, value), topic, partition, offset)
                else:
                    getattr(self, f"_{kind}")(decode(FOLDED[kind][1], value), at)
        except (ValidationError, ValueError) as exc:
            self.unreadable += 1
            log.debug("view: skipping an unreadable %s record: %s", kind, exc)

    def _decisions(self, d: Decision, at: datetime) -> None:
        topic = d.topic or NO_TOPIC
        current = self.articles.get((topic, d.url))
        if current is not None and current.decision == d:
            return  # a redelivery
        listed = self.listed.get(d.url)
        self.articles[(topic, d.url)] = Article(
            url=d.url, topic=topic, decision=d, decided_at=current.decided_at if current else at,
            title=listed.title if listed else "", site=listed.site if listed else "",
            published=listed.published if listed else None, feedback=self._article_feedback(topic, d.url))
        self.topics_of.setdefault(d.url, set()).add(topic)
        if (topic, d.url, d.status) not in self._decided:
            self._decided.add((topic, d.url, d.status))
            self.decisions_by_status[(topic, d.status)] += 1

    def _article_feedback(self, topic: str, url: str) -> Feedback | None:
        # a word naming the topic is about that topic's decision; one naming none (older records, `newsmon
        # feedback` without --topic) about every topic's
        named = self.feedback.get(Feedback(target="article", url=url, verdict="was_new", topic=topic).key) \
            if topic else None
        return named or self.feedback.get(f"article:{url}")

    def _discovered(self, a: DiscoveredArticle, at: datetime) -> None:
        self.listed[a.url] = a
        self.listed[a.canonical_url] = a
        for article in self._decided_articles(a.url, a.canonical_url):
            article.title, article.site, article.published = a.title, a.site, a.published

    def _alerts(self, a: Alert, at: datetime) -> None:
        current = self.alerts.get(a.alert_id)
        if current is None or a.revision >= current.revision:
            self.alerts[a.alert_id] = a
        if a.revision == 0 and a.alert_id not in self.raised_at:
            self.raised_at[a.alert_id] = at
            self._observe("raised", a.alert_id, at)
        self._observe_sent(a.alert_id)

    def _feeds(self, s: FeedState, at: datetime) -> None:
        self.feeds[s.feed_url] = s

    def _commands(self, c: FeedCommand, at: datetime) -> None:
        self.commands[c.feed_url] = c

    def _deliveries(self, r: DeliveryRecord, at: datetime) -> None:
        key = f"{r.alert_id}:{r.revision}:{r.channel}"
        if key in self.deliveries:
            return
        self.deliveries[key] = r
        if _what(r) == "alert":
            first = self.first_sent.get(r.alert_id)
            self.first_sent[r.alert_id] = r.delivered_at if first is None else min(first, r.delivered_at)
            self._observe_sent(r.alert_id)

    def _held(self, h: HeldAlert, at: datetime) -> None:
        self.held[f"{h.channel}:{h.alert.alert_id}"] = h

    def _feedback(self, f: Feedback, at: datetime) -> None:
        self.feedback[f.key] = f
        if f.target == "article":
            for article in self._decided_articles(f.url or ""):
                if f.topic is None or f.topic == article.topic:
                    article.feedback = self._article_feedback(article.topic, article.url)

    def _decided_articles(self, *urls: str) -> list[Article]:
        return [self.articles[(topic, url)] for url in dict.fromkeys(urls) for topic in self.topics_of.get(url, ())]

    def _heartbeats(self, h: Heartbeat, at: datetime) -> None:
        self.heartbeats[f"{h.stage}@{h.instance}"] = h

    def _replays(self, r: DeadLetterReplay, at: datetime) -> None:
        self.replays[r.letter_id] = r
        if r.letter_id in self.letters:
            self.letters[r.letter_id].replayed = r

    def _letter(self, letter: DeadLetter, topic: str, partition: int, offset: int) -> None:
        short = topic.removeprefix(f"{self.namespace}.")
        ident = f"{short}/{partition}/{offset}"
        if ident not in self.letters:
            self.letters_by_topic[short] += 1
        self.letters[ident] = Letter(id=ident, dlq_topic=topic, letter=letter, replayed=self.replays.get(ident))

    # publication → alert: "raised" when the decider wrote it, "sent" when a channel first took it
    def _observe(self, what: str, alert_id: str, at: datetime) -> None:
        alert = self.alerts.get(alert_id)
        published = alert.first_source.published if alert else None
        if published is None or (what, alert_id) in self._latency_seen:
            return
        self._latency_seen.add((what, alert_id))
        seconds = max(0.0, (at - published).total_seconds())
        index = next((i for i, bound in enumerate(LATENCY_BUCKETS) if seconds <= bound), len(LATENCY_BUCKETS))
        self.latency[what][index] += 1
        self.latency_sum[what] += seconds

    def _observe_sent(self, alert_id: str) -> None:
        # the alert and its first delivery come from two topics, in either order: observed when both are known
        if alert_id in self.alerts and alert_id in self.first_sent:
            self._observe("sent", alert_id, self.first_sent[alert_id])

    # ------------------------------------------------------------------------------------------ queries
    def topic_of(self, article: Article) -> str:
        """The article's topic: its decision's, else (an older decision) its development's alert's."""
        if article.topic:
            return article.topic
        alert = self.alerts.get(article.decision.development_id or "")
        return (alert.topic or NO_TOPIC) if alert else NO_TOPIC

    def stream(self, *, topic: str | None = None, status: str = "", language: str = "", query: str = "",
               offset: int = 0, limit: int = 100) -> tuple[list[Article], int]:
        """The decided articles, newest first, filtered by topic (None: any), status and language and searched
        (title, URL, reason, site, development id); returns (one page, how many match)."""
        needle = query.strip().lower()
        with self.lock:
            rows = [a for a in self.articles.values()
                    if (topic is None or self.topic_of(a) == topic)
                    and (not status or a.decision.status == status)
                    and (not language or (a.decision.language or "") == language)
                    and (not needle or needle in " ".join((a.title, a.url, a.decision.reason, a.site,
                                                            a.decision.development_id or "")).lower())]
        rows.sort(key=lambda a: (a.decided_at, a.url, a.topic), reverse=True)
        return rows[offset:offset + limit], len(rows)

    def languages(self) -> list[str]:
        with self.lock:
            return sorted({a.decision.language for a in self.articles.values() if a.decision.language})

    def statuses(self, topic: str | None = None) -> Counter[str]:
        with self.lock:
            return Counter(a.decision.status for a in self.articles.values()
                           if topic is None or self.topic_of(a) == topic)

    def alerts_of(self, topic: str) -> list[Alert]:
        """The newest revision of each development raised for `topic` (NO_TOPIC: for none)."""
        with self.lock:
            return [a for a in self.alerts.values() if (a.topic or NO_TOPIC) == topic]

    def topic_ids(self) -> list[str]:
        """Every topic the records name (NO_TOPIC among them when some name none)."""
        with self.lock:
            return sorted({self.topic_of(a) for a in self.articles.values()}
                          | {a.topic or NO_TOPIC for a in self.alerts.values()})

    def summaries(self, followed: list[str], since: datetime | None = None) -> list[TopicSummary]:
        """Each followed topic, then each other topic records name; counting what was decided or raised at or
        after `since` (None: everything)."""
        with self.lock:
            decided: dict[str, list[Article]] = {}
            for a in self.articles.values():
                if since is None or a.decided_at >= since:
                    decided.setdefault(self.topic_of(a), []).append(a)
            raised: dict[str, list[tuple[datetime, Alert]]] = {}
            for alert_id, alert in self.alerts.items():
                at = self.raised_at.get(alert_id, alert.created_at)
                raised.setdefault(alert.topic or NO_TOPIC, []).append((at, alert))
        others = sorted((set(decided) | set(raised)) - set(followed))
        out = []
        for tid in list(followed) + others:
            rows, alerts = decided.get(tid, []), raised.get(tid, [])
            last = max(alerts, key=lambda pair: (pair[0], pair[1].alert_id), default=None)
            out.append(TopicSummary(
                id=tid, followed=tid in followed, decided=len(rows), on_topic=sum(a.decision.on_topic for a in rows),
                statuses=Counter(a.decision.status for a in rows),
                developments=sum(1 for at, _ in alerts if since is None or at >= since),
                last_alert=last[1] if last else None, last_alert_at=last[0] if last else None))
        return out

    def instances(self) -> list[Instance]:
        now = self.clock()
        with self.lock:
            beats = list(self.heartbeats.values())
        return sorted((Instance(stage=h.stage, instance=h.instance, started_at=h.started_at, last_beat=h.at,
                                alive=now - h.at <= HEARTBEAT_GONE) for h in beats),
                      key=lambda i: (STAGES.index(i.stage) if i.stage in STAGES else 9, i.instance))

    def alive(self) -> dict[str, int]:
        """Live processes per stage. A stage that runs several loops in one process beats once per loop
        (notify: `notify.<channel>`), so its loops count under the stage, once per process."""
        live: dict[str, set[str]] = {stage: set() for stage in STAGES}
        for i in self.instances():
            stage = i.stage.split(".", 1)[0]
            live.setdefault(stage, set())
            if i.alive:
                live[stage].add(i.instance)
        return {stage: len(instances) for stage, instances in live.items()}

    def dead_letters(self) -> list[Letter]:
        with self.lock:
            return sorted(self.letters.values(), key=lambda x: x.letter.failed_at, reverse=True)

    def channels_of(self, alert_id: str) -> list[str]:
        with self.lock:
            return sorted({r.channel for r in self.deliveries.values() if r.alert_id == alert_id and r.revision == 0})

    def sent_by_topic(self) -> Counter[tuple[str, str, str]]:
        """(channel, alert|update|digest, topic) → messages accepted. The topic is looked up when asked, since a
        delivery and its alert come from two topics in either order; "" where it is not known (a digest)."""
        out: Counter[tuple[str, str, str]] = Counter()
        with self.lock:
            for r in self.deliveries.values():
                alert = self.alerts.get(r.alert_id)
                out[(r.channel, _what(r), (alert.topic or "") if alert else "")] += 1
        return out

    def held_alerts(self) -> list[HeldAlert]:
        with self.lock:
            released = {k for k, h in self.held.items()
                        if h.released or f"{h.alert.alert_id}:{h.alert.revision}:{h.channel}" in self.deliveries}
            return [h for k, h in self.held.items() if k not in released]

    def today(self, now: datetime | None = None) -> dict[str, Any]:
        """Today's (UTC) articles by status and alerts, for `newsmon status` (an article decided against
        several topics counts once per topic)."""
        start = self.day_start(now)
        with self.lock:
            statuses = Counter(a.decision.status for a in self.articles.values() if a.decided_at >= start)
            alerts = [a for i, a in self.alerts.items() if self.raised_at.get(i, start - timedelta(1)) >= start]
        return {"statuses": statuses, "alerts": alerts}

    def day_start(self, now: datetime | None = None) -> datetime:
        return (now or self.clock()).replace(hour=0, minute=0, second=0, microsecond=0)
