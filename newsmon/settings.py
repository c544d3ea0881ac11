"""All settings, from the environment, in one typed and frozen model.

Secrets may come from a file instead: NEWSMON_SLACK_WEBHOOK_URL_FILE, NEWSMON_SLACK_BOT_TOKEN_FILE,
NEWSMON_SMTP_URL_FILE, NEWSMON_APPRISE_URLS_FILE. Secret fields are left out of the model's repr, so a logged
Settings never shows them.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from schemas.topics import TopicSpec, topic_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOPICS_DIR = REPO_ROOT / "topics"
DEFAULT_TOPIC_DIR = DEFAULT_TOPICS_DIR / "russia-iran"  # the default story
SECRET_FILE_VARS = ("NEWSMON_SLACK_WEBHOOK_URL", "NEWSMON_SLACK_BOT_TOKEN", "NEWSMON_SMTP_URL",
                    "NEWSMON_APPRISE_URLS")
_DIGEST = re.compile(r"^daily@([01]\d|2[0-3]):([0-5]\d)$")

CommaList = Annotated[tuple[str, ...], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_", frozen=True, extra="ignore")

    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "NEWSMON_KAFKA_BOOTSTRAP_SERVERS"))
    namespace: str = "newsmon"  # prefix of every topic and consumer group: several deployments, one cluster
    home: Path = Path(".newsmon")  # local broker data, jars and logs
    broker_port: int = 9092
    # The stories followed: every folder with a topic.toml under topics_dir, or only topic_dir when it is set
    # (newsmon topic add/remove change the set while the monitor runs; newsmon.registry).
    topics_dir: Path = DEFAULT_TOPICS_DIR
    topic_dir: Path | None = None
    feeds: CommaList = ()  # replaces the topic's feed list when set
    poll_seconds: float = 300.0  # each feed's usual interval; hints and back-off lengthen it, within the bounds
    poll_min_seconds: float = 60.0  # never poll a feed more often than this
    poll_max_seconds: float = 21_600.0  # the longest wait: cache hints and failure back-off stop here
    poll_jitter: float = 0.1  # ± share of each wait, so feeds polled together drift apart
    poll_workers: int = 16  # feeds fetched at once (across hosts)
    host_concurrency: int = 4  # requests in flight per host (feeds and pages)
    failing_after: int = 3  # consecutive failures before a feed is reported as failing
    search_services: CommaList = ("gdelt", "google_news", "bing_news")  # which services the topic's queries use
    gdelt_url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    gdelt_gap_seconds: float = 5.0  # GDELT asks for at most one request every 5 seconds
    google_news_url: str = "https://news.google.com"  # its RSS search and its link decoder
    bing_news_url: str = "https://www.bing.com/news/search"
    partitions: int = 3
    extract_workers: int = 1  # extract processes `newsmon run` starts (at most `partitions` of them get work)
    decide_workers: int = 1  # decide processes `newsmon run` starts (the followed topics are shared out among them)
    # Static group membership (group.instance.id): a restarted stage process with the same id takes its partitions
    # back at once instead of waiting out the session timeout. `newsmon run` gives each process it starts its own.
    instance_id: str | None = None
    session_timeout_seconds: float = 10.0  # a member silent this long (killed, hung) loses its partitions
    slack_webhook_url: str | None = Field(default=None, repr=False)
    slack_bot_token: str | None = Field(default=None, repr=False)  # xoxb-…: the Web API (threads, chat.update)
    slack_channel: str | None = None  # the channel the bot posts to ("#news" or its id)
    slack_api_url: str = "https://slack.com/api/"  # tests point it at a local server that answers like Slack
    smtp_url: str | None = Field(default=None, repr=False)  # smtp://user:pass@host:587 (STARTTLS), smtps://host:465
    email_from: str = "newsmon@localhost"
    email_to: CommaList = ()
    notify_updates: bool = False  # also send each corroboration (a Slack bot always threads it and updates the alert)
    apprise_urls: CommaList = Field(default=(), repr=False)  # one channel per URL (Teams, Discord, ntfy, ...)
    digest: str | None = None  # "daily@08:00" (UTC): one email of the last day's developments and corroborations
    alerts_per_hour: int = 20  # per channel; what exceeds it goes out as one grouped message (0: no limit)
    rate_window_seconds: float = 3600.0  # the limit's window (an hour; tests shorten it)
    web_host: str = "127.0.0.1"  # `newsmon web`: the page, /metrics
    web_port: int = 8080
    allow_private_networks: bool = False  # every loopback/private address may be fetched (development only)
    # Exact host:port endpoints that may be fetched although they resolve to non-public addresses (tests, the drill,
    # a feed server on the LAN); with allowed_endpoints_only nothing else is fetched at all, public hosts included.
    allowed_endpoints: CommaList = ()
    allowed_endpoints_only: bool = False
    fetch_timeout: float = 15.0
    max_attempts: int = 3  # a message failing this often goes to its dead-letter topic
    log_level: str = "INFO"
    embeddings: bool = True  # `newsmon similarity` adds multilingual embeddings when their packages are installed
    heartbeat_file: Path | None = None  # touched while a stage's loop is alive (container health checks)

    @field_validator("feeds", "email_to", "search_services", "allowed_endpoints", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("apprise_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        # apprise's own convention: URLs separated by commas or white space
        if isinstance(value, str):
            return tuple(part for part in re.split(r"[\s,]+", value) if part)
        return value

    @field_validator("digest", mode="before")
    @classmethod
    def _digest(cls, value: object) -> object:
        if value in (None, "", "off", "none"):
            return None
        if not isinstance(value, str) or not _DIGEST.match(value.strip()):
            raise ValueError(f"NEWSMON_DIGEST must look like daily@08:00 (UTC), not {value!r}")
        return value.strip()

    @property
    def digest_time(self) -> tuple[int, int] | None:
        """(hour, minute) UTC of the daily digest, or None."""
        found = _DIGEST.match(self.digest or "")
        return (int(found.group(1)), int(found.group(2))) if found else None

    @property
    def web_url(self) -> str:
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        return f"http://{host}:{self.web_port}/"

    @field_validator("allowed_endpoints")
    @classmethod
    def _endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from newsmon.fetch import parse_endpoint

        for endpoint in value:
            parse_endpoint(endpoint)  # raises with the bad entry named
        return value

    @property
    def network_policy(self):
        """What fetching may reach besides public addresses (newsmon.fetch.NetworkPolicy)."""
        from newsmon.fetch import NetworkPolicy, parse_endpoint

        return NetworkPolicy(allow_private=self.allow_private_networks,
                             endpoints=frozenset(parse_endpoint(e) for e in self.allowed_endpoints),
                             endpoints_only=self.allowed_endpoints_only)

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka_bootstrap_servers or f"127.0.0.1:{self.broker_port}"

    def topic(self, spec: TopicSpec) -> str:
        return topic_name(spec, self.namespace)

    def group(self, stage: str) -> str:
        return f"{self.namespace}-{stage}"

    @property
    def uses_local_broker(self) -> bool:
        return not self.kafka_bootstrap_servers


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; `*_FILE` variables name files holding a secret."""
    from_files = {}
    for var in SECRET_FILE_VARS:
        path = os.environ.get(f"{var}_FILE")
        if path and var not in os.environ:
            from_files[var.removeprefix("NEWSMON_").lower()] = Path(path).read_text(encoding="utf-8").strip()
    return Settings(**{**from_files, **overrides})
