"""The channels an alert goes to, each with the same three sends: an alert, an update of an alert (a corroboration)
and a group of alerts the hourly limit held back. Each send returns the DeliveryRecord that proves it (with what a
later update needs to thread under it) and raises Transient (wait and retry) or Rejected (dead-letter)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from consumers.notify import blocks
from consumers.notify.email import build_message, message_id, send_message
from consumers.notify.render import (
    render_group_html,
    render_group_text,
    render_html,
    render_markdown,
    render_text,
    render_update_text,
    subject,
)
from consumers.notify.slack import SlackApi, post_slack
from newsmon.settings import Settings
from newsmon.stream import Rejected, Transient
from schemas import Alert, DeliveryRecord

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str
    threads: bool  # updates go quietly under their alert (a Slack thread): sent even without NOTIFY_UPDATES

    def send_alert(self, alert: Alert) -> DeliveryRecord: ...

    def send_update(self, alert: Alert, parent: DeliveryRecord) -> DeliveryRecord: ...

    def send_group(self, alerts: list[Alert], group: str, limit: int) -> DeliveryRecord: ...


def _record(alert: Alert, channel: str, **extra) -> DeliveryRecord:
    return DeliveryRecord(alert_id=alert.alert_id, revision=alert.revision, channel=channel, **extra)


@dataclass
class SlackWebhook:
    url: str
    name: str = "slack"
    threads: bool = False  # an incoming webhook cannot reply in a thread

    def send_alert(self, alert: Alert) -> DeliveryRecord:
        post_slack(self.url, blocks.alert_message(alert))
        return _record(alert, self.name)

    def send_update(self, alert: Alert, parent: DeliveryRecord) -> DeliveryRecord:
        post_slack(self.url, blocks.alert_message(alert))
        return _record(alert, self.name)

    def send_group(self, alerts: list[Alert], group: str, limit: int) -> DeliveryRecord:
        post_slack(self.url, blocks.group_message(alerts, limit))
        return _record(alerts[0], self.name, group=group)


@dataclass
class SlackBot:
    api: SlackApi
    name: str = "slack"
    threads: bool = True

    def send_alert(self, alert: Alert) -> DeliveryRecord:
        posted = self.api.post(blocks.alert_message(alert))
        return _record(alert, self.name, slack_channel=posted.channel, thread_ts=posted.ts, message_ts=posted.ts)

    def send_update(self, alert: Alert, parent: DeliveryRecord) -> DeliveryRecord:
        if parent.thread_ts is None:  # sent by the webhook before a bot was set up: no thread to reply in
            return self.send_alert(alert)
        channel = parent.slack_channel or self.api.channel
        if parent.group is None:
            # The parent first: chat.update is idempotent, so a retry after a failed reply repeats nothing.
            try:
                self.api.update(channel, parent.thread_ts, blocks.alert_message(alert))
            except Rejected as exc:  # the parent was deleted or is too old to edit: the reply still informs
                log.warning("notify: slack could not update the alert %s in place: %s", alert.alert_id, exc)
        posted = self.api.post(blocks.update_message(alert), thread_ts=parent.thread_ts, channel=channel)
        return _record(alert, self.name, slack_channel=posted.channel, thread_ts=parent.thread_ts,
                       message_ts=posted.ts)

    def send_group(self, alerts: list[Alert], group: str, limit: int) -> DeliveryRecord:
        posted = self.api.post(blocks.group_message(alerts, limit))
        return _record(alerts[0], self.name, slack_channel=posted.channel, thread_ts=posted.ts,
                       message_ts=posted.ts, group=group)


@dataclass
class Email:
    smtp_url: str
    sender: str
    recipients: tuple[str, ...]
    namespace: str
    name: str = "email"
    threads: bool = False

    def _id(self, alert: Alert) -> str:
        return message_id(f"{alert.alert_id}.{alert.revision}", self.namespace)

    def send_alert(self, alert: Alert) -> DeliveryRecord:
        msg_id = self._id(alert)
        send_message(self.smtp_url, build_message(self.sender, self.recipients, subject(alert), render_text(alert),
                                                  render_html(alert), msg_id))
        return _record(alert, self.name, message_id=msg_id)

    def send_update(self, alert: Alert, parent: DeliveryRecord) -> DeliveryRecord:
        msg_id = self._id(alert)
        parent_id = parent.message_id or message_id(f"{alert.alert_id}.0", self.namespace)
        text = render_update_text(alert) + "\n\n" + render_text(alert)
        send_message(self.smtp_url, build_message(self.sender, self.recipients, subject(alert), text,
                                                  render_html(alert), msg_id, in_reply_to=parent_id))
        return _record(alert, self.name, message_id=msg_id)

    def send_group(self, alerts: list[Alert], group: str, limit: int) -> DeliveryRecord:
        msg_id = message_id(group, self.namespace)
        title, text = render_group_text(alerts, limit)
        send_message(self.smtp_url, build_message(self.sender, self.recipients, title, text,
                                                  render_group_html(alerts, limit), msg_id))
        return _record(alerts[0], self.name, message_id=msg_id, group=group)

    def send_digest(self, day: str, title: str, text: str, html: str) -> DeliveryRecord:
        msg_id = message_id(f"digest.{day}", self.namespace)
        send_message(self.smtp_url, build_message(self.sender, self.recipients, title, text, html, msg_id))
        return DeliveryRecord(alert_id=f"digest:{day}", revision=0, channel=self.name, message_id=msg_id)


def apprise_name(url: str, topic: str | None = None) -> str:
    """A channel name that tells the service and tells apart two URLs of it, without their secrets (and the topic
    whose channel it is, for a topic's own: one URL may serve two topics and the deployment, each once)."""
    scheme = urlsplit(url).scheme or "apprise"
    return f"apprise:{topic + ':' if topic else ''}{scheme}:{hashlib.sha1(url.encode('utf-8')).hexdigest()[:8]}"


class AppriseChannel:
    """One apprise URL (Teams, Discord, Telegram, Matrix, ntfy, a JSON webhook...). apprise says only whether a
    send passed, so a failure is taken as an outage and waited out, never dead-lettered."""

    threads = False

    def __init__(self, url: str, name: str | None = None):
        import apprise

        self.name = name or apprise_name(url)
        self._apprise = apprise.Apprise()
        if not self._apprise.add(url):
            raise ValueError(f"apprise does not understand a URL of scheme {urlsplit(url).scheme or '?'!r} "
                             f"({self.name})")

    def _notify(self, title: str, body: str) -> None:
        import apprise

        lines: list[str] = []
        result = self._apprise.notify(body=body, title=title, body_format=apprise.NotifyFormat.MARKDOWN,
                                      log_callback=lambda entry, *_: lines.append(entry.message))
        if not result:
            raise Transient(f"{self.name}: " + ("; ".join(lines[-2:]) or "apprise could not send"))

    def send_alert(self, alert: Alert) -> DeliveryRecord:
        self._notify(alert.headline, render_markdown(alert))
        return _record(alert, self.name)

    def send_update(self, alert: Alert, parent: DeliveryRecord) -> DeliveryRecord:
        self._notify(f"Update: {alert.headline}", render_update_text(alert))
        return _record(alert, self.name)

    def send_group(self, alerts: list[Alert], group: str, limit: int) -> DeliveryRecord:
        title, text = render_group_text(alerts, limit)
        self._notify(title, text)
        return _record(alerts[0], self.name, group=group)


def configured_channels(settings: Settings) -> list[Channel]:
    found: list[Channel] = []
    if settings.slack_bot_token and settings.slack_channel:
        found.append(SlackBot(SlackApi(settings.slack_bot_token, settings.slack_channel, settings.slack_api_url)))
        if settings.slack_webhook_url:
            log.warning("notify: NEWSMON_SLACK_BOT_TOKEN is set, so NEWSMON_SLACK_WEBHOOK_URL is not used")
    elif settings.slack_bot_token:
        log.warning("notify: NEWSMON_SLACK_BOT_TOKEN is set without NEWSMON_SLACK_CHANNEL; Slack is off")
    elif settings.slack_webhook_url:
        found.append(SlackWebhook(settings.slack_webhook_url))
    if settings.smtp_url and settings.email_to:
        found.append(Email(settings.smtp_url, settings.email_from, settings.email_to, settings.namespace))
    for url in settings.apprise_urls:
        found.append(AppriseChannel(url))
    return found
