"""`newsmon status`: one screen in the terminal (rich): which stages are alive and their lag; today's articles by
status and today's alerts; failing feeds and dead letters. Read once from the topics, like the page."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from newsmon.settings import Settings
from newsmon.stream import create_topics
from newsmon.view.follow import snapshot
from newsmon.view.model import View

STATUS_ORDER = ("new_development", "corroboration", "announced", "known", "off_topic")


def status_view(settings: Settings, now: datetime | None = None) -> View:
    create_topics(settings)
    now = now or datetime.now(timezone.utc)
    return snapshot(settings, View(settings.namespace), since=now.replace(hour=0, minute=0, second=0, microsecond=0))


def _failing(view: View, failing_after: int) -> list:
    with view.lock:
        return sorted((s for s in view.feeds.values() if s.failures >= failing_after), key=lambda s: -s.failures)


def as_json(view: View, failing_after: int = 3) -> dict[str, Any]:
    today = view.today()
    return {
        "stages": {stage: {"alive": n, "lag": view.health.lag.get(stage)} for stage, n in view.alive().items()},
        "today": {"articles": dict(today["statuses"]), "alerts": [a.headline for a in today["alerts"]]},
        "failing_feeds": [{"url": s.feed_url, "failures": s.failures, "status": s.last_status}
                          for s in _failing(view, failing_after)],
        "dead_letters": [{"id": x.id, "stage": x.letter.stage, "error": x.letter.error,
                          "sent_back": x.replayed is not None} for x in view.dead_letters()],
        "kafka_error": view.health.error or None,
    }


def render_status(view: View, settings: Settings, console=None) -> None:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

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
    note = Text(f"Kafka {settings.bootstrap_servers} · page {settings.web_url}", style="dim")
    if view.health.error:
        note = Text(f"Kafka could not be read: {view.health.error}", style="red")
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(stages, articles)
    grid.add_row(alerts, feeds)
    console.print(Panel(Group(grid, dead, note), title="newsmon status", border_style="blue"))
