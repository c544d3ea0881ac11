"""The page, /metrics, `newsmon status`, `newsmon dlq` and `newsmon feedback` against records on the real broker:
the view is built by reading the topics, and a restarted page shows the same."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsmon.registry import add_command, send_command
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
    TopicCommand,
    Topics,
    decode,
    dlq_topic,
    encode,
)
from tests.kafka_util import Background, records, send, wait_until

NOW = datetime.now(timezone.utc)
ROOT = Path(__file__).resolve().parents[1]
RI, AA = "russia-iran", "armenia-azerbaijan"
ALERT = Alert(alert_id="dev-abc", revision=1, headline="Russia and Iran sign an agreement (17 January 2025)",
              kind="agreement_signed", kind_label="agreement signed", actors=["Russia", "Iran"],
              event_date=datetime(2025, 1, 17, tzinfo=timezone.utc), date_from_text=True,
              evidence="Putin ve Pezeşkiyan antlaşmayı imzaladı.", evidence_language="tr", topic=RI,
              first_source=Source(url="https://haber.example/imza", title="Antlaşma imzalandı", language="tr",
                                  published=NOW - timedelta(hours=2)),
              corroborations=[Source(url="https://akhbar.example/sign", title="توقيع المعاهدة", language="ar")])
# The second story's development: its page, its filter and its feedback must keep it apart from the first's.
ALERT_AA = Alert(alert_id="dev-xyz", headline="Armenia and Azerbaijan sign a peace treaty (8 August 2025)",
                 kind="agreement_signed", kind_label="agreement signed", actors=["Armenia", "Azerbaijan"],
                 event_date=datetime(2025, 8, 8, tzinfo=timezone.utc), date_from_text=True,
                 evidence="Armenia and Azerbaijan signed the peace treaty in Washington.", evidence_language="en",
                 topic=AA, first_source=Source(url="https://news.example/peace", title="Peace treaty signed",
                                               language="en", published=NOW - timedelta(hours=1)))
AA_TOML = """
[topic]
id = "armenia-azerbaijan"
name = "Armenia – Azerbaijan"
description = "Developments between Armenia and Azerbaijan."
known_as_of = 2025-03-01

[[parties]]
id = "AM"
label = "Armenia"

[[parties]]
id = "AZ"
label = "Azerbaijan"

[[known]]
kind = "talks"
parties = ["AM", "AZ"]
date = 2025-03-01
date_from_text = true
evidence = "Pashinyan and Aliyev held talks in Abu Dhabi."
source = "seed-1.txt"
"""
# (url, title, language, {topic: (status, development)}); None: a record written before decisions named their topic
OFF = ("off_topic", None)
ARTICLES = (
    ("https://haber.example/imza", "Antlaşma imzalandı", "tr", {RI: ("new_development", "dev-abc"), AA: OFF}),
    ("https://akhbar.example/sign", "توقيع المعاهدة", "ar", {RI: ("corroboration", "dev-abc"), AA: OFF}),
    ("https://zeitung.example/alt", "Russland und Iran wollen Vertrag unterzeichnen", "de",
     {RI: ("known", None), AA: OFF}),
    ("https://news.example/nk", "Putin ratifies treaty with North Korea", "en", {RI: OFF, AA: OFF}),
    ("https://news.example/peace", "Peace treaty signed", "en", {RI: OFF, AA: ("new_development", "dev-xyz")}),
    # records written before decisions named their topic: under their alert's topic, else "(no topic)"
    ("https://old.example/copy", "Договор подписан", "ru", {None: ("corroboration", "dev-abc")}),
    ("https://old.example/quiet", "Старая новость", "ru", {None: ("known", None)}),
)


def topic_folders(root: Path) -> Path:
    """A topics folder with two stories: the default one and a small second one."""
    (root / RI).mkdir(parents=True)
    shutil.copy(ROOT / "topics" / RI / "topic.toml", root / RI / "topic.toml")
    (root / AA).mkdir()
    (root / AA / "topic.toml").write_text(AA_TOML, encoding="utf-8")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(settings) -> None:
    create_topics(settings)
    t = settings.topic
    for url, title, lang, decided in ARTICLES:
        send(settings, t(Topics.DISCOVERED), url, encode(DiscoveredArticle(
            url=url, canonical_url=url, feed_url="https://feeds.example/rss", title=title,
            site=url.split("/")[2], published=NOW - timedelta(hours=3))))
        for topic, (status, dev) in decided.items():
            decision = Decision(url=url, topic=topic, language=lang, on_topic=status != "off_topic", status=status,
                                development_id=dev, reason=f"because {status}",
                                matched=["seed:000.txt"] if dev is None else [])
            send(settings, t(Topics.DECISIONS), url, encode(decision))
            send(settings, t(Topics.DECISIONS), url, encode(decision))  # a redelivery counts once
    send(settings, t(Topics.ALERTS), "dev-abc", encode(ALERT.model_copy(update={"revision": 0, "corroborations": []})))
    send(settings, t(Topics.ALERTS), "dev-abc", encode(ALERT))
    send(settings, t(Topics.ALERTS), "dev-xyz", encode(ALERT_AA))
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


class Forms(HTMLParser):
    """The page's forms as a browser would send them: action and every input's name and value."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""

    def find(self, **fields: str) -> dict[str, str]:
        [found] = [f for _, f in self.forms if all(f.get(k) == v for k, v in fields.items())]
        return found


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
def filled(kafka, tmp_path):
    settings = kafka.model_copy(update={"topics_dir": topic_folders(tmp_path / "topics")})
    fill(settings)
    return settings


