"""Which channels an alert goes to: its topic's own, when the topic folder names some in `channels.toml`, else the
deployment's (NEWSMON_SLACK_*, NEWSMON_SMTP_URL + NEWSMON_EMAIL_TO, NEWSMON_APPRISE_URLS).

A topic's channels are named after it (`slack#<topic>`, `email:<topic>`, `apprise:<topic>:<scheme>:<hash>`): the
name keys the delivery records, the held alerts and the channel's consumer group, so it must stay the same across
restarts and differ from every other channel's.

The folder travels on the commands.topics topic (`newsmon topic add`), so secrets should not be written in it: any
value may be `"env:NAME"`, read from the notify stage's environment (a missing variable is an error naming it, never
its value). What a topic's channels leave out (the bot token, the SMTP server, the sender) is the deployment's.

    [slack]                       # a channel for the deployment's bot (NEWSMON_SLACK_BOT_TOKEN)...
    channel = "#armenia-azerbaijan"
    bot_token = "env:AM_AZ_SLACK_TOKEN"   # ...or a bot of its own; or instead: webhook_url = "env:AM_AZ_WEBHOOK"
    [email]
    to = ["caucasus-desk@example.org"]
    smtp_url = "env:AM_AZ_SMTP_URL"       # default NEWSMON_SMTP_URL
    [apprise]
    urls = ["env:AM_AZ_NTFY_URL"]
"""
from __future__ import annotations

import logging
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from consumers.notify.channels import AppriseChannel, Channel, Email, SlackBot, SlackWebhook, apprise_name, \
    configured_channels
from consumers.notify.slack import SlackApi
from newsmon.registry import Followed
from newsmon.settings import Settings
from schemas import Alert

log = logging.getLogger(__name__)
CHANNELS_FILE = "channels.toml"
# An alert of a topic this stage has not heard of: the topic was added a moment ago and the decider saw it first.
# The deployment's channels wait this long for the stage to read the command before taking the alert as theirs.
UNKNOWN_TOPIC_WAIT = 5.0


@dataclass(frozen=True)
class TopicChannels:
    """A topic's channels.toml, its `env:` values resolved (so two readings compare equal only when every value,
    secrets included, is the same: a changed token restarts the channel's loop)."""

    topic: str
    slack_channel: str | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_webhook_url: str | None = field(default=None, repr=False)
    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_url: str | None = field(default=None, repr=False)
    apprise_urls: tuple[str, ...] = field(default=(), repr=False)

    @property
    def empty(self) -> bool:
        return not (self.slack_channel or self.slack_webhook_url or self.email_to or self.apprise_urls)


def _value(raw: object, where: str, environ: Mapping[str, str]) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"{where} must be a string, not {type(raw).__name__}")
    if raw.startswith("env:"):
        name = raw[4:].strip()
        if not environ.get(name):
            raise ValueError(f"{where} names the environment variable {name}, which the notify stage does not have")
        return environ[name]
    return raw


def read_topic_channels(topic_id: str, folder: Path, environ: Mapping[str, str] | None = None,
                        ) -> TopicChannels | None:
    """The topic's channels.toml, or None when the folder has none. Raises ValueError with the reason."""
    path = Path(folder) / CHANNELS_FILE
    if not path.is_file():
        return None
    environ = os.environ if environ is None else environ
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from exc

    def table(name: str) -> dict:
        found = data.get(name, {})
        if not isinstance(found, dict):
            raise ValueError(f"{path}: [{name}] must be a table")
        return found

    def one(section: str, key: str) -> str | None:
        raw = table(section).get(key)
        return None if raw in (None, "") else _value(raw, f"{path}: {section}.{key}", environ)

    def many(section: str, key: str) -> tuple[str, ...]:
        raw = table(section).get(key, [])
        items = raw if isinstance(raw, list) else [raw]
        values = [_value(item, f"{path}: {section}.{key}", environ) for item in items]
        # one env variable may hold several, comma- or space-separated, as NEWSMON_EMAIL_TO and APPRISE_URLS do
        return tuple(part for v in values for part in v.replace(",", " ").split() if part)

    unknown = set(data) - {"slack", "email", "apprise"}
    if unknown:
        raise ValueError(f"{path}: unknown table(s) {', '.join(sorted(unknown))} (slack, email, apprise)")
    return TopicChannels(topic=topic_id, slack_channel=one("slack", "channel"),
                         slack_bot_token=one("slack", "bot_token"), slack_webhook_url=one("slack", "webhook_url"),
                         email_to=many("email", "to"), email_from=one("email", "from"),
                         smtp_url=one("email", "smtp_url"), apprise_urls=many("apprise", "urls"))


