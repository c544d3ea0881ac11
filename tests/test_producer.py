"""The producer on the real broker: one article from two feeds, revisions, a broker restart under it, feeds
added and removed while it runs, and `newsmon feeds`."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from consumers.extract_service import make_extract_handler
from newsmon import broker
from newsmon.stream import StopFlag
from producers.service import run_producer
from schemas import DiscoveredArticle, FeedMemory, FeedState, Topics, decode, encode
from tests.kafka_util import Background, records, wait_until
from tests.search_fakes import GoogleNewsFake, Story
from tests.servers import Route
from tests.test_pipeline import rss_feed, stage_env


def discovered(settings, at_least: int = 0, timeout: float = 30.0) -> list[DiscoveredArticle]:
    return [decode(DiscoveredArticle, r.value)
            for r in records(settings, settings.topic(Topics.DISCOVERED), at_least=at_least, timeout=timeout)]


def test_one_article_in_two_feeds_is_published_once_and_a_new_title_is_a_revision(kafka, site, tmp_path):
    now = datetime.now(timezone.utc)
    site.routes["/a.xml"] = Route(rss_feed([("https://n.example/talks?utm_source=a", "Talks begin", now)]),
                                  content_type="application/rss+xml")
    site.routes["/b.xml"] = Route(rss_feed([("https://n.example/talks#comments", "Talks begin", now),
                                            ("https://n.example/other", "Other", now)]),
                                  content_type="application/rss+xml")
    settings = kafka.model_copy(update={"feeds": (site.url("/a.xml"), site.url("/b.xml"))})
    run_producer(settings, StopFlag(install_signals=False), once=True)
    first = discovered(settings, at_least=2)
    assert Counter(a.canonical_url for a in first) == {"https://n.example/talks": 1, "https://n.example/other": 1}
    talks = next(a for a in first if a.canonical_url == "https://n.example/talks")
    assert talks.revision == 0 and talks.published is not None and talks.published.tzinfo is not None
    # A new process (state read back from Kafka): the publisher has changed the headline.
    site.routes["/a.xml"] = Route(rss_feed([("https://n.example/talks", "Treaty signed after talks", now)]),
                                  content_type="application/rss+xml")
    run_producer(settings, StopFlag(install_signals=False), once=True)
    run_producer(settings, StopFlag(install_signals=False), once=True)
    after = discovered(settings, at_least=3)
    assert [(a.canonical_url, a.title) for a in after if a.revision == 1] == [
        ("https://n.example/talks", "Treaty signed after talks")]
    assert len(after) == 3
    memory = {}
    for record in records(settings, settings.topic(Topics.FEED_MEMORY)):
        kept = decode(FeedMemory, record.value)
        memory[kept.feed_url] = {a.canonical_url: a.revision for a in kept.articles}
    # b's record holds revision 1 too when both polls of that round were published together.
    assert memory[site.url("/a.xml")] == {"https://n.example/talks": 1}
    assert set(memory[site.url("/b.xml")]) == {"https://n.example/talks", "https://n.example/other"}
    states = {decode(FeedState, r.value).feed_url: decode(FeedState, r.value)
              for r in records(settings, settings.topic(Topics.FEED_STATE))}
    # Each feed counts what it was among the first to list (the polls of one round finish in either order).
    a, b = states[site.url("/a.xml")].items_published, states[site.url("/b.xml")].items_published
    assert a >= 1 and b >= 1 and a + b in (3, 4)


def test_a_broker_restart_while_the_producer_polls_loses_and_duplicates_nothing(kafka, broker_settings, site):
    if not broker_settings.uses_local_broker:
        pytest.skip("the broker is not ours to restart (KAFKA_BOOTSTRAP_SERVERS is set)")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    items: list[tuple[str, str, datetime]] = []
    lock = threading.Lock()

    def serve_feed(_request):
        with lock:
            return Route(rss_feed(list(reversed(items))), content_type="application/rss+xml")

    site.responders["/growing.xml"] = serve_feed
    settings = kafka.model_copy(update={"feeds": (site.url("/growing.xml"),), "poll_seconds": 0.5})
    stop_growing = threading.Event()

    def grow():
        n = 0
        while not stop_growing.is_set() and n < 600:
            with lock:
                items.append((f"https://n.example/{n}", f"story {n}", start + timedelta(seconds=n)))
                # A feed lists its latest entries only: here the last three minutes' worth (real feeds list hours
                # or days). The producer waits for the broker before it polls on, so what scrolls off a feed while
                # the broker is away is lost: the window must outlast the outage, as it does in life.
                del items[:-360]
            n += 1
            stop_growing.wait(0.5)

    grower = threading.Thread(target=grow, daemon=True)
    producer = Background(lambda stop: run_producer(settings, stop))
    grower.start()
    try:
        assert wait_until(lambda: len(discovered(settings)) >= 10, timeout=60)
        broker.stop(broker_settings)
        time.sleep(2)  # the feed keeps growing while the broker is away
        broker.start(broker_settings)
        before = len(discovered(settings))
        assert wait_until(lambda: len(discovered(settings)) >= before + 20, timeout=120)
        stop_growing.set()
        grower.join()
        with lock:
            last = items[-1][0]
        assert wait_until(lambda: last in {a.url for a in discovered(settings)}, timeout=60)
        assert producer.thread.is_alive()
    finally:
        stop_growing.set()
        producer.stop(timeout=120)
    urls = [a.url for a in discovered(settings)]
    numbers = sorted(int(u.rsplit("/", 1)[1]) for u in urls)
    duplicates = [u for u, n in Counter(urls).items() if n > 1]
    assert duplicates == [], duplicates
    assert numbers == list(range(numbers[-1] + 1)), "a gap: an article was lost"


def newsmon(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsmon.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_feeds_added_and_removed_at_run_time_and_listed(kafka, site, tmp_path):
    now = datetime.now(timezone.utc)
    site.routes["/late.xml"] = Route(rss_feed([("https://n.example/late", "Late news", now)]),
                                     content_type="application/rss+xml")
    site.routes["/down.xml"] = Route(b"gone for now", status=503)
    topic = tmp_path / "topic"
    topic.mkdir()
    (topic / "topic.toml").write_text('[topic]\nid = "t"\n', encoding="utf-8")
    (topic / "feeds.txt").write_text(site.url("/down.xml") + "\n", encoding="utf-8")
    settings = kafka.model_copy(update={"feeds": (), "topic_dir": topic, "failing_after": 2})
    env = stage_env(settings, NEWSMON_TOPIC_DIR=str(topic), NEWSMON_FEEDS="", NEWSMON_FAILING_AFTER="2")
    producer = Background(lambda stop: run_producer(settings, stop))
    try:
        assert wait_until(lambda: sum(p == "/down.xml" for p, _ in site.requests) >= 2, timeout=60)
        added = newsmon(env, "feeds", "add", site.url("/late.xml"))
        assert added.returncode == 0, added.stderr
        assert wait_until(lambda: [a.url for a in discovered(settings)] == ["https://n.example/late"], timeout=30)
        listing = newsmon(env, "feeds", "--json")
        assert listing.returncode == 0, listing.stderr
        rows = {row["url"]: row for row in json.loads(listing.stdout)}
        late, down = rows[site.url("/late.xml")], rows[site.url("/down.xml")]
        assert late["health"] == "ok" and late["items_published"] == 1 and late["last_success_at"]
        assert late["next_poll_at"] and late["kind"] == "feed"
        assert down["health"] == "failing" and down["last_status"] == "http_error" and down["failures"] >= 2
        assert down["last_success_at"] is None and "503" in down["last_error"]
        text = newsmon(env, "feeds")
        assert "failing" in text.stdout and site.url("/late.xml") in text.stdout, text.stderr
        removed = newsmon(env, "feeds", "remove", site.url("/late.xml"))
        assert removed.returncode == 0, removed.stderr
        time.sleep(2)  # the removal is read within a loop turn
        polls = sum(p == "/late.xml" for p, _ in site.requests)
        time.sleep(3)  # several intervals of 1 s
        assert sum(p == "/late.xml" for p, _ in site.requests) == polls
    finally:
        producer.stop()
    assert newsmon(env, "feeds", "add", "ftp://nope").returncode == 2


def test_an_unresolved_google_link_is_published_but_never_fetched_as_the_article(kafka, site):
    google = GoogleNewsFake(site)
    story = Story("Iran, Russia sign accord", "https://irna.example/news/9", "IRNA")
    google.stories.append(story)
    google.unknown.add(story.url)
    settings = kafka.model_copy(update={"google_news_url": site.base,
                                        "feeds": (site.url("/rss/search?q=Russia+Iran&hl=en-US&gl=US&ceid=US:en"),)})
    run_producer(settings, StopFlag(install_signals=False), once=True)
    [article] = discovered(settings, at_least=1)
    assert not article.resolved and article.title == story.title and article.site_name == "IRNA"
    pages_before = sum(r.path.startswith("/rss/articles/") for r in site.log)
    [out] = make_extract_handler(settings)(None, encode(article))
    assert out.topic == settings.topic(Topics.REJECTED) and out.message.kind == "unresolved"
    assert sum(r.path.startswith("/rss/articles/") for r in site.log) == pages_before


def topic_folder(root, topic_id: str, feeds: list[str], extra: dict[str, str] | None = None):
    """A minimal topic folder: an id, no queries (so no search feeds), and its own feeds."""
    folder = root / topic_id
    folder.mkdir(parents=True)
    (folder / "topic.toml").write_text(f'[topic]\nid = "{topic_id}"\nname = "{topic_id}"\n', encoding="utf-8")
    (folder / "feeds.txt").write_text("".join(f"{u}\n" for u in feeds), encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_union_of_the_topics_feeds_is_polled_and_follows_topic_add_and_remove(kafka, site, tmp_path):
    now = datetime.now(timezone.utc)
    for name in ("a", "b", "c", "shared"):
        site.routes[f"/{name}.xml"] = Route(rss_feed([(f"https://n.example/{name}", f"News {name}", now)]),
                                            content_type="application/rss+xml")
    topics = tmp_path / "topics"
    topic_folder(topics, "a", [site.url("/a.xml"), site.url("/shared.xml")])
    topic_folder(topics, "b", [site.url("/b.xml"), site.url("/shared.xml")])
    elsewhere = topic_folder(tmp_path / "elsewhere", "c", [site.url("/c.xml")])
    settings = kafka.model_copy(update={"feeds": (), "topics_dir": topics, "topic_dir": None,
                                        "home": tmp_path / "producer-home"})
    env = stage_env(settings, NEWSMON_TOPICS_DIR=str(topics), NEWSMON_FEEDS="", NEWSMON_HOME=str(tmp_path / "cli"))
    env.pop("NEWSMON_TOPIC_DIR", None)

    def polls(name: str) -> int:
        return sum(p == f"/{name}.xml" for p, _ in site.requests)

    def urls() -> set[str]:
        return {a.url for a in discovered(settings)}

    def stops_polling(name: str) -> bool:
        time.sleep(2)  # a command is read within a loop turn
        before = polls(name)
        time.sleep(3)  # several intervals of 1 s
        return polls(name) == before

    producer = Background(lambda stop: run_producer(settings, stop))
    try:
        assert wait_until(lambda: urls() == {"https://n.example/a", "https://n.example/b",
                                             "https://n.example/shared"}, timeout=60)
        assert polls("c") == 0
        # the feed two topics list is one feed: polled as often as a feed of one topic, not twice as often
        time.sleep(4)
        assert polls("shared") <= max(polls("a"), polls("b")) + 1, (polls("shared"), polls("a"), polls("b"))
        listed = json.loads(newsmon(env, "feeds", "--json").stdout)
        assert sorted(r["url"] for r in listed) == sorted(site.url(f"/{n}.xml") for n in ("a", "b", "shared"))

        added = newsmon(env, "topic", "add", str(elsewhere))
        assert added.returncode == 0, added.stderr
        assert "added: c" in added.stdout and "newsmon topics" in added.stdout
        assert wait_until(lambda: "https://n.example/c" in urls(), timeout=30)
        assert site.url("/c.xml") in {r["url"] for r in json.loads(newsmon(env, "feeds", "--json").stdout)}

        # b's own feed was also added by the operator: removing b keeps it, and a still lists the shared one
        assert newsmon(env, "feeds", "add", site.url("/b.xml")).returncode == 0
        assert newsmon(env, "topic", "remove", "b").returncode == 0
        assert newsmon(env, "topic", "remove", "c").returncode == 0
        assert stops_polling("c")
        counts = polls("b"), polls("shared")
        time.sleep(3)
        assert polls("b") > counts[0] and polls("shared") > counts[1]
    finally:
        producer.stop()
    assert Counter(a.url for a in discovered(settings))["https://n.example/shared"] == 1
