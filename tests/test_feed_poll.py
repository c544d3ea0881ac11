"""The feed producer's pure step against real HTTP servers on 127.0.0.1."""
import pytest

from newsmon.fetch import FetchFailure, fetch, FetchError
from producers.feed_parse import parse_feed
from producers.feed_poll import FeedStatus, poll_feed
from tests.conftest import need_shared
from tests.servers import Route


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link>"
                    f"<pubDate>Mon, 0{i + 1} Jan 2024 10:00:00 GMT</pubDate></item>" for i, link in enumerate(links))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>').encode()


def test_new_entries_are_published_once_oldest_first(site):
    site.routes["/feed"] = Route(rss("https://n.example/b?utm_source=rss", "https://n.example/a"),
                                 content_type="application/rss+xml")
    new, state = poll_feed(site.url("/feed"), None, allow_private=True)
    assert [a.canonical_url for a in new] == ["https://n.example/b", "https://n.example/a"]  # by date
    assert state.last_status == "ok" and set(state.seen) == {"https://n.example/a", "https://n.example/b"}
    site.routes["/feed"] = Route(rss("https://n.example/c", "https://n.example/b"), content_type="application/rss+xml")
    again, state2 = poll_feed(site.url("/feed"), state, allow_private=True)
    assert [a.canonical_url for a in again] == ["https://n.example/c"]


def test_conditional_get_sends_the_etag_and_takes_304(site):
    site.routes["/feed"] = Route(rss("https://n.example/a"), content_type="application/rss+xml", etag='"v1"')
    _, state = poll_feed(site.url("/feed"), None, allow_private=True)
    assert state.etag == '"v1"'
    new, state2 = poll_feed(site.url("/feed"), state, allow_private=True)
    assert new == [] and state2.last_status == FeedStatus.NOT_MODIFIED.value
    assert site.requests[-1] == ("/feed", '"v1"')


def test_an_html_page_is_not_a_feed(site):
    site.routes["/feed"] = Route(b"<html><body><h1>Welcome</h1><p>Nothing here</p></body></html>")
    new, state = poll_feed(site.url("/feed"), None, allow_private=True)
    assert new == [] and state.last_status == "not_a_feed" and state.failures == 1 and state.last_error


def test_unreachable_and_missing_feeds_are_recorded_not_raised(site):
    _, gone = poll_feed(site.url("/nothing"), None, allow_private=True)
    assert gone.last_status == "not_found"
    _, down = poll_feed("http://127.0.0.1:9/feed", None, allow_private=True, timeout=2)
    assert down.last_status == "unreachable" and down.failures == 1


def test_private_addresses_are_refused_unless_allowed(site):
    with pytest.raises(FetchError) as info:
        fetch(site.url("/feed"), allow_private=False)
    assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS
    _, state = poll_feed(site.url("/feed"), None, allow_private=False)
    assert state.last_status == "forbidden_address"




def test_the_feed_parser_corpus_never_raises():
    corpus = need_shared("data", "feeds")
    files = [p for p in corpus.rglob("*") if p.is_file()]
    assert len(files) > 100
    with_entries = 0
    for path in files:
        parsed = parse_feed(path.read_bytes(), base_url="http://example.org/feed.xml")
        with_entries += bool(parsed.entries)
    assert with_entries >= 1


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
    new, _ = poll_feed(site.url("/feed"), None, allow_private=True)
    assert [a.url.rsplit("/", 1)[1] for a in new] == ["old", "mid", "new"]
