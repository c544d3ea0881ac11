"""The alert as people read it, in English, with the evidence quoted in its original language."""
from __future__ import annotations

from consumers.language import language_name
from schemas import Alert


def subject(alert: Alert) -> str:
    prefix = "newsmon" if alert.revision == 0 else "newsmon update"
    return f"[{prefix}] {alert.headline}"


def render_text(alert: Alert) -> str:
    lines = [("New development: " if alert.revision == 0 else "Update: ") + alert.headline, ""]
    facts = [f"Kind: {alert.kind_label or alert.kind}"]
    if alert.actors:
        facts.append("Actors: " + ", ".join(alert.actors))
    if alert.event_date:
        basis = "as the text dates it" if alert.date_from_text else "reported"
        facts.append(f"Date: {alert.event_date:%Y-%m-%d} ({basis})")
    lines.append(" | ".join(facts))
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


def render_slack(alert: Alert) -> dict:
    """Slack incoming-webhook payload: `text` is the fallback every client shows; blocks format it."""
    text = render_text(alert)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}]}
