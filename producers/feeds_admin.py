"""`newsmon feeds`: every feed with its state, and `add`/`remove` while the producer runs (a compacted command
topic the producer reads). The listing is a pure function of (configured feeds, commands, states)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from newsmon.settings import Settings
from newsmon.stream import create_topics, make_producer
from producers.feed_list import FeedList, configured_feeds, services
from producers.schedule import Schedule, health
from producers.search import feed_kind
from schemas import FeedCommand, FeedState, Topics, encode


@dataclass(frozen=True)
class FeedRow:
    url: str
    kind: str
    health: str  # ok, retrying, failing, removed, new (never polled)
    last_status: str
    last_success_at: str | None
    failures: int
    next_poll_at: str | None
    items_published: int
    last_error: str


def feed_rows(configured: list[str], commands: list[FeedCommand], states: dict[str, FeedState],
              schedule: Schedule, settings: Settings) -> list[FeedRow]:
    feeds = FeedList(configured)
    for command in commands:
        feeds.apply(command)
    active = feeds.active()
    removed = [u for u, c in feeds.commands.items() if c.action == "remove"]
    rows = []
    for url in active + [u for u in removed if u not in active]:
        state = states.get(url)
        if url not in active:
            status = "removed"
        elif state is None or state.last_status == "never":
            status = "new"
        else:
            status = health(state.failures, schedule)
        rows.append(FeedRow(url=url, kind=(state.kind if state else feed_kind(url, services(settings)).value),
                            health=status, last_status=state.last_status if state else "never",
                            last_success_at=_when(state.last_success_at if state else None),
                            failures=state.failures if state else 0,
                            next_poll_at=_when(state.next_poll_at if state else None),
                            items_published=state.items_published if state else 0,
                            last_error=state.last_error if state else ""))
    return rows


def render(rows: list[FeedRow]) -> str:
    header = ("health", "kind", "last status", "last success", "fails", "next poll", "published", "feed")
    table = [header] + [(r.health, r.kind, r.last_status, r.last_success_at or "-", str(r.failures),
                         r.next_poll_at or "-", str(r.items_published), r.url) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in table]
    failing = [r for r in rows if r.health == "failing"]
    lines.append(f"{len(rows)} feeds, {sum(r.health != 'removed' for r in rows)} polled, {len(failing)} failing")
    lines.extend(f"  failing: {r.url}: {r.last_error}" for r in failing)
    return "\n".join(lines)


def as_dicts(rows: list[FeedRow]) -> list[dict]:
    return [asdict(r) for r in rows]


def list_feeds(settings: Settings) -> list[FeedRow]:
    from producers.service import load_commands, load_feed_states, poll_config

    from newsmon.topics_admin import followed_topics

    create_topics(settings)
    # the feeds of the topics followed now, those `newsmon topic add` added included
    with followed_topics(settings) as followed:
        configured = configured_feeds(settings, [f.folder for f in followed])
    return feed_rows(configured, load_commands(settings), load_feed_states(settings),
                     poll_config(settings).schedule, settings)


def send_command(settings: Settings, url: str, action: str) -> FeedCommand:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) feed URL: {url!r}")
    create_topics(settings)
    command = FeedCommand(feed_url=url, action=action)
    producer = make_producer(settings)
    try:
        producer.send(settings.topic(Topics.FEED_COMMANDS), key=url, value=encode(command)).get(timeout=30)
    finally:
        producer.close()
    return command


def _when(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if value else None
