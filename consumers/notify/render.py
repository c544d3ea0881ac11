"""The alert as people read it, in English, with the evidence quoted in its original language: plain text (email,
Slack's fallback), Markdown (apprise channels), HTML (email). Slack's Block Kit is in `blocks`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from consumers.language import language_name
from schemas import Alert, Source

TEMPLATES = Path(__file__).resolve().parent / "templates"


def subject(alert: Alert) -> str:
    # One subject for the alert and its updates ("Re: "): mail clients that thread by subject keep them together.
    return f"{'Re: ' if alert.revision else ''}[newsmon] {alert.headline}"


def site(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def date_text(alert: Alert) -> str | None:
    if alert.event_date is None:
        return None
    basis = "as the text dates it" if alert.date_from_text else "reported"
    return f"{alert.event_date:%Y-%m-%d} ({basis})"


@dataclass(frozen=True)
class SourceLine:
    title: str
    url: str
    language: str
    site: str


def source_line(source: Source) -> SourceLine:
    return SourceLine(title=source.title or site(source.url), url=source.url, language=language_name(source.language),
                      site=site(source.url))


def facts(alert: Alert) -> list[tuple[str, str]]:
    """The alert's facts as (label, value), in the order every channel shows them."""
    out = [("Kind", alert.kind_label or alert.kind)]
    if alert.modality and alert.modality != "done":
        out.append(("Status", alert.modality))
    if alert.actors:
        out.append(("Actors", ", ".join(alert.actors)))
    when = date_text(alert)
    if when:
        out.append(("Date", when))
    out.append(("Sources", str(1 + len(alert.corroborations))))
    return out


def render_text(alert: Alert) -> str:
    lines = [("New development: " if alert.revision == 0 else "Update: ") + alert.headline, ""]
    lines.append(" | ".join(f"{label}: {value}" for label, value in facts(alert)))
    if alert.evidence:
        lines += ["", f"Evidence ({language_name(alert.evidence_language)}):", f"  \u201c{alert.evidence}\u201d"]
    first = alert.first_source
    lines += ["", f"Source: {first.title or first.url}", f"  {first.url}"]
    if alert.announced_by:
        lines += [f"Announced before in: {alert.announced_by.url}"]
    if alert.corroborations:
        langs = sorted({language_name(s.language) for s in alert.corroborations})
        lines += ["", f"Corroborated by {len(alert.corroborations)} more source(s) in {', '.join(langs)}:"]
        lines += [f"  - {s.title or s.url} ({language_name(s.language)}) {s.url}" for s in alert.corroborations]
    lines += ["", f"alert {alert.alert_id} revision {alert.revision}"]
    return "\n".join(lines)


def render_update_text(alert: Alert) -> str:
    """What a corroboration adds, for a reply under the alert: the newest source and the count."""
    newest = source_line(alert.corroborations[-1]) if alert.corroborations else source_line(alert.first_source)
    return (f"Also reported by {newest.title} ({newest.language}, {newest.site}): {newest.url}\n"
            f"{1 + len(alert.corroborations)} sources now. alert {alert.alert_id} revision {alert.revision}")


def render_markdown(alert: Alert) -> str:
    """Markdown for apprise channels (Teams, Discord, Matrix, Telegram and the rest render it)."""
    lines = [" · ".join(f"**{label}:** {value}" for label, value in facts(alert)), ""]
    if alert.evidence:
        lines += [f"> {alert.evidence}", f"({language_name(alert.evidence_language)})", ""]
    first = source_line(alert.first_source)
    lines.append(f"First source: [{first.title}]({first.url}) ({first.language}, {first.site})")
    for s in map(source_line, alert.corroborations):
        lines.append(f"- also: [{s.title}]({s.url}) ({s.language}, {s.site})")
    lines.append(f"\nalert {alert.alert_id} revision {alert.revision}")
    return "\n".join(lines)


def render_group_text(alerts: list[Alert], limit: int) -> tuple[str, str]:
    """(title, body) of one message for the alerts a channel's hourly limit held back."""
    title = f"[newsmon] {len(alerts)} more developments (more than {limit} in an hour)"
    lines = []
    for alert in alerts:
        lines.append(f"- {alert.headline}")
        if alert.evidence:
            lines.append(f"  \u201c{alert.evidence}\u201d ({language_name(alert.evidence_language)})")
        lines.append(f"  {alert.first_source.url}  (alert {alert.alert_id})")
    return title, "\n".join(lines)


@lru_cache(maxsize=1)
def _jinja():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["language"] = language_name
    return env


def render_html(alert: Alert) -> str:
    return _jinja().get_template("alert_email.html").render(
        alert=alert, facts=facts(alert), first=source_line(alert.first_source),
        corroborations=[source_line(s) for s in alert.corroborations],
        newest=source_line(alert.corroborations[-1]) if alert.revision and alert.corroborations else None)


def render_digest_html(day: str, developments: list[Alert], updated: list[tuple[Alert, list[Source]]]) -> str:
    return _jinja().get_template("digest_email.html").render(
        day=day, developments=[(a, facts(a), source_line(a.first_source)) for a in developments],
        updated=[(a, [source_line(s) for s in new]) for a, new in updated])


def render_group_html(alerts: list[Alert], limit: int) -> str:
    return _jinja().get_template("group_email.html").render(
        limit=limit, alerts=[(a, source_line(a.first_source)) for a in alerts])


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "-"
