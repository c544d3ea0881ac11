"""The topics (stories) a deployment follows.

At start-up: every folder under NEWSMON_TOPICS_DIR (default `topics/`) that holds a `topic.toml`, or only
NEWSMON_TOPIC_DIR when that is set. While the monitor runs: `newsmon topic add DIR` and `newsmon topic remove ID`,
as TopicCommand records on the compacted `commands.topics` topic. An add carries the folder's files, and every
stage instance writes them under NEWSMON_HOME/topics/<id>/, so that containers on other machines follow the
same folder without a shared disk. The latest command per topic id wins; a removed topic is no longer decided,
polled or shown as followed, and its state stays on the changelog (an add of the same id takes it up again).

Every stage that cares (producer, decide, notify, web) holds a TopicRegistry and polls it between records.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from newsmon.settings import Settings
from schemas import TopicCommand, Topics, decode, encode

log = logging.getLogger(__name__)

# Kafka's default largest record is 1 MB: a folder whose text is larger is refused with a clear reason.
MAX_FOLDER_BYTES = 900_000
_TEXT_SUFFIXES = {".toml", ".txt", ".html", ".htm", ".md", ".json", ".jsonl", ".xml"}


@dataclass(frozen=True)
class Followed:
    """One followed topic: its id and the folder it is read from."""

    id: str
    folder: Path
    added_by_command: bool = False


def topic_id_of(folder: Path) -> str:
    """The id `topic.toml` gives (`id = "..."`), else the folder's name."""
    try:
        data = tomllib.loads((folder / "topic.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{folder} is not a topic folder (no readable topic.toml: {exc})") from exc
    head = data.get("topic") if isinstance(data.get("topic"), dict) else {}
    return str(head.get("id") or folder.name)


def startup_folders(settings: Settings) -> list[Path]:
    if settings.topic_dir is not None:
        return [settings.topic_dir]
    root = settings.topics_dir
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "topic.toml").is_file())


