"""The records newsmon writes to Kafka. Bump SCHEMA_VERSION on a change a reader of the old shape cannot take."""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# 2: decisions may be "announced"; alerts say the event's modality and where its date comes from
# 3: decisions, the decider's changelog and feedback name their topic (a deployment follows several stories)
SCHEMA_VERSION = 3

# "announced": on topic, a plan nobody reported before; quiet until it happens, when its development alerts
Status = Literal["off_topic", "known", "announced", "new_development", "corroboration"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    schema_version: int = SCHEMA_VERSION

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > SCHEMA_VERSION:
            raise ValueError(f"schema_version {v} is newer than this reader ({SCHEMA_VERSION})")
        return v


DateStatus = Literal["ok", "missing", "future", "unparseable"]


class DiscoveredArticle(Message):
    """A feed entry that points at an article nobody has processed yet.

    Published once per canonical URL; a later change of its title is published again under the same key with
    `revision` raised. `resolved` is False when the entry's link is an aggregator's token that could not be turned
    into the publisher's URL (Google News): such a record keeps its title, site and summary, and is never fetched.
    """

    url: str  # the publisher's URL (or the aggregator's link when `resolved` is False)
    canonical_url: str
    feed_url: str  # the first feed that listed it
    title: str = ""
    summary: str = ""
    published: datetime | None = None  # aware UTC; None when the feed gave no usable date (see date_status)
    discovered_at: datetime = Field(default_factory=utcnow)
    revision: int = 0
    feed_urls: list[str] = Field(default_factory=list)  # every feed that listed it when it was published
    site: str = ""  # the publisher's host name ("reuters.com")
    site_name: str = ""  # the publisher's name as the feed gives it ("Reuters")
    language: str | None = None  # ISO 639-1 hint from the feed or the search query; the extractor decides
    date_status: DateStatus = "ok"  # why `published` is None (missing, unparseable) or was refused (future)
    resolved: bool = True
    aggregator_url: str = ""  # the aggregator's link that led here (Google News, Bing), when there was one


class ExtractedArticle(Message):
    """The article's own text and metadata, without the page around it."""

    url: str
    canonical_url: str
    feed_url: str | None = None
    title: str = ""
    text: str
    language: str | None = None  # ISO 639-1
    published: datetime | None = None
    sitename: str | None = None
    extracted_at: datetime = Field(default_factory=utcnow)
    # computed where extraction scales out, the same for every story: the story index's signature of the text
    # (consumers.matching) and the reading of the lead (consumers.decide.reading.carried_reading)
    signature: dict[str, Any] | None = None
    reading: dict[str, Any] | None = None


class RejectedArticle(Message):
    """A discovered article the extract stage did not turn into an article, and why: its page is gone, forbidden,
    too large, a redirect loop, a consent wall, no article at all... A normal outcome, not a failure (those are
    dead letters), recorded so that every discovered article can be accounted for."""

    url: str
    canonical_url: str
    feed_url: str | None = None
    stage: str = "extract"
    kind: str  # a newsmon.fetch.FetchFailure value, a consumers.extract.Rejected kind, or "unresolved"
    reason: str
    rejected_at: datetime = Field(default_factory=utcnow)


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    url: str
    title: str = ""
    language: str | None = None
    published: datetime | None = None


class Decision(Message):
    """What the decider made of one article for one topic (one per article and topic followed); also one line of
    `newsmon replay` output."""

    url: str
    topic: str | None = None  # the id of the topic it was decided against
    language: str | None = None
    on_topic: bool
    status: Status
    development_id: str | None = None
    alert: bool = False
    matched: list[str] = Field(default_factory=list)
    reason: str = ""
    kind: str | None = None  # the kind of development that decided (consumers/catalogue), if any
    modality: str | None = None  # "done", "planned", "scheduled", ... of that event


class Alert(Message):
    """A development as the notifiers send it. Keyed by alert_id; each corroboration raises `revision`.

    Notifiers send revision 0 as the alert; later revisions update the record (sources) without a new alert.
    """

    alert_id: str  # = development id; stable across restarts and redeliveries
    revision: int = 0
    headline: str  # English: what happened
    kind: str = "development"
    kind_label: str = ""
    modality: str = "done"
    actors: list[str] = Field(default_factory=list)
    event_date: datetime | None = None
    date_from_text: bool = False  # the event's date as the text gives it; otherwise the publication date
    evidence: str = ""  # the sentence that shows it, in the original language
    evidence_language: str | None = None
    first_source: Source
    announced_by: Source | None = None  # the report that announced it before it happened
    topic: str | None = None
    corroborations: list[Source] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)