def test_the_page_shows_the_story_the_stream_feeds_and_health_and_survives_a_restart(filled):
    page, base = start_page(filled)
    try:
        timeline = get(base, f"/topics/{RI}")
        known_at = timeline.index('id="known"')
        assert known_at < timeline.index('id="developments"') < timeline.index(ALERT.headline)
        assert "Masoud Pezeshkian" in timeline[known_at:] or "Pezeshkian" in timeline  # a seed's evidence sentence
        assert ALERT.evidence in timeline and "Turkish, from the first report" in timeline
        assert "توقيع المعاهدة" in timeline and "(Arabic, akhbar.example)" in timeline
        assert "sent to slack" in timeline and "2025-01-17" in timeline
        known = get(base, f"/articles?topic={RI}&status=known")
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
        for series in (f'newsmon_decisions_total{{status="known",topic="{RI}"}} 1.0',
                       f'newsmon_decisions_total{{status="corroboration",topic="{RI}"}} 1.0',
                       f'newsmon_decisions_total{{status="off_topic",topic="{AA}"}} 4.0',
                       f'newsmon_decisions_total{{status="new_development",topic="{AA}"}} 1.0',
                       f'newsmon_decisions_total{{status="known",topic="{AA}"}} 0.0',
                       'newsmon_decisions_total{status="corroboration",topic=""} 1.0',  # an older, topic-less one
                       f'newsmon_alerts_total{{topic="{RI}"}} 1.0', f'newsmon_alerts_total{{topic="{AA}"}} 1.0',
                       f'newsmon_alerts_sent_total{{channel="slack",topic="{RI}",what="alert"}} 1.0',
                       'newsmon_dead_letters_total{topic="articles.discovered.dlq"} 1.0',
                       'newsmon_feeds{health="failing"} 1.0', 'newsmon_consumer_lag{stage="decide"}',
                       'newsmon_articles_total{stage="discovered"} 7.0', 'newsmon_articles_total{stage="decided"} 7.0',
                       'newsmon_stage_up{stage="decide"} 1.0',
                       'newsmon_publication_to_alert_seconds_bucket{le="900.0",to="sent"} 0.0',
                       'newsmon_publication_to_alert_seconds_bucket{le="1800.0",to="sent"} 1.0'):
            assert series in metrics, series
        assert f'newsmon_alerts_sent_total{{channel="slack",topic="{AA}"' not in metrics
    finally:
        page.stop()
    page, base = start_page(filled)  # the view is read back from the topics
    try:
        assert ALERT.headline in get(base, "/timeline") and "Russland und Iran" in get(base, "/articles")
    finally:
        page.stop()


