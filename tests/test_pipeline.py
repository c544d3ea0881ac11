"""The pipeline on the real broker: bad input, the whole path to Slack and email, and a crash mid-batch."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from consumers.extract_service import run_extractor
from newsmon.stream import StopFlag
from producers.service import run_producer
from schemas import Alert, Decision, DeadLetter, ExtractedArticle, FeedState, Topics, decode, dlq_topic
from tests.conftest import need_shared
from tests.kafka_util import Background, records, send, wait_until
from tests.servers import Route
from tests.test_extract import ARTICLE, page


def rss_feed(items: list[tuple[str, str, datetime]]) -> bytes:
    body = "".join(f"<item><title>{title}</title><link>{link}</link><pubDate>{format_datetime(when)}</pubDate></item>"
                   for link, title, when in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def test_bad_input_is_logged_dead_lettered_and_the_stages_keep_running(kafka, site, caplog):
    caplog.set_level(logging.INFO)
    now = datetime.now(timezone.utc)
    russian = ["Россия и Иран провели в Москве третий раунд переговоров о системах противовоздушной обороны.",
               "Заместители министров обсудили поставки, запланированные на следующий год, говорится в заявлении.",
               "Стороны назвали переговоры конструктивными и договорились о новых встречах в Тегеране в марте."]
    site.routes["/good.html"] = Route(page(ARTICLE).encode())
    site.routes["/cp1251.html"] = Route(page(russian, "ru", "windows-1251").encode("cp1251"),
                                        content_type="text/html; charset=windows-1251")
    site.routes["/feed.xml"] = Route(rss_feed([(site.url("/good.html"), "good", now),
                                               (site.url("/missing.html"), "gone", now),
                                               (site.url("/cp1251.html"), "cp1251", now)]),
                                     content_type="application/rss+xml")
    site.routes["/html-feed"] = Route(b"<html><body><p>This is a web page, not a feed.</p></body></html>")
    settings = kafka.model_copy(update={"feeds": (site.url("/feed.xml"), site.url("/html-feed"),
                                                  "http://127.0.0.1:9/unreachable.xml")})
    run_producer(settings, StopFlag(install_signals=False), once=True)
    send(settings, settings.topic(Topics.DISCOVERED), "poison", b"\x00\x01 not json")
    extractor = Background(lambda stop: run_extractor(settings, stop))
    try:
        extracted = records(settings, settings.topic(Topics.EXTRACTED), at_least=2)
        letters = records(settings, dlq_topic(settings.topic(Topics.DISCOVERED)), at_least=1)
        assert wait_until(lambda: "missing.html" in caplog.text)
        assert extractor.thread.is_alive()
    finally:
        extractor.stop()
    texts = {decode(ExtractedArticle, r.value).url.rsplit("/", 1)[1]: decode(ExtractedArticle, r.value)
             for r in extracted}
    assert set(texts) == {"good.html", "cp1251.html"}
    assert "третий раунд переговоров" in texts["cp1251.html"].text
    assert [decode(DeadLetter, r.value).original_value() for r in letters] == [b"\x00\x01 not json"]
    states = {decode(FeedState, r.value).feed_url: decode(FeedState, r.value)
              for r in records(settings, settings.topic(Topics.FEED_STATE), at_least=3)}
    assert {url.rsplit("/", 1)[1]: s.last_status for url, s in states.items()} == {
        "feed.xml": "ok", "html-feed": "not_a_feed", "unreachable.xml": "unreachable"}
    assert "not_found" in caplog.text and "not a feed" in caplog.text


def test_a_restarted_producer_publishes_nothing_twice(kafka, site):
    now = datetime.now(timezone.utc)
    site.routes["/feed.xml"] = Route(rss_feed([(f"https://n.example/{i}", f"t{i}", now) for i in range(3)]),
                                     content_type="application/rss+xml")
    settings = kafka.model_copy(update={"feeds": (site.url("/feed.xml"),)})
    run_producer(settings, StopFlag(install_signals=False), once=True)
    run_producer(settings, StopFlag(install_signals=False), once=True)  # a new process: state from Kafka
    assert len(records(settings, settings.topic(Topics.DISCOVERED), at_least=3)) == 3


def mail_text(message) -> str:
    """The text/plain part of a (multipart) email."""
    parts = message.get_payload() if message.is_multipart() else [message]
    plain = next(p for p in parts if p.get_content_type() == "text/plain")
    return plain.get_payload(decode=True).decode(plain.get_content_charset() or "utf-8")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stage_env(settings, **extra: str) -> dict[str, str]:
    # the page on a port of its own: tests (and other sessions on this machine) never meet on 8080
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
           "NEWSMON_NAMESPACE": settings.namespace, "NEWSMON_ALLOW_PRIVATE_NETWORKS": "1",
           "NEWSMON_POLL_SECONDS": "1", "NEWSMON_PARTITIONS": str(settings.partitions), "NEWSMON_LOG_LEVEL": "INFO",
           "NEWSMON_WEB_PORT": str(free_port())}
    env.update(extra)
    return env


def serve_scenario(site, ids: list[str]) -> None:
    folder = need_shared("scenario", "dev")
    labels = {row["id"]: row for row in map(json.loads, (folder / "labels.jsonl").read_text().splitlines())}
    items = []
    for article_id in ids:
        site.routes[f"/a/{article_id}.html"] = Route((folder / "articles" / f"{article_id}.html").read_bytes())
        when = datetime.fromisoformat(labels[article_id]["published"].replace("Z", "+00:00"))
        items.append((site.url(f"/a/{article_id}.html"), article_id, when))
    site.routes["/feed.xml"] = Route(rss_feed(items), content_type="application/rss+xml")


def test_end_to_end_one_alert_on_each_channel_and_none_for_a_seed_copy(kafka, site, slack, mailbox):
    # d05 is a Dutch near-copy of a seed; d11 reports the treaty's signing, which nothing before reported.
    serve_scenario(site, ["d05", "d11"])
    env = stage_env(kafka, NEWSMON_FEEDS=site.url("/feed.xml"), NEWSMON_SLACK_WEBHOOK_URL=slack.url,
                    NEWSMON_SMTP_URL=mailbox.url, NEWSMON_EMAIL_TO="analyst@example.org")
    proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run", "--no-broker"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        decisions = records(kafka, kafka.topic(Topics.DECISIONS), at_least=2, timeout=120)
        assert wait_until(lambda: slack.received and mailbox.messages, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=90)
    by_page = {decode(Decision, r.value).url.rsplit("/", 1)[1]: decode(Decision, r.value) for r in decisions}
    assert by_page["d05.html"].status == "known" and not by_page["d05.html"].alert, err[-3000:]
    assert by_page["d11.html"].status == "new_development" and by_page["d11.html"].alert
    assert len(slack.received) == 1 and len(mailbox.messages) == 1
    assert "d11.html" in slack.received[0]["text"] and "d11.html" in mail_text(mailbox.messages[0])
    assert proc.returncode == 0


CRASH_PAGES = [
    ("Russia and Iran hold joint naval drills in the Caspian Sea",
     ["Russian and Iranian warships began a joint naval exercise in the Caspian Sea on Monday, the Russian "
      "defence ministry said.", "The drills involve ten ships from both navies and will last three days, "
      "according to Iranian state media.", "It is the first such exercise between the two navies this year, "
      "officials in Moscow and Tehran said."]),
    ("Iran and Russia agree on delivery of Su-35 fighter jets",
     ["Iran and Russia signed a contract on Tuesday for the delivery of Su-35 fighter jets to the Iranian air "
      "force, officials in Tehran announced.", "The first aircraft will arrive within months, Iran's defence "
      "minister said after meeting his Russian counterpart in Moscow.", "The deal follows years of talks "
      "between the two governments about modernising Iran's ageing fleet."]),
]


def test_sigkill_mid_batch_loses_no_article_and_sends_no_alert_twice(kafka, site, slack):
    now = datetime.now(timezone.utc)
    items = []
    for i in range(12):
        title, paragraphs = CRASH_PAGES[i % 2]
        extra = [f"Update {i}: reporters in several capitals followed the story closely on that day."]
        site.routes[f"/p/{i}.html"] = Route(page(paragraphs + extra).replace("Talks in Moscow", title).encode(),
                                            delay=0.4)
        items.append((site.url(f"/p/{i}.html"), title, now - timedelta(minutes=60 - i)))
    site.routes["/feed.xml"] = Route(rss_feed(items), content_type="application/rss+xml")
    env = stage_env(kafka, NEWSMON_FEEDS=site.url("/feed.xml"), NEWSMON_SLACK_WEBHOOK_URL=slack.url)

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "newsmon.cli", "stage", name], env=env,
                                stderr=subprocess.DEVNULL)

    procs = {name: start(name) for name in ("producer", "extract", "decide", "notify")}
    try:
        extracted_topic = kafka.topic(Topics.EXTRACTED)
        assert wait_until(lambda: len(records(kafka, extracted_topic, timeout=0)) >= 3, timeout=120)
        for name in ("extract", "decide"):  # in the middle of their batches: nothing of those batches committed
            procs[name].send_signal(signal.SIGKILL)
            procs[name].wait()
        procs["extract"], procs["decide"] = start("extract"), start("decide")
        decided = lambda: {decode(Decision, r.value).url for r in records(kafka, kafka.topic(Topics.DECISIONS),
                                                                          timeout=0)}
        assert wait_until(lambda: len(decided()) == 12, timeout=180), f"decided {len(decided())}/12"
        alerts = [decode(Alert, r.value) for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)]
        first = {a.alert_id for a in alerts if a.revision == 0}
        assert first, "the crash pages should raise at least one alert"
        assert wait_until(lambda: len(slack.received) >= len(first), timeout=60)
        procs["notify"].send_signal(signal.SIGKILL)  # the notifier restarts and reads its deliveries back
        procs["notify"].wait()
        procs["notify"] = start("notify")
        time.sleep(8)  # time for the restarted notifier to (wrongly) resend anything
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=60)
    ids = [m["text"].rsplit("alert ", 1)[1].split()[0] for m in slack.received]
    assert sorted(ids) == sorted(first), "each development alerted exactly once"
