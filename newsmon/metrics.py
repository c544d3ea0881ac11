"""Prometheus metrics (`/metrics` of `newsmon web`), read from the view at each scrape, so every series comes
from the topics themselves and survives a restart of the page:

newsmon_articles_total{stage}                 articles discovered, extracted, decided (an article decided against
                                              several topics counts once)
newsmon_decisions_total{status,topic}         decisions by status and topic (an article counted once per status
                                              and topic)
newsmon_alerts_total{topic}                   developments raised per topic
newsmon_alerts_sent_total{channel,what,topic} alerts, updates and digests each channel accepted
newsmon_alerts_held                           alerts a channel's hourly limit holds for a grouped message
newsmon_dead_letters_total{topic}             dead letters per dead-letter topic
newsmon_feeds{health}                         feeds by health (ok, retrying, failing, new)
newsmon_feed_failures{feed}                   failures in a row of each feed that is failing now
newsmon_consumer_lag{stage}                   records a consuming stage has not processed yet
newsmon_stage_up{stage}                       live instances of each stage (heartbeats)
newsmon_publication_to_alert_seconds{to}      histogram: from an article's publication to its alert being raised
                                              (to="raised") and first accepted by a channel (to="sent")

`topic` is the id of the topic (story) a record is for: a decision's own, an alert's, a delivery's alert's
(except on newsmon_dead_letters_total, where it kept its first meaning: the Kafka dead-letter topic).
It is "" where no topic is known: decisions written before decisions named their topic, a digest (every
topic's day in one message), a delivery whose alert the page has not read.
"""
from __future__ import annotations

from collections import Counter

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from newsmon.view.model import LATENCY_BUCKETS, View
from producers.schedule import health as feed_health


class ViewCollector:
    def __init__(self, view: View, failing_after: int):
        self.view = view
        self.failing_after = failing_after

    def collect(self):
        v = self.view
        with v.lock:
            articles = CounterMetricFamily("newsmon_articles", "Articles per stage", labels=["stage"])
            for stage, kind in (("discovered", "discovered"), ("extracted", "extracted")):
                articles.add_metric([stage], v.health.records.get(kind, 0))
            articles.add_metric(["decided"], len(v.topics_of))
            yield articles
            decisions = CounterMetricFamily("newsmon_decisions", "Decisions by status and topic",
                                            labels=["status", "topic"])
            # every status of every topic, zeros included, so a dashboard sees a topic from its first decision
            topics = sorted({t for t, _ in v.decisions_by_status})
            for topic in topics:
                for status in ("off_topic", "known", "announced", "new_development", "corroboration"):
                    decisions.add_metric([status, topic], v.decisions_by_status.get((topic, status), 0))
            yield decisions
            raised = Counter((v.alerts[i].topic or "") if i in v.alerts else "" for i in v.raised_at)
            alerts = CounterMetricFamily("newsmon_alerts", "Developments raised per topic", labels=["topic"])
            for topic, count in sorted(raised.items()):
                alerts.add_metric([topic], count)
            yield alerts
            sent = CounterMetricFamily("newsmon_alerts_sent", "Messages each channel accepted",
                                       labels=["channel", "what", "topic"])
            for (channel, what, topic), count in sorted(v.sent_by_topic().items()):
                sent.add_metric([channel, what, topic], count)
            yield sent
            letters = CounterMetricFamily("newsmon_dead_letters", "Dead letters per topic", labels=["topic"])
            for topic, count in sorted(v.letters_by_topic.items()):
                letters.add_metric([topic], count)
            yield letters
            feeds = GaugeMetricFamily("newsmon_feeds", "Feeds by health", labels=["health"])
            failures = GaugeMetricFamily("newsmon_feed_failures", "Failures in a row of a failing feed",
                                         labels=["feed"])
            counts = {"ok": 0, "retrying": 0, "failing": 0, "new": 0}
            for url, state in sorted(v.feeds.items()):
                h = "new" if state.last_status == "never" else _health(state.failures, self.failing_after)
                counts[h] += 1
                if state.failures:
                    failures.add_metric([url], state.failures)
            for h, count in counts.items():
                feeds.add_metric([h], count)
            yield feeds
            yield failures
            held = GaugeMetricFamily("newsmon_alerts_held", "Alerts held for a grouped message", labels=["channel"])
        for h in v.held_alerts():
            held.add_metric([h.channel], 1)
        yield held
        lag = GaugeMetricFamily("newsmon_consumer_lag", "Records a stage has not processed yet", labels=["stage"])
        for stage, value in sorted(v.health.lag.items()):
            if value is not None:
                lag.add_metric([stage], value)
        yield lag
        up = GaugeMetricFamily("newsmon_stage_up", "Live instances of each stage", labels=["stage"])
        for stage, count in v.alive().items():
            up.add_metric([stage], count)
        yield up
        latency = HistogramMetricFamily("newsmon_publication_to_alert_seconds",
                                        "From an article's publication to its alert", labels=["to"])
        with v.lock:
            for to, counts_ in v.latency.items():
                cumulative, buckets = 0, []
                for bound, count in zip([*map(str, LATENCY_BUCKETS), "+Inf"], counts_):
                    cumulative += count
                    buckets.append((bound, cumulative))
                latency.add_metric([to], buckets, v.latency_sum[to])
        yield latency


def _health(failures: int, failing_after: int) -> str:
    from producers.schedule import Schedule

    return feed_health(failures, Schedule(failing_after=failing_after))


def registry(view: View, failing_after: int) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    reg.register(ViewCollector(view, failing_after))
    return reg
