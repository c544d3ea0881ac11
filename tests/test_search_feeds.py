"""Search feeds: the topic's queries become GDELT, Google News and Bing feeds, and their entries become articles
with publisher URLs. Against local servers that answer like the three services, including when they are down."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsmon.settings import load_settings
from producers.feed_list import configured_feeds, read_listing, topic_queries
from producers.feed_poll import PollConfig, poll_feed
from producers.memory import ArticleMemory
from producers.schedule import Schedule
from producers.search import (FeedKind, SearchServices, feed_kind, feed_language, locales, search_feed_urls,
                              unwrap_redirect)
from tests.search_fakes import BingNewsFake, GdeltFake, GoogleNewsFake, Story
from tests.servers import Site

TASS = Story("Russia and Iran sign treaty", "https://tass.example/politics/1?utm_source=gdelt", "TASS")
IRNA = Story("Iran, Russia hold naval drill", "https://www.irna.example/news/2", "IRNA")
SPIEGEL = Story("Russland und Iran unterzeichnen Vertrag", "https://www.spiegel.example/ausland/vertrag-a-3",
                "DER SPIEGEL", language="de")
KOMMERSANT = Story("Россия и Иран подписали договор", "https://www.kommersant.example/doc/4", "Коммерсантъ",
                   language="ru")


@pytest.fixture
def services():
    sites = {name: Site() for name in ("gdelt", "google", "bing")}
    fakes = {"gdelt": GdeltFake(sites["gdelt"]), "google": GoogleNewsFake(sites["google"]),
             "bing": BingNewsFake(sites["bing"])}
    for fake in fakes.values():
        fake.stories.extend([TASS, IRNA, SPIEGEL, KOMMERSANT])
    fakes["sites"] = sites
    fakes["config"] = PollConfig(allow_private=True, timeout=5, schedule=Schedule(jitter=0.0), services=SearchServices(
        gdelt_url=fakes["gdelt"].url, google_news_url=fakes["google"].base, bing_news_url=fakes["bing"].url))
    yield fakes
    for site in sites.values():
        site.close()


QUERIES = {"en": ["Russia Iran"], "de": ["Russland Iran"], "ru": ["Россия Иран"], "fa": ["روسیه ایران"]}


def test_queries_become_search_feeds_of_each_service_in_each_language(services):
    urls = search_feed_urls(QUERIES, services["config"].services)
    kinds = [(feed_kind(u, services["config"].services), feed_language(u, feed_kind(u, services["config"].services)))
             for u in urls]
    assert kinds.count((FeedKind.GDELT, "fa")) == 1 and (FeedKind.GOOGLE_NEWS, "fa") not in kinds  # no edition
    assert {lang for kind, lang in kinds if kind is FeedKind.GDELT} == {"en", "de", "ru", "fa"}
    assert {lang for kind, lang in kinds if kind is FeedKind.GOOGLE_NEWS} == {"en", "de", "ru"}
    assert {lang for kind, lang in kinds if kind is FeedKind.BING_NEWS} == {"en", "de", "ru"}
    gdelt_ru = next(u for u in urls if feed_kind(u, services["config"].services) is FeedKind.GDELT and "russian" in u)
    assert "Russia%20Iran%20sourcelang%3Arussian" in gdelt_ru  # GDELT searches English translations
    google_ru = next(u for u in urls if "ceid=RU%3Aru" in u)
    assert "hl=ru&gl=RU" in google_ru and "%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F" in google_ru


def test_gdelt_json_and_rss_give_publisher_urls_sites_languages_and_dates(services):
    config = services["config"]
    url = search_feed_urls({"en": ["Russia Iran"], "de": ["Russland Iran"]}, config.services)
    gdelt_de = next(u for u in url if "sourcelang%3Agerman" in u)
    articles, state = poll_feed(gdelt_de, None, config=config)
    assert state.last_status == "ok" and state.kind == "gdelt"
    assert [(a.url, a.site, a.language, a.resolved) for a in articles] == [
        (SPIEGEL.url, "spiegel.example", "de", True)]
    assert articles[0].published == SPIEGEL.published and articles[0].date_status == "ok"
    everything, _ = poll_feed(services["gdelt"].url + "?query=Russia%20Iran&mode=artlist&format=rss", None,
                              config=config)
    assert {a.canonical_url for a in everything} == {"https://tass.example/politics/1", "https://www.irna.example/news/2",
                                                     SPIEGEL.url, KOMMERSANT.url}


def test_google_news_links_are_resolved_to_the_publisher_once(services):
    config, google = services["config"], services["google"]
    feed = next(u for u in search_feed_urls({"en": ["Russia Iran"]}, config.services) if "/rss/search" in u)
    articles, state = poll_feed(feed, None, config=config)
    assert state.last_status == "ok" and state.kind == "google_news"
    assert {(a.canonical_url, a.title, a.site, a.site_name, a.language) for a in articles} == {
        ("https://tass.example/politics/1", TASS.title, "tass.example", "TASS", "en"),
        ("https://www.irna.example/news/2", IRNA.title, "irna.example", "IRNA", "en")}
    assert all(a.resolved and "/rss/articles/CBMi" in a.aggregator_url for a in articles)
    posts = [r for r in google.site.log if r.method == "POST"]
    assert len(posts) == 1  # one batch request for the whole feed
    memory = ArticleMemory()
    for article in memory.admit(articles):
        memory.remember(article)
    before = len(google.site.log)
    again, _ = poll_feed(feed, None, config=config, known_alias=memory.alias)
    assert {a.canonical_url for a in again} == {a.canonical_url for a in articles}
    assert len(google.site.log) == before + 1  # only the feed itself: known links are not decoded again


def test_a_google_link_without_an_answer_stays_unresolved_with_its_title_and_source(services):
    config, google = services["config"], services["google"]
    google.unknown.add(IRNA.url)
    feed = next(u for u in search_feed_urls({"en": ["Russia Iran"]}, config.services) if "/rss/search" in u)
    articles, state = poll_feed(feed, None, config=config)
    by_title = {a.title: a for a in articles}
    lost = by_title[IRNA.title]
    assert not lost.resolved and lost.url.startswith(google.base + "/rss/articles/") and lost.site_name == "IRNA"
    assert lost.site == "irna.example" and IRNA.title in lost.summary
    assert by_title[TASS.title].resolved and state.last_status == "ok"


def test_google_decoder_down_retries_the_whole_feed_later(services):
    config, google = services["config"], services["google"]
    google.decoder_down = True
    feed = next(u for u in search_feed_urls({"de": ["Russland Iran"]}, config.services) if "/rss/search" in u)
    articles, state = poll_feed(feed, None, config=config)
    assert articles == [] and state.last_status == "resolver_failed" and state.failures == 1
    assert state.etag is None and "batchexecute" in state.last_error
    google.decoder_down = False
    articles, state = poll_feed(feed, state, config=config)
    assert [a.url for a in articles] == [SPIEGEL.url] and state.failures == 0


def test_bing_redirect_links_give_the_publisher_url(services):
    config = services["config"]
    feed = next(u for u in search_feed_urls({"ru": ["Россия Иран"]}, config.services) if "/news/search" in u)
    articles, state = poll_feed(feed, None, config=config)
    assert state.kind == "bing_news"
    assert [(a.url, a.site, a.site_name, a.language) for a in articles] == [
        (KOMMERSANT.url, "kommersant.example", "Коммерсантъ", "ru")]
    assert unwrap_redirect("https://n.example/a?url=https://x.example/") == "https://n.example/a?url=https://x.example/"


def test_each_service_down_is_recorded_on_its_feed(services):
    config = services["config"]
    urls = search_feed_urls({"en": ["Russia Iran"]}, config.services)
    services["gdelt"].down = "rate_limited"
    gdelt = next(u for u in urls if feed_kind(u, config.services) is FeedKind.GDELT)
    _, state = poll_feed(gdelt, None, config=config)
    assert state.last_status == "rate_limited" and state.interval_seconds == 900  # Retry-After honoured
    services["gdelt"].down = "text_error"
    _, state = poll_feed(gdelt, state, config=config)
    assert state.last_status == "not_a_feed" and "phrase is too short" in state.last_error and state.failures == 2
    services["sites"]["bing"].close()
    bing = next(u for u in urls if feed_kind(u, config.services) is FeedKind.BING_NEWS)
    _, state = poll_feed(bing, None, config=config)
    assert state.last_status == "unreachable"
    services["sites"]["bing"] = Site()  # the fixture closes it again


def test_the_default_story_searches_all_16_languages_with_publisher_urls():
    settings = load_settings(feeds=())
    urls = configured_feeds(settings)
    svc = SearchServices()
    kinds = {u: feed_kind(u, svc) for u in urls}
    languages = {feed_language(u, k) for u, k in kinds.items() if k is FeedKind.GDELT}
    assert languages == set(locales()) and len(languages) == 16
    direct = [u for u, k in kinds.items() if k is FeedKind.FEED]
    assert direct, "the agencies' own feeds"
    google = {feed_language(u, k) for u, k in kinds.items() if k is FeedKind.GOOGLE_NEWS}
    assert google == set(locales()) - {"is", "fa"}


def test_topic_queries_come_from_topic_toml_when_it_has_them(tmp_path: Path):
    (tmp_path / "topic.toml").write_text('[topic]\nid = "x"\n[queries]\nen = ["Armenia Azerbaijan"]\n'
                                         'hy = ["Հայաստան Ադրբեջան"]\n', encoding="utf-8")
    (tmp_path / "feeds.txt").write_text("https://agency.example/rss # an outlet\nquery en: Russia Iran\n",
                                        encoding="utf-8")
    assert topic_queries(tmp_path) == {"en": ["Armenia Azerbaijan"], "hy": ["Հայաստան Ադրբեջան"]}
    urls = configured_feeds(load_settings(topic_dir=tmp_path, feeds=()))
    assert urls[0] == "https://agency.example/rss"
    assert any("Armenia" in u for u in urls) and not any("Russia" in u for u in urls)
    assert read_listing(tmp_path / "feeds.txt") == (["https://agency.example/rss"], {"en": ["Russia Iran"]})
    (tmp_path / "topic.toml").write_text('[topic]\nid = "x"\n', encoding="utf-8")
    assert any("Russia" in u for u in configured_feeds(load_settings(topic_dir=tmp_path, feeds=())))