def folder_files(folder: Path) -> dict[str, str]:
    """The text files of a topic folder (topic.toml, feeds.txt, channels, the seeds), path → text."""
    if not (folder / "topic.toml").is_file():
        raise ValueError(f"{folder} has no topic.toml (write one with: newsmon topic init SEEDS --into {folder})")
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in _TEXT_SUFFIXES and not path.name.startswith("."):
            files[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    size = sum(len(t.encode("utf-8")) for t in files.values())
    if size > MAX_FOLDER_BYTES:
        raise ValueError(f"{folder} holds {size:,} bytes of text, more than one command can carry "
                         f"({MAX_FOLDER_BYTES:,}); put the folder under the topics folder of every instance instead")
    return files


def materialise(settings: Settings, command: TopicCommand) -> Path:
    """Write an added topic's files under NEWSMON_HOME/topics/<namespace>/<id>/ and return that folder.

    Every stage process of a machine may do this at once (they share the home): the files are written to a new
    folder that then takes the old one's place by a rename, so a reader sees the old folder or the new one, never
    half of one; a folder that already holds the same files is left alone."""
    base = (settings.home / "topics" / settings.namespace).resolve()
    folder = base / command.topic_id
    digest = _digest(command.files)
    if (folder / ".files").is_file() and (folder / ".files").read_text(encoding="utf-8") == digest:
        return folder
    fresh = base / f".{command.topic_id}.{os.getpid()}.{threading.get_ident()}.new"
    if fresh.exists():
        shutil.rmtree(fresh)
    for name, text in command.files.items():
        target = (fresh / name).resolve()
        if fresh not in target.parents:  # a command names files inside its folder, never elsewhere
            shutil.rmtree(fresh, ignore_errors=True)
            raise ValueError(f"topic {command.topic_id}: file {name!r} is outside its folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    fresh.mkdir(parents=True, exist_ok=True)
    (fresh / ".files").write_text(digest, encoding="utf-8")
    old = base / f".{command.topic_id}.{os.getpid()}.{threading.get_ident()}.old"
    try:
        if folder.exists():
            os.replace(folder, old)
        os.replace(fresh, folder)
    except OSError:  # another process put its (identical) copy in place first
        shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def _digest(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8") + b"\0" + files[name].encode("utf-8") + b"\0")
    return h.hexdigest()


def add_command(folder: Path) -> TopicCommand:
    return TopicCommand(topic_id=topic_id_of(folder), action="add", files=folder_files(folder),
                        source=str(folder))


def send_command(settings: Settings, command: TopicCommand) -> None:
    from newsmon.stream import create_topics, make_producer

    create_topics(settings)
    producer = make_producer(settings)
    try:
        producer.send(settings.topic(Topics.TOPIC_COMMANDS), key=command.topic_id, value=encode(command))
        producer.flush()
    finally:
        producer.close()


class TopicRegistry:
    """The followed topics as this process knows them: the start-up folders, then the commands in order.

    `version` grows with every change this registry has seen, so a stage can tell cheaply that it must look again.
    """

    def __init__(self, settings: Settings, *, read_commands: bool = True):
        self.settings = settings
        self.topics: dict[str, Followed] = {}
        self.version = 0
        for folder in startup_folders(settings):
            try:
                tid = topic_id_of(folder)
            except ValueError as exc:
                log.error("topics: %s", exc)
                continue
            self.topics[tid] = Followed(tid, folder)
        self._consumer: KafkaConsumer | None = None
        if read_commands:
            self._open()

    # ------------------------------------------------------------------------------------------ reading
    def _open(self) -> None:
        from newsmon.stream import create_topics

        create_topics(self.settings)
        topic = self.settings.topic(Topics.TOPIC_COMMANDS)
        self._consumer = KafkaConsumer(bootstrap_servers=self.settings.bootstrap_servers, group_id=None,
                                       enable_auto_commit=False, client_id="newsmon-topic-commands",
                                       reconnect_backoff_max_ms=2000)
        tps = [TopicPartition(topic, p) for p in sorted(self._consumer.partitions_for_topic(topic) or {0})]
        self._consumer.assign(tps)
        self._consumer.seek_to_beginning(*tps)
        ends = self._consumer.end_offsets(tps)
        while any(self._consumer.position(tp) < ends[tp] for tp in tps):
            self._take(self._consumer.poll(timeout_ms=500))

    def poll(self) -> bool:
        """Take the commands that arrived since the last look; True when the followed topics changed."""
        if self._consumer is None:
            return False
        before = self.version
        try:
            self._take(self._consumer.poll(timeout_ms=0))
        except Exception as exc:  # noqa: BLE001 - the broker is away: the topics stay as they are meanwhile
            log.debug("topics: commands not read: %s", exc)
        return self.version != before

    def _take(self, batch: dict) -> None:
        for records in batch.values():
            for record in records:
                if record.value is None:
                    continue
                try:
                    self.apply(decode(TopicCommand, record.value))
                except Exception as exc:  # noqa: BLE001 - one bad command must not stop a stage
                    log.error("topics: command at offset %d not applied: %s", record.offset, exc)

    def apply(self, command: TopicCommand) -> None:
        if command.action == "remove":
            if self.topics.pop(command.topic_id, None) is not None:
                self.version += 1
                log.info("topics: %s is no longer followed", command.topic_id)
            return
        folder = materialise(self.settings, command)
        self.topics[command.topic_id] = Followed(command.topic_id, folder, added_by_command=True)
        self.version += 1
        log.info("topics: following %s (from %s)", command.topic_id, command.source or "a command")

    # ------------------------------------------------------------------------------------------ answers
    def followed(self) -> list[Followed]:
        return [self.topics[t] for t in sorted(self.topics)]

    def ids(self) -> list[str]:
        return sorted(self.topics)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
