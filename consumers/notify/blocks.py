"""Slack Block Kit for an alert: a header, the facts as fields, the evidence as a quote, a button to the source;
a reply for each corroboration; one message for a group the hourly limit held back. Slack's limits are kept
(header 150 characters, a text 3,000, ten fields, fifty blocks)."""
from __future__ import annotations

from consumers.language import language_name
from consumers.notify.render import facts, render_text, render_update_text, site, source_line
from schemas import Alert

GROUP_SHOWN = 20  # alerts listed one by one in a grouped message; the rest are counted


def escape(text: str) -> str:
    """Slack's mrkdwn escapes (&, <, >) so a title cannot become a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _quote(text: str) -> str:
    return "\n".join("> " + escape(line) for line in text.splitlines() if line.strip())


def _link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def alert_blocks(alert: Alert) -> list[dict]:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(alert.headline, 150), "emoji": False}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": _cut(f"*{label}*\n{escape(value)}", 2000)}
                                       for label, value in facts(alert)][:10]},
    ]
    if alert.evidence:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(
            _quote(alert.evidence) + f"\n_{language_name(alert.evidence_language)}, quoted from the first report_",
            3000)}})
    first = source_line(alert.first_source)
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": "Read the source"},
                "url": first.url[:3000], "style": "primary", "action_id": "source"}]
    if alert.announced_by:
        buttons.append({"type": "button", "text": {"type": "plain_text", "text": "Announced before"},
                        "url": alert.announced_by.url[:3000], "action_id": "announced"})
    blocks.append({"type": "actions", "elements": buttons})
    sources = [f"First: {_link(first.url, first.title)} ({first.language}, {escape(first.site)})"]
    if alert.corroborations:
        langs = sorted({language_name(s.language) for s in alert.corroborations})
        sources.append(f"{len(alert.corroborations)} more source(s) in {', '.join(langs)}: see the thread")
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": _cut(" · ".join(sources) + f" · alert {alert.alert_id}", 3000)}]})
    return blocks


def alert_message(alert: Alert) -> dict:
    """`text` is what notifications and old clients show; the blocks are what people see."""
    return {"text": render_text(alert), "blocks": alert_blocks(alert)}


def update_message(alert: Alert) -> dict:
    """A reply in the alert's thread: the newest corroboration."""
    newest = source_line(alert.corroborations[-1]) if alert.corroborations else source_line(alert.first_source)
    text = (f"Also reported by {_link(newest.url, newest.title)} ({newest.language}, {escape(newest.site)}) · "
            f"{1 + len(alert.corroborations)} sources now")
    return {"text": render_update_text(alert),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, 3000)}},
                       {"type": "context", "elements": [{"type": "mrkdwn",
                                                         "text": f"alert {alert.alert_id} revision {alert.revision}"}]}]}


def group_message(alerts: list[Alert], limit: int) -> dict:
    title = f"{len(alerts)} more developments (more than {limit} alerts in an hour)"
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": _cut(title, 150)}}]
    for alert in alerts[:GROUP_SHOWN]:
        first = alert.first_source
        text = f"*{_link(first.url, alert.headline)}*"
        if alert.evidence:
            text += "\n" + _quote(_cut(alert.evidence, 600)) + f"\n_{language_name(alert.evidence_language)}_ · " \
                f"{escape(site(first.url))}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, 3000)}})
    if len(alerts) > GROUP_SHOWN:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"and {len(alerts) - GROUP_SHOWN} more on the newsmon page"}]})
    fallback = "\n".join(f"- {a.headline} {a.first_source.url} (alert {a.alert_id})" for a in alerts)
    return {"text": f"{title}\n{fallback}", "blocks": blocks}
