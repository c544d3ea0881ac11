"""The dev scenario through the running pipeline: feed → producer → extract → decide → alerts → Slack and email,
scored with the scenario's own scorer from what the decider wrote to Kafka."""
from __future__ import annotations

import json
from email.header import decode_header, make_header
import signal
import subprocess
import sys
from datetime import datetime

from schemas import Alert, Decision, Topics, decode
from tests.conftest import need_shared
from tests.kafka_util import records, wait_until
from tests.servers import Route
from tests.test_pipeline import rss_feed, stage_env


def test_dev_scenario_through_kafka_meets_the_bar(kafka, site, slack, mailbox, tmp_path):
    folder = need_shared("scenario")
    labels = [json.loads(line) for line in (folder / "dev" / "labels.jsonl").read_text().splitlines() if line]
    items = []
    for row in labels:
        site.routes[f"/a/{row['id']}.html"] = Route((folder / "dev" / "articles" / f"{row['id']}.html").read_bytes())
        items.append((site.url(f"/a/{row['id']}.html"), row["id"],
                      datetime.fromisoformat(row["published"].replace("Z", "+00:00"))))
    site.routes["/feed.xml"] = Route(rss_feed(items), content_type="application/rss+xml")
    # One partition: the decider then sees the articles in the order the feed published them (oldest first).
    env = stage_env(kafka, NEWSMON_FEEDS=site.url("/feed.xml"), NEWSMON_SLACK_WEBHOOK_URL=slack.url,
                    NEWSMON_SMTP_URL=mailbox.url, NEWSMON_EMAIL_TO="analyst@example.org", NEWSMON_PARTITIONS="1")
    proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run", "--no-broker"], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        decided = lambda: {decode(Decision, r.value).url for r in records(kafka, kafka.topic(Topics.DECISIONS),
                                                                          timeout=0)}
        assert wait_until(lambda: len(decided()) == len(labels), timeout=300), f"{len(decided())} decided"
        alerts = [decode(Alert, r.value) for r in records(kafka, kafka.topic(Topics.ALERTS), timeout=0)]
        firsts = {a.alert_id: a for a in alerts if a.revision == 0}
        assert wait_until(lambda: len(slack.received) >= len(firsts) and len(mailbox.messages) >= len(firsts), 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=90)
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
        text = next(m["text"] for m in slack.received if alert.alert_id in m["text"])
        assert alert.headline in text and alert.first_source.url in text
        if alert.evidence:
            assert alert.evidence in text and "Evidence (" in text
    subjects = {" ".join(str(make_header(decode_header(m["Subject"]))).split()) for m in mailbox.messages}
    assert subjects == {f"[newsmon] {a.headline}" for a in firsts.values()}
