"""The producer's Kafka loop: poll the feeds that are due, several at once, publish what is new, save what it knows.

- Feeds are polled by a pool of threads (NEWSMON_POLL_WORKERS) with at most NEWSMON_HOST_CONCURRENCY requests per
  host, each on its own schedule (producers.schedule).
- Polls that finish together are published together: new articles first, flushed; only then the memory of them
  (state.feed_memory, per feed, written only when a feed lists something new to it) and the feeds' states
  (state.feeds). An article is remembered only once its record is durable (rss2email's rule), and the producer
  is idempotent towards the broker, so a broker that goes away and comes back loses and duplicates nothing.
- The operator's `newsmon feeds add/remove` commands (commands.feeds, compacted) are read while it runs: an added
  feed is polled at once, a removed one is no longer polled.
- It polls the union of the followed topics' feeds (newsmon.registry), and follows `newsmon topic add/remove` while
  it runs: an added topic's feeds are polled at once, a removed topic's feeds stop unless another followed topic
  lists them or the operator added them. NEWSMON_FEEDS, when set, replaces the topics' lists altogether.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from kafka import KafkaConsumer, TopicPartition

from newsmon.fetch import fetch, set_host_gap, set_host_limit
from newsmon.registry import TopicRegistry
from newsmon.settings import Settings
from newsmon.stream import BrokerWatch, Heartbeats, StopFlag, create_topics, make_producer, read_all
from producers.feed_parse import host_of
from producers.feed_list import FeedList, configured_feeds, services
from producers.feed_poll import FeedStatus, PollConfig, PollResult, poll_feed
from producers.memory import ArticleMemory
from producers.schedule import Schedule
from schemas import FeedCommand, FeedMemory, FeedState, Topics, decode, encode

log = logging.getLogger(__name__)
KAFKA_RETRY = timedelta(seconds=10)  # a feed whose articles could not be published is polled again after this


def poll_config(settings: Settings) -> PollConfig:
    return PollConfig(allow_private=settings.network_policy, timeout=settings.fetch_timeout,
                      services=services(settings),
                      schedule=Schedule(interval=settings.poll_seconds, minimum=min(settings.poll_min_seconds,
                                        settings.poll_seconds), maximum=settings.poll_max_seconds,
                                        jitter=settings.poll_jitter, failing_after=settings.failing_after))


def _decoded(model, records, what: str) -> list:
    out = []
    for _key, value in records:
        try:
            out.append(decode(model, value))
        except ValueError as exc:
            log.warning("skipping an unreadable %s record: %s", what, exc)
    return out


def load_feed_states(settings: Settings) -> dict[str, FeedState]:
    return {s.feed_url: s for s in _decoded(FeedState, read_all(settings, settings.topic(Topics.FEED_STATE)),
                                             "feed state")}


def load_commands(settings: Settings) -> list[FeedCommand]:
    return _decoded(FeedCommand, read_all(settings, settings.topic(Topics.FEED_COMMANDS)), "feed command")


class Producer:
    """What the producer knows (feeds, their states, the articles published) and its steps; `run_producer` drives
    it and tests and the benchmark call the same steps."""

    def __init__(self, settings: Settings, kafka, *, fetcher=fetch, folders: Iterable[Path] | None = None):
        """`folders`: the followed topics' folders (default: those followed at start-up, NEWSMON_TOPIC_DIR or
        every topic folder under NEWSMON_TOPICS_DIR)."""
        self.settings, self.kafka, self.fetcher = settings, kafka, fetcher
        self.config = poll_config(settings)
        self.feeds = FeedList(configured_feeds(settings, folders))
        self.states: dict[str, FeedState] = {}
        self.memory = ArticleMemory()
        self.not_before: dict[str, datetime] = {}

    def load(self) -> None:
        """Everything known, read back from the compacted topics."""
        self.states = load_feed_states(self.settings)
        for state in self.states.values():
            self.memory.load_legacy_seen(state.feed_url, state.seen)
        self.memory.load(_decoded(FeedMemory, read_all(self.settings, self.settings.topic(Topics.FEED_MEMORY)),
                                  "feed memory"))
        for command in load_commands(self.settings):
            self.feeds.apply(command)
        log.info("producer: %d feeds, %d articles remembered", len(self.feeds.active()), len(self.memory))

    def due(self, now: datetime) -> list[str]:
        out = []
        for url in self.feeds.active():
            state = self.states.get(url)
            if url in self.not_before and self.not_before[url] > now:
                continue
            if state is None or state.next_poll_at is None or state.next_poll_at <= now:
                out.append(url)
        return out

    def poll(self, url: str) -> PollResult:
        return poll_feed(url, self.states.get(url), config=self.config, fetcher=self.fetcher,
                         known_alias=self.memory.alias, now=datetime.now(timezone.utc))

    def publish(self, results: list[PollResult]) -> int:
        """Publish what is new in `results`, then save memory and feed states. Returns the records published."""
        plan = self.memory.admit(a for r in results for a in r.articles)
        topic = self.settings.topic(Topics.DISCOVERED)
        sent = [(a, self.kafka.send(topic, key=a.canonical_url, value=encode(a))) for a in plan]
        self._flush()
        published = [a for a, future in sent if future.succeeded()]
        unsent = {f for a, future in sent if not future.succeeded() for f in a.feed_urls}
        counts: dict[str, int] = {}
        for article in published:
            self.memory.remember(article)
            for feed in article.feed_urls:
                counts[feed] = counts.get(feed, 0) + 1
        revised = {a.canonical_url for a in published if a.revision}
        for result in results:
            url = result.state.feed_url
            if url not in unsent and self.memory.listed(url, (a.canonical_url for a in result.articles), revised):
                self.kafka.send(self.settings.topic(Topics.FEED_MEMORY), key=url,
                                value=encode(self.memory.feed_record(url)))
        now = datetime.now(timezone.utc)
        for result in results:
            url = result.state.feed_url
            if url in unsent:
                # Kafka did not take this feed's articles: keep its old state, so the next poll finds them again.
                log.error("feed %s: its new articles could not be published; polling it again soon", url)
                self.not_before[url] = now + KAFKA_RETRY
                continue
            state = result.state.model_copy(update={"items_published": result.state.items_published +
                                                    counts.get(url, 0)})
            self.kafka.send(self.settings.topic(Topics.FEED_STATE), key=url, value=encode(state))
            self.states[url] = state
            self.not_before.pop(url, None)
            # INFO stays readable: a routine poll that brought nothing new is DEBUG
            quiet = state.last_status in ("ok", "not_modified") and not counts.get(url)
            log.log(logging.DEBUG if quiet else logging.INFO, "feed %s: %s, %d listed, %d published", url,
                    state.last_status, len(result.articles), counts.get(url, 0))
        self._flush()
        self.memory.prune()
        return len(published)

    def apply(self, command: FeedCommand) -> None:
        if self.feeds.apply(command):
            log.info("producer: feed %s %s", command.feed_url, "added" if command.action == "add" else "removed")
            if command.action == "add":
                self._poll_now(command.feed_url)

    def follow(self, folders: Iterable[Path]) -> None:
        """The followed topics changed: poll an added topic's feeds at once, stop polling a removed topic's."""
        if self.settings.feeds:
            return  # NEWSMON_FEEDS replaces the topics' lists, whichever topics are followed
        started, stopped = self.feeds.configure(configured_feeds(self.settings, folders))
        for url in started:
            self._poll_now(url)
        if started or stopped:
            log.info("producer: the followed topics changed: %d feeds added, %d no longer polled (%d polled)",
                     len(started), len(stopped), len(self.feeds.active()))

    def _poll_now(self, url: str) -> None:
        self.not_before.pop(url, None)
        state = self.states.get(url)
        if state is not None:  # known from before its removal: poll it now all the same
            self.states[url] = state.model_copy(update={"next_poll_at": None})

    def _flush(self) -> None:
        """Wait until Kafka has what was sent. While the broker is away this waits for it (up to the producer's
        delivery timeout) and polling pauses: feeds keep their entries for hours, so nothing is lost by waiting."""
        began = time.monotonic()
        try:
            self.kafka.flush()
        except Exception as exc:  # noqa: BLE001 - the futures say which records failed; nothing is marked done
            log.error("producer: flushing to Kafka failed: %s", exc)
        if time.monotonic() - began > 5:
            log.warning("producer: Kafka took %.0fs to take a batch (polling waited for it)", time.monotonic() - began)


class CommandReader:
    """The operator's feed commands as they arrive (from the end of the topic at start-up: the earlier ones
    were read with everything else)."""

    def __init__(self, settings: Settings):
        self.topic = settings.topic(Topics.FEED_COMMANDS)
        self.consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                      enable_auto_commit=False, client_id="newsmon-producer-commands",
                                      reconnect_backoff_max_ms=2000)
        partitions = self.consumer.partitions_for_topic(self.topic) or {0}
        self.partitions = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        self.consumer.assign(self.partitions)
        self.consumer.seek_to_end(*self.partitions)
        for tp in self.partitions:
            self.consumer.position(tp)  # fixes the start now, before anyone adds a feed

    def poll(self) -> list[FeedCommand]:
        batch = self.consumer.poll(timeout_ms=0)
        return _decoded(FeedCommand, [(r.key, r.value) for rs in batch.values() for r in rs if r.value], "command")

    def close(self) -> None:
        self.consumer.close()


def run_producer(settings: Settings, stop: StopFlag, *, once: bool = False, fetcher=fetch) -> None:
    create_topics(settings)
    set_host_limit(settings.host_concurrency)
    if urlsplit(settings.gdelt_url).hostname:
        set_host_gap(urlsplit(settings.gdelt_url).hostname, settings.gdelt_gap_seconds)
    kafka = make_producer(settings)
    commands = CommandReader(settings)
    # NEWSMON_FEEDS replaces the topics' lists: then which topics are followed does not matter here
    registry = TopicRegistry(settings, read_commands=not settings.feeds)
    producer = Producer(settings, kafka, fetcher=fetcher, folders=[f.folder for f in registry.followed()])
    producer.load()
    if not producer.feeds.active():
        log.warning("producer: no feeds configured (NEWSMON_FEEDS, or the feeds.txt and [queries] of the followed "
                    "topics: %s)", ", ".join(registry.ids()) or f"no topic folder at {settings.topic_dir or settings.topics_dir}")
    pool = ThreadPoolExecutor(max_workers=max(1, settings.poll_workers), thread_name_prefix="poll")
    in_flight: dict[Future, str] = {}
    heart = Heartbeats(settings, "producer", kafka)
    heart.beat(force=True)
    watch = BrokerWatch(settings, "producer").__enter__()
    try:
        if once:
            _poll_once(producer, pool)
            return
        while not stop.is_set():
            heart.beat()
            for command in commands.poll():
                producer.apply(command)
            if registry.poll():
                producer.follow([f.folder for f in registry.followed()])
            _submit_due(producer, pool, in_flight, settings)
            if not in_flight:
                stop.wait(0.5)
                continue
            done, _ = wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)
            if done:
                producer.publish([_result(producer, f, in_flight.pop(f)) for f in done])
        # Stopping: the polls in hand finish and are published (each is bounded by the fetch timeout).
        if in_flight:
            done, _ = wait(list(in_flight))
            producer.publish([_result(producer, f, in_flight[f]) for f in done])
    finally:
        watch.__exit__()
        pool.shutdown(wait=True, cancel_futures=True)
        commands.close()
        registry.close()
        heart.stopped()
        kafka.flush()
        kafka.close()


def _submit_due(producer: Producer, pool: ThreadPoolExecutor, in_flight: dict[Future, str],
                settings: Settings) -> None:
    """Start the polls that are due, at most NEWSMON_HOST_CONCURRENCY per host, so that the threads are not all
    waiting on one host while feeds of other hosts are due."""
    busy = set(in_flight.values())
    per_host: dict[str, int] = {}
    for url in busy:
        per_host[host_of(url)] = per_host.get(host_of(url), 0) + 1
    for url in producer.due(datetime.now(timezone.utc)):
        host = host_of(url)
        if url in busy or per_host.get(host, 0) >= settings.host_concurrency:
            continue
        if len(in_flight) >= 2 * settings.poll_workers:
            break
        in_flight[pool.submit(producer.poll, url)] = url
        per_host[host] = per_host.get(host, 0) + 1


def _poll_once(producer: Producer, pool: ThreadPoolExecutor) -> None:
    """Every feed once (`newsmon stage producer --once`), published as the polls finish."""
    pending = {pool.submit(producer.poll, url): url for url in producer.feeds.active()}
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        producer.publish([_result(producer, f, pending.pop(f)) for f in done])


def _result(producer: Producer, future: Future, url: str) -> PollResult:
    """A poll never raises by design; a bug that makes it raise is logged, recorded, and the feed retried later."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        log.exception("feed %s: the poll itself failed", url)
        now = datetime.now(timezone.utc)
        state = producer.states.get(url) or FeedState(feed_url=url)
        return PollResult([], state.model_copy(update={
            "last_status": FeedStatus.INTERNAL_ERROR.value, "last_error": f"{type(exc).__name__}: {exc}"[:1000],
            "checked_at": now, "failures": state.failures + 1, "next_poll_at": now + timedelta(minutes=5)}))
