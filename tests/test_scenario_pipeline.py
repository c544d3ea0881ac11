"""The dev scenario through the running pipeline: feed → producer → extract → decide → alerts → Slack and email,
scored with the scenario's own scorer from what the decider wrote to Kafka; then the page, in a real browser
(headless Chromium), shows the story's timeline with those developments."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from schemas import Alert, Decision, Topics, decode
from tests.conftest import need_shared
from tests.kafka_util import records, wait_until
from tests.servers import Mailbox, Route, Site, SlackFake
from tests.test_pipeline import rss_feed, stage_env

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ScenarioRun:
    settings: object
    labels: list[dict]
    slack: SlackFake
    mailbox: Mailbox
    page: str  # the running page's address
    stderr_path: Path


@pytest.fixture(scope="module")
def scenario(broker_settings, tmp_path_factory):
    """`newsmon run` (every stage, the page included) over the dev scenario, left running for this module's tests."""
    folder = need_shared("scenario")
    settings = broker_settings.model_copy(update={"namespace": f"t{uuid.uuid4().hex[:10]}", "partitions": 1})
    labels = [json.loads(line) for line in (folder / "dev" / "labels.jsonl").read_text().splitlines() if line]
    site, slack, mailbox = Site(), SlackFake(), Mailbox()
    items = []
    for row in labels:
        site.routes[f"/a/{row['id']}.html"] = Route((folder / "dev" / "articles" / f"{row['id']}.html").read_bytes())
        items.append((site.url(f"/a/{row['id']}.html"), row["id"],
                      datetime.fromisoformat(row["published"].replace("Z", "+00:00"))))
    site.routes["/feed.xml"] = Route(rss_feed(items), content_type="application/rss+xml")
    # One partition: the decider then sees the articles in the order the feed published them (oldest first).
    env = stage_env(settings, NEWSMON_FEEDS=site.url("/feed.xml"), NEWSMON_SLACK_WEBHOOK_URL=slack.url,
                    NEWSMON_SMTP_URL=mailbox.url, NEWSMON_EMAIL_TO="analyst@example.org", NEWSMON_PARTITIONS="1")
    stderr_path = tmp_path_factory.mktemp("scenario") / "stderr.log"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run", "--no-broker"], env=env,
                                stderr=stderr, stdout=subprocess.PIPE, text=True)
    run = ScenarioRun(settings, labels, slack, mailbox, f"http://127.0.0.1:{env['NEWSMON_WEB_PORT']}", stderr_path)
    try:
        yield run, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=90)
        print(out)
        for server in (site, slack, mailbox):
            server.close()


def test_dev_scenario_through_kafka_meets_the_bar(scenario, tmp_path):
    run, proc = scenario
    kafka, labels, slack, mailbox = run.settings, run.labels, run.slack, run.mailbox
    folder = need_shared("scenario")
    decided = lambda: {decode(Decision, r.value).url for r in records(kafka, kafka.topic(Topics.DECISIONS),  # noqa: E731
                                                                      timeout=0)}
    assert wait_until(lambda: len(decided()) == len(labels), timeout=300), f"{len(decided())} decided"
    alerts = [decode(Alert, r.value) for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)]
    firsts = {a.alert_id: a for a in alerts if a.revision == 0}
    assert wait_until(lambda: len(slack.received) >= len(firsts) and len(mailbox.messages) >= len(firsts), 60)
    by_id = {}
    for r in records(kafka, kafka.topic(Topics.DECISIONS), timeout=0):
        decision = decode(Decision, r.value)
        by_id.setdefault(decision.url.rsplit("/", 1)[1].removesuffix(".html"), decision)  # first decision wins
    url_of = {row["id"]: row["url"] for row in labels}
    out = tmp_path / "decisions.jsonl"
    out.write_text("".join(json.dumps({**d.model_dump(mode="json"), "url": url_of[i]}) + "\n"
                           for i, d in by_id.items()), encoding="utf-8")
    scored = subprocess.run([sys.executable, str(folder / "score.py"), str(folder / "dev" / "labels.jsonl"),
                             str(out)], capture_output=True, text=True)
    print(scored.stdout)
    figures = scored.stdout.strip().splitlines()[-1].split()
    figures = dict(zip(figures[1::2], figures[2::2]))
    assert float(figures["recall"]) == 1.0 and float(figures["precision"]) >= 0.9
    assert float(figures["grouping"]) >= 0.9
    # One message per development on each channel, and what reaches people is the alert's text.
    assert len(slack.received) == len(firsts) == len(mailbox.messages)
    for alert in firsts.values():
        message = next(m for m in slack.received if alert.alert_id in m["text"])
        assert alert.headline in message["text"] and alert.first_source.url in message["text"]
        assert message["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": alert.headline[:150],
                                                                  "emoji": False}}
        if alert.evidence:
            assert alert.evidence in message["text"] and "Evidence (" in message["text"]
    subjects = {" ".join(str(make_header(decode_header(m["Subject"]))).split()) for m in mailbox.messages}
    assert subjects == {f"[newsmon] {a.headline}" for a in firsts.values()}
    # Start-up reads as one line per stage, and kafka-python's routine chatter stays out of INFO.
    log = run.stderr_path.read_text()
    for stage in ("producer", "extract", "decide", "notify", "web"):
        assert f"{stage}: started" in log or f"{stage}: " in log, stage
    assert "Marking the coordinator dead" not in log and "blocking the event loop" not in log


