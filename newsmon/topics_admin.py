"""`newsmon topics`: the followed topics with what each has decided and raised; `newsmon topic add DIR` and
`newsmon topic remove ID` (commands on the compacted commands.topics topic that every running stage reads).

The counts are read back from the decisions and alerts topics (Decision.topic, Alert.topic), so they are what the
pipeline did, not what a stage believes; a record that names no topic (written before topics had ids) is skipped.
The listing is a pure function of (followed topics, decisions, alerts)."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from newsmon.registry import Followed, TopicRegistry, add_command, send_command
from newsmon.settings import Settings
from schemas import Alert, Decision, TopicCommand, Topics, decode


@dataclass(frozen=True)
class TopicRow:
    id: str
    folder: str
    added_by_command: bool
    articles_on_topic: int  # distinct articles decided on topic (known, announced, new, corroboration)
    developments: int  # distinct alerts raised
    last_alert_at: str | None


@contextmanager
def followed_topics(settings: Settings) -> Iterator[list[Followed]]:
    """The topics followed now: the start-up folders with every topic command applied. A command's files are
    written into a temporary home, because the running stages own NEWSMON_HOME/topics and a command-line tool
    rewriting a folder there could pull it from under a stage that is reading it."""
    with tempfile.TemporaryDirectory(prefix="newsmon-topics-") as home:
        registry = TopicRegistry(settings.model_copy(update={"home": Path(home)}))
        try:
            yield registry.followed()
        finally:
            registry.close()


def topic_rows(followed: Iterable[Followed], decisions: Iterable[Decision], alerts: Iterable[Alert]) -> list[TopicRow]:
    on_topic: dict[str, set[str]] = {}
    for decision in decisions:
        if decision.topic is not None and decision.on_topic:
            on_topic.setdefault(decision.topic, set()).add(decision.url)  # a redelivered decision counts once
    developments: dict[str, set[str]] = {}
    last: dict[str, datetime] = {}
    for alert in alerts:
        if alert.topic is None:
            continue
        developments.setdefault(alert.topic, set()).add(alert.alert_id)
        if alert.revision == 0:  # a corroboration's revision is not an alert of its own
            when = alert.created_at.astimezone(timezone.utc)
            last[alert.topic] = max(last.get(alert.topic, when), when)
    return [TopicRow(id=f.id, folder=str(f.folder), added_by_command=f.added_by_command,
                     articles_on_topic=len(on_topic.get(f.id, ())), developments=len(developments.get(f.id, ())),
                     last_alert_at=last[f.id].strftime("%Y-%m-%d %H:%M:%SZ") if f.id in last else None)
            for f in followed]


def render(rows: list[TopicRow]) -> str:
    header = ("topic", "on topic", "developments", "last alert", "folder")
    table = [header] + [(r.id, str(r.articles_on_topic), str(r.developments), r.last_alert_at or "-",
                         r.folder + (" (topic add)" if r.added_by_command else "")) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in table]
    lines.append(f"{len(rows)} topic(s) followed" if rows else
                 "no topic followed (newsmon topic init SEEDS, then newsmon topic add DIR)")
    return "\n".join(lines)


def as_dicts(rows: list[TopicRow]) -> list[dict]:
    return [asdict(r) for r in rows]


def list_topics(settings: Settings) -> list[TopicRow]:
    from newsmon.stream import create_topics, read_all

    create_topics(settings)
    decisions = [decode(Decision, v) for _k, v in read_all(settings, settings.topic(Topics.DECISIONS))]
    alerts = [decode(Alert, v) for _k, v in read_all(settings, settings.topic(Topics.ALERTS))]
    with followed_topics(settings) as followed:
        return topic_rows(followed, decisions, alerts)


def add_topic(settings: Settings, folder: Path) -> tuple[TopicCommand, bool]:
    """Validate the folder as the decider will read it, then send it. Returns the command and whether the topic
    was followed already (then its folder is replaced). Raises ValueError with the reason."""
    from consumers.topics.model import load_topic

    if not (folder / "topic.toml").is_file():
        raise ValueError(f"{folder} has no topic.toml (write one with: newsmon topic init SEEDS --into {folder})")
    try:
        load_topic(folder)
    except Exception as exc:  # noqa: BLE001 - whatever the TOML or a field holds, the folder is refused with it
        raise ValueError(f"{folder}/topic.toml cannot be read as a topic: {type(exc).__name__}: {exc}") from exc
    command = add_command(folder)
    with followed_topics(settings) as followed:
        known = any(f.id == command.topic_id for f in followed)
    send_command(settings, command)
    return command, known


def remove_topic(settings: Settings, topic_id: str) -> TopicCommand:
    """Raises ValueError when the id is not followed (a typo must not look like it worked)."""
    with followed_topics(settings) as followed:
        ids = [f.id for f in followed]
    if topic_id not in ids:
        raise ValueError(f"{topic_id!r} is not a followed topic (followed: {', '.join(ids) or 'none'}; "
                         "newsmon topics lists them)")
    command = TopicCommand(topic_id=topic_id, action="remove")
    send_command(settings, command)
    return command
