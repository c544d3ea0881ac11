"""`newsmon status`: one screen in the terminal (rich): which stages are alive and their lag; today's articles by
status and today's alerts, in all and per topic (with each topic's last alert); failing feeds and dead letters.
Read once from the topics, like the page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from newsmon.settings import Settings
from newsmon.stream import create_topics
from newsmon.view.follow import snapshot
from newsmon.view.model import NO_TOPIC, TopicSummary, View

STATUS_ORDER = ("new_development", "corroboration", "announced", "known", "off_topic")
STATUS_SHORT = {"new_development": "new", "corroboration": "corr", "announced": "ann", "known": "known",
                "off_topic": "off"}


@dataclass
class Reading:
    """What `newsmon status` read: the view (today's streams, the state topics whole) and the followed topics."""

    view: View
    followed: list[str]  # the topic ids the registry names (start-up folders and topic commands)

    def topics(self) -> list[TopicSummary]:
        """Each followed topic (and any other today's records name), counting today's articles and alerts."""
        return self.view.summaries(self.followed, since=self.view.day_start())


def status_view(settings: Settings, now: datetime | None = None) -> Reading:
    from newsmon.registry import TopicRegistry

    create_topics(settings)
    now = now or datetime.now(timezone.utc)
    registry = TopicRegistry(settings)
    try:
        followed = registry.ids()
    finally:
        registry.close()
    view = snapshot(settings, View(settings.namespace), since=now.replace(hour=0, minute=0, second=0, microsecond=0))
    return Reading(view, followed)


def _topic_json(s: TopicSummary) -> dict[str, Any]:
    return {"followed": s.followed, "articles": dict(s.statuses), "alerts": s.developments,
            "last_alert": None if s.last_alert is None else {
                "headline": s.last_alert.headline, "id": s.last_alert.alert_id,
                "at": s.last_alert_at.isoformat() if s.last_alert_at else None}}


def _topic_label(topic_id: str) -> str:
    return "(no topic)" if topic_id == NO_TOPIC else topic_id


def _failing(view: View, failing_after: int) -> list:
    with view.lock:
        return sorted((s for s in view.feeds.values() if s.failures >= failing_after), key=lambda s: -s.failures)


def as_json(reading: Reading, failing_after: int = 3) -> dict[str, Any]:
    view = reading.view
    today = view.today()
    return {
        "stages": {stage: {"alive": n, "lag": view.health.lag.get(stage)} for stage, n in view.alive().items()},
        "today": {"articles": dict(today["statuses"]), "alerts": [a.headline for a in today["alerts"]]},
        "topics": {s.id: _topic_json(s) for s in reading.topics()},
        "failing_feeds": [{"url": s.feed_url, "failures": s.failures, "status": s.last_status}
                          for s in _failing(view, failing_after)],
        "dead_letters": [{"id": x.id, "stage": x.letter.stage, "error": x.letter.error,
                          "sent_back": x.replayed is not None} for x in view.dead_letters()],
        "kafka_error": view.health.error or None,
    }


def render_status(reading: Reading, settings: Settings, console=None) -> None:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    view = reading.view
    console = console or Console()
    stages = Table(title="Stages", title_justify="left", expand=True)
    stages.add_column("stage")
    stages.add_column("alive", justify="right")
    stages.add_column("lag", justify="right")
    for stage, alive in view.alive().items():
        lag = view.health.lag.get(stage)
        stages.add_row(stage, Text(str(alive), style="green" if alive else "red"),
                       "-" if stage not in view.health.lag else ("?" if lag is None else str(lag)))
    today = view.today()
    articles = Table(title="Today's articles (UTC)", title_justify="left", expand=True)
    articles.add_column("status")
    articles.add_column("articles", justify="right")
    for status in STATUS_ORDER:
        articles.add_row(status.replace("_", " "), str(today["statuses"].get(status, 0)))
    alerts = Table(title=f"Today's alerts ({len(today['alerts'])})", title_justify="left", expand=True,
                   show_header=False)
    alerts.add_column("headline")
    for alert in today["alerts"][-8:]:
        alerts.add_row(alert.headline)
    if not today["alerts"]:
        alerts.add_row(Text("none yet", style="dim"))
    failing = _failing(view, settings.failing_after)
    feeds = Table(title=f"Failing feeds ({len(failing)} of {len(view.feeds)})", title_justify="left", expand=True)
    feeds.add_column("feed", overflow="fold")
    feeds.add_column("failures", justify="right")
    feeds.add_column("status")
    for s in failing[:8]:
        feeds.add_row(s.feed_url, str(s.failures), s.last_status)
    if not failing:
        feeds.add_row(Text("none", style="dim"), "", "")
    letters = view.dead_letters()
    dead = Table(title=f"Dead letters ({sum(1 for x in letters if x.replayed is None)} waiting)",
                 title_justify="left", expand=True)
    dead.add_column("letter")
    dead.add_column("stage")
    dead.add_column("reason", overflow="fold")
    for x in letters[:8]:
        dead.add_row(x.id, x.letter.stage, x.letter.error[:160] + (" (sent back)" if x.replayed else ""))
    if not letters:
        dead.add_row(Text("none", style="dim"), "", "")
    topics = _topics_table(reading)
    note = Text(f"Kafka {settings.bootstrap_servers} · page {settings.web_url}", style="dim")
    if view.health.error:
        note = Text(f"Kafka could not be read: {view.health.error}", style="red")
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(stages, articles)
    grid.add_row(alerts, feeds)
    console.print(Panel(Group(grid, topics, dead, note), title="newsmon status", border_style="blue"))


def _topics_table(reading: Reading):
    from rich.table import Table
    from rich.text import Text

    summaries = reading.topics()
    table = Table(title=f"Topics ({len(reading.followed)} followed): today's articles by status, today's alerts",
                  title_justify="left", expand=True)
    table.add_column("topic", overflow="fold")
    for status in STATUS_ORDER:
        table.add_column(STATUS_SHORT[status], justify="right")
    table.add_column("alerts", justify="right")
    table.add_column("last alert", overflow="fold", ratio=1)
    for s in summaries:
        name = Text(_topic_label(s.id), style="" if s.followed else "dim")
        if not s.followed and s.id != NO_TOPIC:
            name.append(" (not followed)", style="dim")
        last = Text("none", style="dim") if s.last_alert is None else \
            Text(f"{s.last_alert_at:%Y-%m-%d %H:%M} {s.last_alert.headline}" if s.last_alert_at
                 else s.last_alert.headline)
        table.add_row(name, *(str(s.statuses.get(st, 0)) for st in STATUS_ORDER), str(s.developments), last)
    if not summaries:
        table.add_row(Text("no topic is followed", style="dim"), *[""] * (len(STATUS_ORDER) + 2))
    return table