def chromium_driver():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
                    ".ci/run installs them when missing)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1800",
                "--lang=en-US"):
        options.add_argument(arg)
    # The page must work without JavaScript: the browser runs with it off.
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(options=options, service=Service(driver))


def test_the_page_shows_the_timeline_in_a_real_browser(scenario, tmp_path):
    run, proc = scenario
    kafka = run.settings
    from selenium.webdriver.common.by import By

    browser = chromium_driver()
    try:
        decided = lambda: len(records(kafka, kafka.topic(Topics.DECISIONS), timeout=0))  # noqa: E731
        assert wait_until(lambda: decided() >= len(run.labels), timeout=300)
        alerts = [decode(Alert, r.value) for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)]
        latest = {}
        for a in alerts:
            latest[a.alert_id] = a
        assert latest, "the scenario raises developments"

        def shown() -> list[str]:
            browser.get(run.page + "/timeline")
            return [h.text for h in browser.find_elements(By.CSS_SELECTOR, "article.development h4")]

        assert wait_until(lambda: len(shown()) == len(latest), timeout=60), shown()
        assert sorted(shown()) == sorted(a.headline for a in latest.values())
        from consumers.topics.model import load_topic

        facts = browser.find_elements(By.CSS_SELECTOR, "ol.known li.fact")
        assert len(facts) == len(load_topic(ROOT / "topics" / "russia-iran").known)
        first_fact = facts[0].location["y"]
        developments = browser.find_elements(By.CSS_SELECTOR, "article.development")
        assert all(d.location["y"] > first_fact for d in developments), "the known facts come first"
        # every development shows its evidence in its original language, named, and its first source
        for article in developments:
            alert = next(a for a in latest.values() if a.alert_id == article.get_attribute("id"))
            if alert.evidence:
                quote = article.find_element(By.CSS_SELECTOR, "blockquote")
                assert quote.text == alert.evidence and quote.get_attribute("lang") == (alert.evidence_language or "")
            assert article.find_element(By.CSS_SELECTOR, "p.first a").get_attribute("href") == alert.first_source.url
            assert len(article.find_elements(By.CSS_SELECTOR, "ul.corroborations li")) == len(alert.corroborations)
        shot = os.environ.get("NEWSMON_SCREENSHOT") or str(tmp_path / "timeline.png")
        browser.set_window_size(1280, 1500)
        browser.get(run.page + "/timeline#developments")
        browser.save_screenshot(shot)
        # Feedback with the browser's own form submission (no JavaScript): "Not new" on the first development.
        browser.get(run.page + "/timeline")
        first = browser.find_elements(By.CSS_SELECTOR, "article.development")[0]
        target = first.get_attribute("id")
        first.find_element(By.XPATH, ".//button[text()='Not new']").click()
        # the click starts the form's navigation; the answer page (with its banner) comes when the POST is done
        assert wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "p.banner.ok"), timeout=30), \
            (browser.current_url, [b.text for b in browser.find_elements(By.CSS_SELECTOR, "p.banner")])
        assert "Marked not new" in browser.find_element(By.CSS_SELECTOR, "p.banner.ok").text
        assert wait_until(lambda: (browser.get(run.page + "/timeline") or True) and "dismissed" in
                          browser.find_element(By.ID, target).get_attribute("class"), timeout=30)
        browser.get(run.page + "/articles?status=known")
        rows = browser.find_elements(By.CSS_SELECTOR, "table.stream tbody tr.s-known")
        assert rows and all("known" in r.text for r in rows)
    finally:
        browser.quit()


def test_status_after_the_scenario_names_every_stage_and_todays_figures(scenario):
    run, proc = scenario
    kafka = run.settings
    assert wait_until(lambda: len(records(kafka, kafka.topic(Topics.DECISIONS), timeout=0)) >= len(run.labels), 300)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "NEWSMON_NAMESPACE": kafka.namespace,
           "COLUMNS": "100"}
    status = lambda *a: subprocess.run([sys.executable, "-m", "newsmon.cli", "status", *a], env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    found = json.loads(status("--json").stdout)
    assert {stage: s["alive"] for stage, s in found["stages"].items()} == {
        "producer": 1, "extract": 1, "decide": 1, "notify": 1, "web": 1}
    assert sum(found["today"]["articles"].values()) == len(run.labels)
    firsts = {decode(Alert, r.value).alert_id for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)}
    assert len(found["today"]["alerts"]) == len(firsts)
    screen = status()
    assert screen.returncode == 0 and f"Today's alerts ({len(firsts)})" in screen.stdout
    print(screen.stdout)
