"""The feed producer's pure steps against real HTTP servers on 127.0.0.1: one poll, the memory across feeds."""
from datetime import datetime, timedelta, timezone

import pytest

from newsmon.fetch import FetchError, FetchFailure, fetch
from producers.feed_parse import parse_feed
from producers.feed_poll import FeedStatus, PollConfig, poll_feed
from producers.memory import ArticleMemory
from producers.schedule import Schedule
from tests.conftest import need_shared
from tests.servers import Route

LOCAL = PollConfig(allow_private=True, schedule=Schedule(interval=300, minimum=60, maximum=3600, jitter=0.0))


def rss(*links: str, titles: list[str] | None = None, extra: str = "") -> bytes:
    items = "".join(f"<item><title>{titles[i] if titles else 'About ' + link.rsplit('/', 1)[-1].split('?')[0]}</title><link>{link}</link>"
                    f"<pubDate>Mon, 0{i + 1} Jan 2024 10:00:00 GMT</pubDate></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{extra}{items}</channel></rss>'.encode()


def publish(memory: ArticleMemory, articles):
    """What the producer does after a poll: admit, then remember what it published."""
    chosen = memory.admit(articles)
    for article in chosen:
        memory.remember(article)
    return chosen


def test_new_entries_are_published_once_oldest_first(site):
    site.routes["/feed"] = Route(rss("https://n.example/b?utm_source=rss", "https://n.example/a"),
                                 content_type="application/rss+xml")
    memory = ArticleMemory()
    new, state = poll_feed(site.url("/feed"), None, config=LOCAL)
    assert [a.canonical_url for a in publish(memory, new)] == ["https://n.example/b", "https://n.example/a"]
    assert state.last_status == "ok" and state.last_success_at and state.failures == 0
    site.routes["/feed"] = Route(rss("https://n.example/c", "https://n.example/b"), content_type="application/rss+xml")
    again, _ = poll_feed(site.url("/feed"), state, config=LOCAL)
    assert [a.canonical_url for a in publish(memory, again)] == ["https://n.example/c"]


def test_two_feeds_listing_one_article_publish_it_once_naming_both():
    memory = ArticleMemory()
    first = parse_and_wrap("https://one.example/feed", ["https://n.example/a?utm_campaign=x"], ["Talks"])
    second = parse_and_wrap("https://two.example/feed", ["https://N.example/a#top"], ["Talks"])
    chosen = publish(memory, first + second)
    assert len(chosen) == 1 and chosen[0].feed_urls == ["https://one.example/feed", "https://two.example/feed"]
    assert publish(memory, second) == []


def test_a_changed_title_is_a_new_revision_and_an_old_title_is_not():
    memory = ArticleMemory()
    url = "https://n.example/a"
    assert [a.revision for a in publish(memory, parse_and_wrap("https://f.example/1", [url], ["Talks begin"]))] == [0]
    changed = publish(memory, parse_and_wrap("https://f.example/1", [url], ["Treaty signed after talks"]))
    assert [(a.revision, a.title) for a in changed] == [(1, "Treaty signed after talks")]
    # Another feed still shows the first title, in other white space and case: nothing to publish.
    assert publish(memory, parse_and_wrap("https://f.example/2", [url], ["talks  BEGIN"])) == []


def parse_and_wrap(feed_url: str, links: list[str], titles: list[str]):
    from producers.feed_poll import _articles
    from producers.search import FeedKind

    parsed = parse_feed(rss(*links, titles=titles), base_url=feed_url)
    return _articles(feed_url, FeedKind.FEED, parsed, LOCAL, fetch, lambda _: None, datetime.now(timezone.utc))


def test_conditional_get_sends_the_etag_and_takes_304(site):
    site.routes["/feed"] = Route(rss("https://n.example/a"), content_type="application/rss+xml", etag='"v1"')
    _, state = poll_feed(site.url("/feed"), None, config=LOCAL)
    assert state.etag == '"v1"'
    new, state2 = poll_feed(site.url("/feed"), state, config=LOCAL)
    assert new == [] and state2.last_status == FeedStatus.NOT_MODIFIED.value
    assert site.requests[-1] == ("/feed", '"v1"')


def test_an_html_page_is_not_a_feed(site):
    site.routes["/feed"] = Route(b"<html><body><h1>Welcome</h1><p>Nothing here</p></body></html>")
    new, state = poll_feed(site.url("/feed"), None, config=LOCAL)
    assert new == [] and state.last_status == "not_a_feed" and state.failures == 1 and "Welcome" in state.last_error


def test_unreachable_and_missing_feeds_are_recorded_not_raised(site):
    _, gone = poll_feed(site.url("/nothing"), None, config=LOCAL)
    assert gone.last_status == "not_found"
    _, down = poll_feed("http://127.0.0.1:9/feed", None, config=PollConfig(allow_private=True, timeout=2))
    assert down.last_status == "unreachable" and down.failures == 1


def test_failures_back_off_and_the_last_success_is_kept(site):
    site.routes["/feed"] = Route(rss("https://n.example/a"), content_type="application/rss+xml")
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    _, state = poll_feed(site.url("/feed"), None, config=LOCAL, now=now)
    site.routes["/feed"] = Route(b"down", status=500)
    waits = []
    for n in range(4):
        _, state = poll_feed(site.url("/feed"), state, config=LOCAL, now=now + timedelta(hours=n + 1))
        waits.append(state.interval_seconds)
    assert waits == [300, 600, 1200, 2400] and state.failures == 4 and state.last_status == "http_error"
    assert state.last_success_at == now
    site.routes["/feed"] = Route(rss("https://n.example/a"), content_type="application/rss+xml")
    _, state = poll_feed(site.url("/feed"), state, config=LOCAL, now=now + timedelta(hours=9))
    assert state.failures == 0 and state.interval_seconds == 300


def test_retry_after_and_cache_hints_lengthen_the_wait_within_bounds(site):
    site.routes["/limited"] = Route(b"slow down", status=429, headers={"Retry-After": "1800"})
    _, state = poll_feed(site.url("/limited"), None, config=LOCAL)
    assert state.last_status == "rate_limited" and state.interval_seconds == 1800
    site.routes["/cached"] = Route(rss("https://n.example/a", extra="<ttl>30</ttl>"),
                                   content_type="application/rss+xml", headers={"Cache-Control": "max-age=900"})
    _, state = poll_feed(site.url("/cached"), None, config=LOCAL)
    assert state.interval_seconds == 1800  # <ttl> of 30 minutes beats max-age of 15
    site.routes["/forever"] = Route(rss("https://n.example/a"), content_type="application/rss+xml",
                                    headers={"Cache-Control": "public, max-age=86400"})
    _, state = poll_feed(site.url("/forever"), None, config=LOCAL)
    assert state.interval_seconds == 3600  # the configured maximum


def test_private_addresses_are_refused_unless_allowed(site):
    with pytest.raises(FetchError) as info:
        fetch(site.url("/feed"), allow_private=False)
    assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS
    _, state = poll_feed(site.url("/feed"), None, config=PollConfig(allow_private=False))
    assert state.last_status == "forbidden_address"


def test_the_feed_parser_corpus_never_crashes_a_poll():
    corpus = need_shared("data", "feeds")
    files = [p for p in corpus.rglob("*") if p.is_file()]
    assert len(files) > 100
    from newsmon.fetch import Fetched

    with_entries = statuses = 0
    for path in files:
        body = path.read_bytes()

        def serve(url, **_kw):
            return Fetched(url, 200, body, {"content-type": "application/xml"})

        articles, state = poll_feed("http://feeds.example/" + path.name, None, config=LOCAL, fetcher=serve)
        assert state.last_status in ("ok", "not_a_feed"), (path, state.last_error)
        assert all(a.published is None or a.published.tzinfo is not None for a in articles)
        with_entries += bool(articles)
        statuses += 1
    assert statuses == len(files) and with_entries >= 5, with_entries  # most are parser cases without links


def test_redirects_are_followed_and_each_hop_is_checked(site):
    site.routes["/old"] = Route(b"", status=301, location="/feed")
    site.routes["/feed"] = Route(rss("https://n.example/a"), content_type="application/rss+xml")
    got = fetch(site.url("/old"), allow_private=True)
    assert got.url == site.url("/feed") and b"n.example/a" in got.body
    site.routes["/loop"] = Route(b"", status=302, location="/loop")
    with pytest.raises(FetchError) as info:
        fetch(site.url("/loop"), allow_private=True)
    assert info.value.kind is FetchFailure.TOO_MANY_REDIRECTS


def test_entries_are_published_in_the_order_they_happened_whatever_the_feed_order(site):
    items = "".join(f"<item><link>https://n.example/{name}</link><pubDate>{day} Jan 2024 10:00:00 GMT</pubDate></item>"
                    for name, day in [("mid", "Tue, 02"), ("old", "Mon, 01"), ("new", "Wed, 03")])
    site.routes["/feed"] = Route(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(),
                                 content_type="application/rss+xml")
    new, _ = poll_feed(site.url("/feed"), None, config=LOCAL)
    assert [a.url.rsplit("/", 1)[1] for a in new] == ["old", "mid", "new"]


def test_memory_forgets_what_no_feed_lists_any_more():
    memory = ArticleMemory(per_feed=3)
    for n in range(6):
        article = parse_and_wrap("https://f.example/1", [f"https://n.example/{n}"], [f"story {n}"])
        publish(memory, article)
        memory.listed("https://f.example/1", [a.canonical_url for a in article])
    assert list(memory.feeds["https://f.example/1"]) == [f"https://n.example/{n}" for n in (3, 4, 5)]
    assert memory.prune(every=3) == 3 and len(memory) == 3 and "https://n.example/0" not in memory
