"""Feed bytes → entries: dates that lie, JSON Feed, GDELT's JSON, languages and publishers. Pure."""
import json
from datetime import datetime, timedelta, timezone

from newsmon.fetch import Fetched
from producers.feed_parse import language_code, parse_feed, plain
from producers.feed_poll import PollConfig, poll_feed


def rss_item(date: str, link: str = "https://n.example/a") -> bytes:
    return (f'<rss version="2.0"><channel><title>F</title><language>de-DE</language><ttl>45</ttl>'
            f"<item><title>T</title><link>{link}</link>{date}</item></channel></rss>").encode()


def test_dates_are_aware_utc_and_missing_or_unreadable_ones_are_flagged():
    ok = parse_feed(rss_item("<pubDate>Tue, 01 Oct 2024 12:00:00 +0200</pubDate>"), base_url="https://f.example/")
    assert ok.entries[0].published == datetime(2024, 10, 1, 10, 0, tzinfo=timezone.utc)
    assert ok.entries[0].date_status == "ok" and ok.language == "de" and ok.ttl_seconds == 2700
    german = parse_feed(rss_item("<pubDate>Di, 01 Okt 2024 12:00:00 GMT</pubDate>"), base_url="https://f.example/")
    assert german.entries[0].published == datetime(2024, 10, 1, 12, 0, tzinfo=timezone.utc)
    missing = parse_feed(rss_item(""), base_url="https://f.example/")
    assert missing.entries[0].published is None and missing.entries[0].date_status == "missing"
    junk = parse_feed(rss_item("<pubDate>when the cows come home</pubDate>"), base_url="https://f.example/")
    assert junk.entries[0].published is None and junk.entries[0].date_status == "unparseable"


def test_a_date_in_the_future_is_refused_and_flagged():
    now = datetime(2024, 10, 1, tzinfo=timezone.utc)
    body = rss_item(f"<pubDate>{(now + timedelta(days=3)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>")
    articles, _ = poll_feed("https://f.example/feed", None, config=PollConfig(),
                            fetcher=lambda url, **_: Fetched(url, 200, body, {}), now=now)
    assert articles[0].published is None and articles[0].date_status == "future"
    near = rss_item(f"<pubDate>{(now + timedelta(minutes=5)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>")
    articles, _ = poll_feed("https://f.example/feed", None, config=PollConfig(),
                            fetcher=lambda url, **_: Fetched(url, 200, near, {}), now=now)
    assert articles[0].date_status == "ok"  # clocks differ by minutes; that is no lie


def test_json_feed_is_read():
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Agency", "language": "en-GB",
            "items": [{"id": "1", "url": "https://agency.example/1", "title": "Iran and Russia sign",
                       "content_html": "<p>Officials <b>signed</b> a treaty.</p>", "date_published": "2024-10-01T09:00:00+03:00"},
                      {"id": "2", "title": "no link, no article"}]}
    parsed = parse_feed(json.dumps(feed).encode(), base_url="https://agency.example/feed.json")
    assert parsed.problem is None and parsed.title == "Agency"
    [entry] = parsed.entries
    assert entry.summary == "Officials signed a treaty." and entry.language == "en"
    assert entry.published == datetime(2024, 10, 1, 6, 0, tzinfo=timezone.utc)


def test_gdelt_json_empty_and_error_answers():
    assert parse_feed(b"{}", base_url="https://api.example/doc").entries == []
    assert parse_feed(b"{}", base_url="https://api.example/doc").problem is None
    bad = parse_feed(b"Invalid query: the specified phrase is too short.", base_url="https://api.example/doc")
    assert bad.problem and "phrase is too short" in bad.problem
    broken = parse_feed(b'{"articles": [{"url": "https://x.example/1", "seendate": "yesterday"}]',
                        base_url="https://api.example/doc")
    assert broken.problem and "not a feed" in broken.problem


def test_relative_links_are_made_absolute_and_text_is_plain():
    body = b'<rss version="2.0"><channel><item><title>A &amp; B <i>now</i></title><link>/news/1</link></item></channel></rss>'
    [entry] = parse_feed(body, base_url="https://site.example/feeds/all.xml").entries
    assert entry.url == "https://site.example/news/1" and entry.title == "A & B now"
    assert plain("<p>x&nbsp;y</p>") == "x y" and language_code("German") == "de" and language_code("pt_BR") == "pt"
