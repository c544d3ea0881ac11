"""The optional daily digest (NEWSMON_DIGEST=daily@08:00, UTC), pure: when it is due, which period it covers and
what it says. The notifier reads the period's alerts from Kafka by their record times and records the digest like
a delivery ("digest:<day>"), so it is sent once, even across restarts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from consumers.language import language_name
from consumers.notify.render import render_digest_html, source_line
from schemas import Alert, Source


@dataclass(frozen=True)
class Period:
    day: date  # the digest's day: it goes out at its hour that day
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"digest:{self.day.isoformat()}"


def due(now: datetime, at: tuple[int, int], sent: set[str]) -> Period | None:
    """Today's digest once its hour has come and it was not sent yet (when the notifier was down at the hour, it
    goes out when it is back that day). It covers the 24 hours before its hour."""
    end = datetime.combine(now.date(), time(*at), tzinfo=timezone.utc)
    if now < end:
        return None
    period = Period(day=end.date(), start=end - timedelta(days=1), end=end)
    return None if period.key in sent else period


@dataclass(frozen=True)
class Digest:
    period: Period
    developments: list[Alert]  # raised in the period, latest revision of each
    updated: list[tuple[Alert, list[Source]]]  # older developments with the sources the period added

    @property
    def empty(self) -> bool:
        return not self.developments and not self.updated


def build(period: Period, alerts: list[Alert]) -> Digest:
    """`alerts`: the alert records written in the period, in order."""
    latest: dict[str, Alert] = {}
    first_revision: dict[str, int] = {}
    for alert in alerts:
        first_revision.setdefault(alert.alert_id, alert.revision)
        if alert.alert_id not in latest or alert.revision >= latest[alert.alert_id].revision:
            latest[alert.alert_id] = alert
    developments = [a for i, a in latest.items() if first_revision[i] == 0]
    updated = []
    for alert_id, alert in latest.items():
        if first_revision[alert_id] == 0:
            continue
        # revision r adds the r-th corroboration: those the period added are from its first revision on
        new = alert.corroborations[first_revision[alert_id] - 1:]
        if new:
            updated.append((alert, new))
    return Digest(period, developments, updated)


def render(digest: Digest) -> tuple[str, str, str]:
    """(subject, text, html)."""
    day = digest.period.day.isoformat()
    title = f"[newsmon] digest {day}: {len(digest.developments)} new development(s), " \
            f"{sum(len(n) for _, n in digest.updated)} more source(s)"
    lines = [f"The day's developments, {day} (the 24 hours before {digest.period.end:%H:%M} UTC)", ""]
    if digest.empty:
        lines.append("Nothing new.")
    for alert in digest.developments:
        first = source_line(alert.first_source)
        lines.append(f"- {alert.headline}")
        if alert.evidence:
            lines.append(f"  \u201c{alert.evidence}\u201d ({language_name(alert.evidence_language)})")
        lines.append(f"  {first.title} ({first.language}, {first.site}) {first.url}")
    if digest.updated:
        lines += ["", "More sources for earlier developments:"]
        for alert, new in digest.updated:
            lines.append(f"- {alert.headline}")
            lines += [f"  + {s.title} ({s.language}, {s.site}) {s.url}" for s in map(source_line, new)]
    return title, "\n".join(lines), render_digest_html(day, digest.developments, digest.updated)