def _row(html: str, topic_id: str) -> str:
    """One topic's row of the topic list."""
    return re.search(rf'<tr class="topic[^"]*" id="topic-{re.escape(topic_id)}">(.*?)</tr>', html, re.S).group(1)


def test_every_topic_its_own_timeline_filter_and_feedback(filled):
    t = filled.topic
    page, base = start_page(filled)
    try:
        assert get(base, "/").count('<tr class="topic') == 3  # the landing part: the topic list
        topics = get(base, "/topics")
        ri, aa, none = _row(topics, RI), _row(topics, AA), _row(topics, "-")
        # the older corroboration counts under its alert's topic; the older quiet one under "(no topic)"
        assert "Russia – Iran" in ri and ">4</a>" in ri and "of 6 decided" in ri and ALERT.headline in ri
        assert "Armenia – Azerbaijan" in aa and ">1</a>" in aa and "of 5 decided" in aa and ALERT_AA.headline in aa
        assert '<td class="developments">1</td>' in ri and '<td class="developments">1</td>' in aa
        assert "(no topic)" in none and "of 1 decided" in none and "none yet" in none
        assert topics.index(RI) < topics.index('id="topic--"'), "the followed topics come first"
        # each timeline: its own known facts, then only its own developments
        ri_page, aa_page = get(base, f"/topics/{RI}"), get(base, f"/topics/{AA}")
        assert ALERT.headline in ri_page and ALERT_AA.headline not in ri_page and "Abu Dhabi" not in ri_page
        assert ALERT_AA.headline in aa_page and ALERT.headline not in aa_page
        assert aa_page.index("Pashinyan and Aliyev held talks in Abu Dhabi.") < aa_page.index(ALERT_AA.headline)
        assert "Pezeshkian" not in aa_page and "1 known fact as of 2025-03-01" in aa_page
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(base, "/topics/nope")
        assert missing.value.code == 404
        everything = get(base, "/timeline")
        assert everything.index(ALERT_AA.headline) < everything.index(ALERT.headline)  # followed topics by id
        assert f'id="{RI}-known"' in everything and f'id="{AA}-known"' in everything
        # the stream filtered by topic
        peace = get(base, f"/articles?topic={AA}&status=new_development")
        assert "Peace treaty signed" in peace and "Antlaşma" not in peace and "1 article" in peace
        assert "5 articles" in get(base, f"/articles?topic={AA}")
        corroborations = get(base, f"/articles?topic={RI}&status=corroboration")
        assert "توقيع المعاهدة" in corroborations and "Договор подписан" in corroborations
        assert "2 articles" in corroborations
        off = get(base, f"/articles?topic={RI}&status=off_topic")
        assert "Putin ratifies" in off and "Peace treaty signed" in off and "Antlaşma" not in off
        untopical = get(base, "/articles?topic=-")
        assert "Старая новость" in untopical and "1 article" in untopical
        # feedback from a topic's page names that topic, and the page shows it on that topic's decision only
        form = Forms(aa_page).find(id="dev-xyz", verdict="not_new")
        assert form["topic"] == AA and form["back"] == f"/topics/{AA}"
        status, location = post(base, "/feedback", form)
        assert status == 303 and location.startswith(f"/topics/{AA}?notice=") and location.endswith("#dev-xyz")
        quiet = get(base, f"/articles?topic={AA}&status=off_topic")
        form = Forms(quiet).find(id="https://zeitung.example/alt", verdict="was_new")
        assert form["topic"] == AA
        assert post(base, "/feedback", form)[0] == 303
        assert post(base, "/feedback", {**form, "topic": "no-such-topic"})[0] == 400
        words = [decode(Feedback, r.value) for r in records(filled, t(Topics.FEEDBACK), at_least=2)]
        assert [(w.topic, w.key, w.verdict) for w in words] == [
            (AA, "development:dev-xyz", "not_new"), (AA, f"{AA}|article:https://zeitung.example/alt", "was_new")]
        assert wait_until(lambda: "marked not new" in get(base, f"/topics/{AA}"), timeout=20)
        assert wait_until(lambda: "marked new" in get(base, f"/articles?topic={AA}&status=off_topic"), timeout=20)
        ri_known = get(base, f"/articles?topic={RI}&status=known")
        assert "marked new" not in ri_known and "This was new" in ri_known  # the other topic's decision is untouched
    finally:
        page.stop()


