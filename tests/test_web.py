"""The page, /metrics, `newsmon status`, `newsmon dlq` and `newsmon feedback` against records on the real broker:
the view is built by reading the topics, and a restarted page shows the same."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from newsmon.stream import create_topics
from newsmon.web.service import run_web
from schemas import (
    Alert,
    DeadLetter,
    Decision,
    DeliveryRecord,
    DiscoveredArticle,
    Feedback,
    FeedState,
    Heartbeat,
    Source,
    Topics,
    decode,
    dlq_topic,
    encode,
)
from tests.kafka_util import Background, records, send, wait_until

NOW = datetime.now(timezone.utc)
ALERT = Alert(alert_id="dev-abc", revision=1, headline="Russia and Iran sign an agreement (17 January 2025)",
              kind="agreement_signed", kind_label="agreement signed", actors=["Russia", "Iran"],
              event_date=datetime(2025, 1, 17, tzinfo=timezone.utc), date_from_text=True,
              evidence="Putin ve Pezeşkiyan antlaşmayı imzaladı.", evidence_language="tr", topic="russia-iran",
              first_source=Source(url="https://haber.example/imza", title="Antlaşma imzalandı", language="tr",
                                  published=NOW - timedelta(hours=2)),
              corroborations=[Source(url="https://akhbar.example/sign", title="توقيع المعاهدة", language="ar")])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(settings) -> None:
    create_topics(settings)
    t = settings.topic
    for url, title, lang, status, dev in (
            ("https://haber.example/imza", "Antlaşma imzalandı", "tr", "new_development", "dev-abc"),
            ("https://akhbar.example/sign", "توقيع المعاهدة", "ar", "corroboration", "dev-abc"),
            ("https://zeitung.example/alt", "Russland und Iran wollen Vertrag unterzeichnen", "de", "known", None),
            ("https://news.example/nk", "Putin ratifies treaty with North Korea", "en", "off_topic", None)):
        send(settings, t(Topics.DISCOVERED), url, encode(DiscoveredArticle(
            url=url, canonical_url=url, feed_url="https://feeds.example/rss", title=title,
            site=url.split("/")[2], published=NOW - timedelta(hours=3))))
        decision = Decision(url=url, language=lang, on_topic=status != "off_topic", status=status,
                            development_id=dev, reason=f"because {status}", matched=["seed:000.txt"] if dev is None else [])
        send(settings, t(Topics.DECISIONS), url, encode(decision))
        send(settings, t(Topics.DECISIONS), url, encode(decision))  # a redelivery counts once
    send(settings, t(Topics.ALERTS), "dev-abc", encode(ALERT.model_copy(update={"revision": 0, "corroborations": []})))
    send(settings, t(Topics.ALERTS), "dev-abc", encode(ALERT))
    send(settings, t(Topics.DELIVERIES), "dev-abc:0:slack", encode(DeliveryRecord(
        alert_id="dev-abc", revision=0, channel="slack", delivered_at=NOW - timedelta(minutes=90))))
    send(settings, t(Topics.FEED_STATE), "https://feeds.example/rss", encode(FeedState(
        feed_url="https://feeds.example/rss", last_status="ok", checked_at=NOW, last_success_at=NOW)))
    send(settings, t(Topics.FEED_STATE), "https://broken.example/rss", encode(FeedState(
        feed_url="https://broken.example/rss", last_status="not_found", last_error="404 Not Found", failures=5,
        checked_at=NOW)))
    send(settings, t(Topics.HEARTBEATS), "decide@h:1", encode(Heartbeat(stage="decide", instance="h:1",
                                                                        started_at=NOW, at=datetime.now(timezone.utc))))
    original = b'{"not": "a discovered article"}'
    send(settings, dlq_topic(t(Topics.DISCOVERED)), "poison", encode(DeadLetter(
        topic=t(Topics.DISCOVERED), partition=0, offset=7, key_b64=DeadLetter.b64(b"poison"),
        value_b64=DeadLetter.b64(original), stage="extract", error="poison message: 1 validation error", attempts=1)))


def get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as resp:
        return resp.read().decode("utf-8")


def post(base: str, path: str, fields: dict, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def start_page(settings) -> tuple[Background, str]:
    settings = settings.model_copy(update={"web_port": free_port()})
    page = Background(lambda stop: run_web(settings, stop))
    base = f"http://127.0.0.1:{settings.web_port}"

    def ready():
        try:
            return json.loads(get(base, "/ready"))["ready"]
        except (OSError, ValueError):
            return False

    assert wait_until(ready, timeout=60), "the page did not read the topics"
    return page, base


@pytest.fixture
def filled(kafka):
    fill(kafka)
    return kafka


def test_the_page_shows_the_story_the_stream_feeds_and_health_and_survives_a_restart(filled):
    page, base = start_page(filled)
    try:
        timeline = get(base, "/timeline")
        known_at = timeline.index('id="known"')
        assert known_at < timeline.index('id="developments"') < timeline.index(ALERT.headline)
        assert "Masoud Pezeshkian" in timeline[known_at:] or "Pezeshkian" in timeline  # a seed's evidence sentence
        assert ALERT.evidence in timeline and "Turkish, from the first report" in timeline
        assert "توقيع المعاهدة" in timeline and "(Arabic, akhbar.example)" in timeline
        assert "sent to slack" in timeline and "2025-01-17" in timeline
        known = get(base, "/articles?status=known")
        assert "Russland und Iran wollen Vertrag" in known and "Putin ratifies" not in known and "1 article" in known
        assert "This was new" in known  # a quiet article can be raised
        assert "Putin ratifies" in get(base, "/articles?lang=en") and "Antlaşma" not in get(base, "/articles?lang=en")
        searched = get(base, "/articles?q=north+korea")
        assert "Putin ratifies" in searched and "Antlaşma" not in searched
        feeds = get(base, "/feeds")
        assert "https://broken.example/rss" in feeds and "404 Not Found" in feeds and "failing" in feeds
        health = get(base, "/health")
        assert "poison message: 1 validation error" in health and "articles.discovered.dlq/0/0" in health
        assert wait_until(lambda: "decide" in json.loads(get(base, "/ready"))["lag"], timeout=20)
        metrics = get(base, "/metrics")
        for series in ('newsmon_decisions_total{status="known"} 1.0',
                       'newsmon_decisions_total{status="corroboration"} 1.0',
                       'newsmon_alerts_sent_total{channel="slack",what="alert"} 1.0',
                       'newsmon_dead_letters_total{topic="articles.discovered.dlq"} 1.0',
                       'newsmon_feeds{health="failing"} 1.0', 'newsmon_consumer_lag{stage="decide"}',
                       'newsmon_articles_total{stage="discovered"} 4.0', 'newsmon_stage_up{stage="decide"} 1.0',
                       'newsmon_publication_to_alert_seconds_bucket{le="900.0",to="sent"} 0.0',
                       'newsmon_publication_to_alert_seconds_bucket{le="1800.0",to="sent"} 1.0'):
            assert series in metrics, series
    finally:
        page.stop()
    page, base = start_page(filled)  # the view is read back from the topics
    try:
        assert ALERT.headline in get(base, "/timeline") and "Russland und Iran" in get(base, "/articles")
    finally:
        page.stop()


def test_feedback_and_dead_letters_from_the_page(filled):
    t = filled.topic
    page, base = start_page(filled)
    try:
        status, location = post(base, "/feedback", {"target": "development", "id": "dev-abc", "verdict": "not_new",
                                                     "back": "/timeline", "anchor": "dev-abc"})
        assert status == 303 and location.startswith("/timeline?notice=") and location.endswith("#dev-abc")
        status, _ = post(base, "/feedback", {"target": "article", "id": "https://zeitung.example/alt",
                                             "verdict": "was_new", "title": "Russland und Iran", "back": "/articles"})
        assert status == 303
        refused, _ = post(base, "/feedback", {"target": "development", "id": "dev-abc", "verdict": "off_topic"},
                          headers={"Origin": "http://elsewhere.example", "Sec-Fetch-Site": "cross-site"})
        assert refused == 403
        bad, _ = post(base, "/feedback", {"target": "development", "verdict": "not_new"})
        assert bad == 400
        words = [decode(Feedback, r.value) for r in records(filled, t(Topics.FEEDBACK), at_least=2)]
        assert [(w.key, w.verdict) for w in words] == [("development:dev-abc", "not_new"),
                                                       ("article:https://zeitung.example/alt", "was_new")]
        assert wait_until(lambda: "marked not new" in get(base, "/timeline"), timeout=20)
        status, _ = post(base, "/dead-letters/replay", {"id": "articles.discovered.dlq/0/0", "back": "/health"})
        assert status == 303
        [back] = records(filled, t(Topics.DISCOVERED), at_least=5)[4:5] or [None]
        assert back is not None and back.value == b'{"not": "a discovered article"}' and back.key == b"poison"
        assert wait_until(lambda: "Send back again" in get(base, "/health"), timeout=20)
    finally:
        page.stop()


def newsmon(settings, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers, "NEWSMON_NAMESPACE": settings.namespace,
           "COLUMNS": "160"}  # the terminal width rich lays the status screen out for
    return subprocess.run([sys.executable, "-m", "newsmon.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_status_dlq_and_feedback_commands(filled):
    t = filled.topic
    shown = newsmon(filled, "status")
    assert shown.returncode == 0, shown.stderr
    for text in ("newsmon status", "Stages", "decide", "Today's articles", "Failing feeds (1 of 2)",
                 "broken.example", "Dead letters (1 waiting)", "articles.discovered.dlq/0/0"):
        assert text in shown.stdout, text
    as_json = json.loads(newsmon(filled, "status", "--json").stdout)
    assert as_json["today"]["articles"] == {"new_development": 1, "corroboration": 1, "known": 1, "off_topic": 1}
    assert as_json["stages"]["decide"]["alive"] == 1 and as_json["stages"]["producer"]["alive"] == 0
    assert "articles.discovered.dlq/0/0" in newsmon(filled, "dlq", "list").stdout
    replayed = newsmon(filled, "dlq", "replay", "--all")
    assert replayed.returncode == 0 and "sent back: articles.discovered.dlq/0/0" in replayed.stdout
    again = newsmon(filled, "dlq", "replay", "--all")
    assert "sent back:" not in again.stdout and "1 already sent back" in again.stdout
    assert newsmon(filled, "dlq", "replay", "nope/0/0").returncode == 1
    assert len([r for r in records(filled, t(Topics.DISCOVERED), timeout=0) if r.key == b"poison"]) == 1
    done = newsmon(filled, "feedback", "not-new", "dev-abc")
    assert done.returncode == 0 and "development:dev-abc" in done.stdout
    assert newsmon(filled, "feedback", "was-new", "").returncode == 2
    [word] = [decode(Feedback, r.value) for r in records(filled, t(Topics.FEEDBACK), at_least=1)]
    assert word.development_id == "dev-abc" and word.verdict == "not_new"