class StateRecord(Message):
    """One entry of the decider's changelog: the latest record per `key` is the decider's state.

    "feedback": what a person's feedback changed (a development dismissed, an article raised to a development);
    consumers/decide/feedback.py writes and applies it."""

    key: str
    kind: Literal["article", "development", "feedback", "progress"]
    data: dict[str, Any]
    topic: str | None = None  # whose state it is; the changelog's record key is "<topic>|<key>"

    @property
    def log_key(self) -> str:
        return f"{self.topic}|{self.key}" if self.topic else self.key


class FeedState(Message):
    """What a producer knows of a feed: conditional-GET validators, its schedule and its last outcome.

    Small on purpose (it is written after every poll, 304s included); the articles already published are kept
    per article on their own compacted topic (SeenArticle).
    """

    feed_url: str
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = Field(default_factory=list)  # read from older records only; see SeenArticle
    last_status: str = "never"  # one of producers.feed_poll.FeedStatus
    last_error: str = ""
    checked_at: datetime | None = None
    failures: int = 0  # consecutive
    kind: str = "feed"  # feed, gdelt, google_news, bing_news
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    interval_seconds: float | None = None  # the wait chosen after the last poll (hints, back-off, bounds)
    items_published: int = 0
    polls: int = 0


class SeenArticle(BaseModel):
    """What the producer remembers of one published article: the titles published (a changed title becomes a new
    revision) and the aggregator links that led to it (never decoded twice)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    canonical_url: str
    revision: int = 0
    title_keys: list[str] = Field(default_factory=list)  # short hashes of normalised titles published
    aliases: list[str] = Field(default_factory=list)  # aggregator links (canonical) that led to it
    first_seen_at: datetime = Field(default_factory=utcnow)


class FeedMemory(Message):
    """The articles one feed has listed, newest last, bounded (compacted, keyed by feed URL): the producer's
    durable seen-set is the union over feeds. Written only when a feed lists something it had not listed before,
    so a feed that answers 304, or lists what it listed before, costs no write."""

    feed_url: str
    articles: list[SeenArticle] = Field(default_factory=list)


class FeedCommand(Message):
    """An operator's change to the feed list at run time (compacted, keyed by feed URL: the latest wins)."""

    feed_url: str
    action: Literal["add", "remove"]
    issued_at: datetime = Field(default_factory=utcnow)


class TopicCommand(Message):
    """`newsmon topic add DIR` / `newsmon topic remove ID` while the monitor runs (compacted, keyed by topic id).

    An add carries the topic folder's files (topic.toml, feeds.txt, the seeds), so that every instance of every
    stage, on whatever machine or container, follows the same folder without a shared disk."""

    topic_id: str
    action: Literal["add", "remove"]
    files: dict[str, str] = Field(default_factory=dict)  # path inside the folder → text
    source: str = ""  # the folder it was added from, as the operator named it
    issued_at: datetime = Field(default_factory=utcnow)