def test_a_topic_added_while_the_page_runs_is_listed(filled, tmp_path):
    page, base = start_page(filled)
    try:
        folder = tmp_path / "serbia-kosovo"
        folder.mkdir()
        (folder / "topic.toml").write_text(AA_TOML.replace(AA, "serbia-kosovo").replace(
            "Armenia – Azerbaijan", "Serbia – Kosovo"), encoding="utf-8")
        send_command(filled, add_command(folder))
        assert wait_until(lambda: "Serbia – Kosovo" in get(base, "/topics"), timeout=30)
        assert "no development yet" in get(base, "/topics/serbia-kosovo").lower()
        send_command(filled, TopicCommand(topic_id="serbia-kosovo", action="remove"))
        assert wait_until(lambda: "Serbia – Kosovo" not in get(base, "/topics"), timeout=30)
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
        sent_back = [r for r in records(filled, t(Topics.DISCOVERED), at_least=len(ARTICLES) + 1)
                     if r.key == b"poison"]
        assert [r.value for r in sent_back] == [b'{"not": "a discovered article"}']
        assert wait_until(lambda: "Send back again" in get(base, "/health"), timeout=20)
    finally:
        page.stop()


def newsmon(settings, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers, "NEWSMON_NAMESPACE": settings.namespace,
           "NEWSMON_TOPICS_DIR": str(settings.topics_dir), "COLUMNS": "160"}  # the terminal width rich lays the status screen out for
    return subprocess.run([sys.executable, "-m", "newsmon.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_status_dlq_and_feedback_commands(filled):
    t = filled.topic
    shown = newsmon(filled, "status")
    assert shown.returncode == 0, shown.stderr
    for text in ("newsmon status", "Stages", "decide", "Today's articles", "Failing feeds (1 of 2)",
                 "broken.example", "Dead letters (1 waiting)", "articles.discovered.dlq/0/0", "Topics (2 followed)"):
        assert text in shown.stdout, text
    # one line per topic: today's articles by status (new, corr, ann, known, off), alerts today, last alert
    lines = {name: next(line for line in shown.stdout.splitlines() if f" {name} " in line)
             for name in (RI, AA, "(no topic)")}
    assert re.search(r"1\W+2\W+0\W+1\W+2\W+1\W+\d{4}-\d\d-\d\d \d\d:\d\d Russia and Iran", lines[RI]), lines[RI]
    assert re.search(r"1\W+0\W+0\W+0\W+4\W+1\W+\d{4}-\d\d-\d\d \d\d:\d\d Armenia and", lines[AA]), lines[AA]
    assert re.search(r"0\W+0\W+0\W+1\W+0\W+0\W+none", lines["(no topic)"]), lines["(no topic)"]
    as_json = json.loads(newsmon(filled, "status", "--json").stdout)
    assert as_json["today"]["articles"] == {"new_development": 2, "corroboration": 2, "known": 2, "off_topic": 6}
    topics = as_json["topics"]
    assert list(topics) == [AA, RI, ""]  # the followed ones (by id), then what records name besides
    assert topics[AA]["articles"] == {"new_development": 1, "off_topic": 4} and topics[AA]["alerts"] == 1
    assert topics[AA]["last_alert"]["headline"] == ALERT_AA.headline and topics[AA]["followed"]
    assert topics[RI]["articles"] == {"new_development": 1, "corroboration": 2, "known": 1, "off_topic": 2}
    assert topics[""] == {"followed": False, "articles": {"known": 1}, "alerts": 0, "last_alert": None}
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
