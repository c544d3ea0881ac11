import pytest
from pydantic import ValidationError

from schemas import SCHEMA_VERSION, DeadLetter, DiscoveredArticle, Topics, all_topics, decode, encode, topic_name


def test_round_trip_keeps_every_field():
    article = DiscoveredArticle(url="https://a.example/x?utm_source=y", canonical_url="https://a.example/x",
                                feed_url="https://a.example/feed", title="T")
    back = decode(DiscoveredArticle, encode(article))
    assert back == article and back.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"url": 3}', "é".encode("latin-1")])
def test_bytes_that_are_not_the_contract_are_rejected(raw):
    with pytest.raises((ValidationError, ValueError)):
        decode(DiscoveredArticle, raw)


def test_a_newer_schema_version_is_refused_not_misread():
    raw = encode(DiscoveredArticle(url="u", canonical_url="u", feed_url="f")).replace(
        f'"schema_version":{SCHEMA_VERSION}'.encode(), f'"schema_version":{SCHEMA_VERSION + 1}'.encode())
    with pytest.raises(ValidationError):
        decode(DiscoveredArticle, raw)


def test_dead_letter_keeps_the_original_bytes():
    raw = b"\xff\xfe garbage"
    letter = DeadLetter(topic="t", partition=0, offset=1, key_b64=None, value_b64=DeadLetter.b64(raw),
                        stage="extract", error="x", attempts=1)
    assert decode(DeadLetter, encode(letter)).original_value() == raw


def test_topic_names_are_namespaced_and_state_topics_compacted():
    names = {topic_name(s, "ns") for s in all_topics()}
    assert "ns.articles.discovered" in names and "ns.articles.discovered.dlq" in names
    assert Topics.DECIDER_STATE.compacted and Topics.FEED_STATE.compacted and not Topics.DISCOVERED.compacted


def test_a_feed_state_written_before_the_new_fields_is_still_read():
    from schemas import FeedState

    old = b'{"schema_version":1,"feed_url":"https://f.example/rss","etag":"\\"v1\\"","seen":["https://n.example/a"],' \
          b'"last_status":"ok","last_error":"","checked_at":"2024-10-01T12:00:00Z","failures":0}'
    state = decode(FeedState, old)
    assert state.seen == ["https://n.example/a"] and state.next_poll_at is None and state.items_published == 0


def test_a_discovered_article_written_before_the_new_fields_is_still_read():
    old = b'{"schema_version":1,"url":"u","canonical_url":"u","feed_url":"f","title":"t"}'
    article = decode(DiscoveredArticle, old)
    assert article.revision == 0 and article.resolved and article.feed_urls == [] and article.date_status == "ok"