class DeliveryRecord(Message):
    """Proof that one alert revision reached one channel; written only after the send succeeded.

    It also keeps what a later revision needs to thread under the first one: Slack's channel and message `ts`
    (replies go to that thread, the parent is updated in place), the email's Message-ID (In-Reply-To). An alert
    that went out inside a grouped message (the channel's hourly limit was reached) names that group.
    A digest is recorded the same way, with alert_id "digest:<day>".
    """

    alert_id: str
    revision: int
    channel: str
    delivered_at: datetime = Field(default_factory=utcnow)
    thread_ts: str | None = None  # Slack: the ts of the message that opened the alert's thread
    slack_channel: str | None = None  # Slack: the channel id the Web API answered with (chat.update needs it)
    message_ts: str | None = None  # Slack: this revision's own message (the parent for revision 0)
    message_id: str | None = None  # email: this message's Message-ID
    group: str | None = None  # the grouped message it went out in, when the channel's limit held it back


class HeldAlert(Message):
    """An alert a channel's rate limit held back (compacted, keyed by channel:alert id): it goes out in the next
    grouped message. Released once a DeliveryRecord of the same (alert, channel) exists."""

    channel: str
    alert: Alert
    held_at: datetime = Field(default_factory=utcnow)
    released: bool = False  # let go without a delivery (the channel refused the group for good: dead-lettered)


FeedbackVerdict = Literal["not_new", "off_topic", "was_new", "withdrawn"]


class Feedback(Message):
    """A person's word on a decision (compacted, keyed by `key`: the latest word on a target wins).

    On a development (an alert): "not_new" or "off_topic" dismiss it, so its later reports stay quiet;
    "withdrawn" takes that back. On an article the decider kept quiet: "was_new" raises a development from it,
    which alerts like any other.
    """

    target: Literal["development", "article"]
    topic: str | None = None  # the topic of the development or decision; None: every topic it concerns
    development_id: str | None = None
    url: str | None = None  # the article's URL, as its decision names it
    verdict: FeedbackVerdict
    title: str = ""  # the article's title, for the alert a raised development sends
    note: str = ""
    issued_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _fits_its_target(self) -> "Feedback":
        if self.target == "development":
            if not self.development_id:
                raise ValueError("feedback on a development needs its development_id")
            if self.verdict not in ("not_new", "off_topic", "withdrawn"):
                raise ValueError(f"a development can be marked not_new, off_topic or withdrawn, not {self.verdict}")
        else:
            if not self.url:
                raise ValueError("feedback on an article needs its url")
            if self.verdict not in ("was_new", "withdrawn"):
                raise ValueError(f"an article can be marked was_new or withdrawn, not {self.verdict}")
        return self

    @property
    def key(self) -> str:
        target = f"development:{self.development_id}" if self.target == "development" else f"article:{self.url}"
        return f"{self.topic}|{target}" if self.topic and self.target == "article" else target


class Heartbeat(Message):
    """A running stage instance says it is alive (compacted, keyed by stage@instance), every few seconds; a
    tombstone under its key when it stops cleanly."""

    stage: str
    instance: str  # host:pid
    started_at: datetime
    at: datetime = Field(default_factory=utcnow)


class DeadLetterReplay(Message):
    """A dead letter sent back to its topic for another try (compacted, keyed by the letter's id)."""

    letter_id: str  # <dead-letter topic>/<partition>/<offset>
    topic: str  # where its original bytes went back to
    replayed_at: datetime = Field(default_factory=utcnow)


class DeadLetter(Message):
    """A message a stage could not process after its retries, with its original bytes."""

    topic: str
    partition: int
    offset: int
    key_b64: str | None
    value_b64: str
    stage: str
    error: str
    attempts: int
    failed_at: datetime = Field(default_factory=utcnow)

    @staticmethod
    def b64(raw: bytes | None) -> str | None:
        return None if raw is None else base64.b64encode(raw).decode("ascii")

    def original_value(self) -> bytes:
        return base64.b64decode(self.value_b64)


M = TypeVar("M", bound=Message)


def encode(message: Message) -> bytes:
    return message.model_dump_json().encode("utf-8")


def decode(model: type[M], raw: bytes) -> M:
    """Raises pydantic.ValidationError (a poison message) when the bytes are not this model's JSON."""
    return model.model_validate_json(raw)