def topic_channel_list(settings: Settings, spec: TopicChannels) -> list[Channel]:
    """The channels a topic's channels.toml names, with the deployment's token, server and sender where it names
    none. Raises ValueError when one cannot work (a Slack channel and no token, recipients and no SMTP server)."""
    topic = spec.topic
    found: list[Channel] = []
    if spec.slack_channel:
        token = spec.slack_bot_token or settings.slack_bot_token
        if not token:
            raise ValueError(f"topic {topic}: [slack] channel needs a bot token (bot_token, or "
                             "NEWSMON_SLACK_BOT_TOKEN)")
        found.append(SlackBot(SlackApi(token, spec.slack_channel, settings.slack_api_url), name=f"slack#{topic}"))
    elif spec.slack_webhook_url:
        found.append(SlackWebhook(spec.slack_webhook_url, name=f"slack#{topic}"))
    if spec.email_to:
        smtp = spec.smtp_url or settings.smtp_url
        if not smtp:
            raise ValueError(f"topic {topic}: [email] to has no SMTP server (smtp_url, or NEWSMON_SMTP_URL)")
        found.append(Email(smtp, spec.email_from or settings.email_from, spec.email_to, settings.namespace,
                           name=f"email:{topic}"))
    for url in spec.apprise_urls:
        found.append(AppriseChannel(url, name=apprise_name(url, topic)))
    return found


@dataclass(frozen=True)
class Route:
    """One channel and whose alerts it takes: a topic's (topic set) or the deployment's (topic None)."""

    name: str
    channel: Channel | None  # None: no channel anywhere; the stage's loop stays alive and visible
    topic: str | None = None
    spec: TopicChannels | None = None  # what it was built from, to tell a changed channels.toml


class Routing:
    """Which topics are followed and which have channels of their own now. The deployment's channels take the
    alerts that name no topic and those of followed topics without channels; an alert of a topic no longer followed
    goes nowhere (the operator removed the story; a replay of its old alerts must not reach anyone anew). Read by
    every channel's loop, changed by the stage's own thread when the followed topics change."""

    def __init__(self, unknown_wait: float = UNKNOWN_TOPIC_WAIT) -> None:
        self._own: frozenset[str] = frozenset()
        self._followed: frozenset[str] = frozenset()
        self._waited: set[str] = set()  # unknown topics waited for once (a removed topic's old alerts): not again
        self._changed = threading.Condition()
        self.asked = threading.Event()  # a loop waits for a topic it has not heard of: read the commands now
        self.unknown_wait = unknown_wait

    def update(self, followed: set[str], own: set[str]) -> None:
        with self._changed:
            self._followed, self._own = frozenset(followed), frozenset(own)
            self._changed.notify_all()

    def accepts(self, route: Route, alert: Alert) -> bool:
        if route.topic is not None:
            return alert.topic == route.topic
        with self._changed:
            topic = alert.topic
            if topic is not None and topic not in self._followed and topic not in self._waited:
                # otherwise an alert of a topic added with channels a moment ago would reach the deployment's
                self.asked.set()
                if not self._changed.wait_for(lambda: topic in self._followed, timeout=self.unknown_wait):
                    self._waited.add(topic)
                    log.info("notify: %s is not a followed topic; its alerts are not sent", topic)
            return topic is None or (topic in self._followed and topic not in self._own)


def routes(settings: Settings, followed: list[Followed], routing: Routing) -> list[Route]:
    """The deployment's channels and every followed topic's own. A topic whose channels.toml cannot be used (a
    missing variable, an unknown apprise scheme) is said at ERROR and its alerts go to the deployment's channels,
    so that they are not lost meanwhile."""
    found = [Route(ch.name, ch) for ch in configured_channels(settings)]
    own: set[str] = set()
    for topic in followed:
        try:
            spec = read_topic_channels(topic.id, topic.folder)
            if spec is None or spec.empty:
                continue
            found.extend(Route(ch.name, ch, topic.id, spec) for ch in topic_channel_list(settings, spec))
            own.add(topic.id)
        except ValueError as exc:
            log.error("notify: %s; its alerts go to the deployment's channels", exc)
    routing.update({t.id for t in followed}, own)
    return found or [Route("notify", None)]
