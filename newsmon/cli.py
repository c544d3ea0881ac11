"""The `newsmon` command: run the pipeline or one stage, manage the local broker and the feeds, replay, similarity."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsmon.settings import load_settings

STAGES = ("producer", "extract", "decide", "notify", "web")
log = logging.getLogger("newsmon")


def _setup_logging(level: str) -> None:
    numeric = getattr(logging, level.upper(), logging.INFO)
    # The process id tells apart the stages `newsmon run` starts (they share its stderr).
    logging.basicConfig(level=numeric, stream=sys.stderr,  # full date and ms: the drill times recovery from them
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    # kafka-python's own chatter (coordinator changes, reconnects, slow event-loop steps) is routine for a client:
    # shown only with NEWSMON_LOG_LEVEL=DEBUG; its errors still show, unless they are retries (below).
    logging.getLogger("kafka").setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.ERROR)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_quiet_kafka_retries)


def _quiet_kafka_retries(record: logging.LogRecord) -> bool:
    """kafka-python logs every failed reconnect and retried request at WARNING or ERROR (hundreds of lines in a
    broker outage); newsmon.stream.BrokerWatch says the same once per stage, so these stay below WARNING."""
    if not record.name.startswith("kafka") or record.levelno >= logging.CRITICAL:
        return True
    return False if record.levelno < logging.CRITICAL and _is_retry_chatter(record) else True


_RETRY_WORDS = ("connect", "connection", "disconnect", "node not ready", "retry", "retrying", "timed out",
                "not available", "unavailable", "no broker", "nodenotready", "kafkaconnectionerror",
                "coordinator", "heartbeat", "metadata", "brokers", "bootstrap", "refused", "socket")


def _is_retry_chatter(record: logging.LogRecord) -> bool:
    try:
        text = record.getMessage().lower()
    except Exception:  # noqa: BLE001 - a malformed library message is not worth a crash
        return False
    return any(word in text for word in _RETRY_WORDS)


def cmd_broker(args) -> int:
    from newsmon import broker

    settings = load_settings()
    if args.action == "start":
        if not settings.uses_local_broker:
            print(f"KAFKA_BOOTSTRAP_SERVERS is set ({settings.bootstrap_servers}): not starting a local broker")
            return 0
        seconds = broker.start(settings)
        print(json.dumps({**broker.status(settings), "started_in_s": round(seconds, 1)}))
    elif args.action == "stop":
        print("stopped" if broker.stop(settings) else "not running")
    else:
        info = broker.status(settings)
        print(json.dumps(info))
        return 0 if info["running"] else 3
    return 0


def cmd_stage(args) -> int:
    from newsmon.stream import StopFlag

    settings = load_settings()
    stop = StopFlag()
    if args.name == "producer":
        from producers.service import run_producer
        run_producer(settings, stop, once=args.once)
    elif args.name == "extract":
        from consumers.extract_service import run_extractor
        run_extractor(settings, stop)
    elif args.name == "decide":
        from consumers.decide_service import run_decider
        run_decider(settings, stop)
    elif args.name == "web":
        from newsmon.web.service import run_web
        run_web(settings, stop)
    else:
        from consumers.notify.service import run_notifier
        run_notifier(settings, stop)
    return 0


def cmd_web(args) -> int:
    from newsmon.stream import StopFlag
    from newsmon.web.service import run_web

    overrides = {k: v for k, v in (("web_host", args.host), ("web_port", args.port)) if v is not None}
    run_web(load_settings(**overrides), StopFlag())
    return 0


def cmd_status(args) -> int:
    from newsmon.status import render_status, status_view

    settings = load_settings()
    try:
        reading = status_view(settings)
    except Exception as exc:  # noqa: BLE001 - no broker: say so in one line
        print(f"newsmon status: Kafka at {settings.bootstrap_servers} could not be read ({type(exc).__name__}: "
              f"{exc}); is it running? (newsmon broker status)", file=sys.stderr)
        return 3
    if args.json:
        from newsmon.status import as_json
        print(json.dumps(as_json(reading, settings.failing_after), indent=1))
    else:
        render_status(reading, settings)
    return 0


def cmd_dlq(args) -> int:
    from newsmon import dlq

    settings = load_settings()
    letters = dlq.load_letters(settings)
    if args.action == "list":
        print(dlq.render(letters))
        return 0
    chosen, unknown = dlq.select(letters, args.ids, everything=args.all, again=args.again)
    for ident in unknown:
        print(f"newsmon dlq replay: no dead letter {ident}", file=sys.stderr)
    if not args.ids and not args.all:
        print("newsmon dlq replay: name the letters (ids from `newsmon dlq list`) or give --all", file=sys.stderr)
        return 2
    sent = dlq.replay(settings, chosen) if chosen else []
    for ident in sent:
        print(f"sent back: {ident}")
    skipped = (len(args.ids) if args.ids else len(letters)) - len(sent) - len(unknown)
    if skipped:
        print(f"{skipped} already sent back (--again sends them once more)")
    return 1 if unknown else 0


def cmd_feedback(args) -> int:
    from pydantic import ValidationError

    from newsmon.feedback import send_feedback
    from schemas import Feedback

    settings = load_settings()
    verdict = args.verdict.replace("-", "_")
    try:
        if verdict == "was_new":
            word = Feedback(target="article", url=args.target, verdict="was_new", title=args.title or "",
                            topic=args.topic)
        else:
            word = Feedback(target="development", development_id=args.target, topic=args.topic,
                            verdict="withdrawn" if verdict == "withdraw" else verdict)
    except ValidationError as exc:
        print(f"newsmon feedback: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    send_feedback(settings, word)
    print(f"{word.verdict}: {word.key} (the decider takes it up in order with the articles)")
    return 0


def cmd_run(args) -> int:
    """Every stage as its own process (a crash takes one stage down, and it is restarted)."""
    from newsmon.stream import create_topics

    settings = load_settings()
    started_broker = False
    if settings.uses_local_broker and args.start_broker:
        from newsmon import broker
        started_broker = not broker.status(settings)["running"]
        seconds = broker.start(settings)
        log.info("local Kafka broker %s on %s", f"started in {seconds:.0f}s" if started_broker
                 else "already running", settings.bootstrap_servers)
    create_topics(settings)
    scaled = {"extract": settings.extract_workers, "decide": settings.decide_workers}
    workers = [StageProcess(name, index) for name in args.stages.split(",")
               for index in range(max(1, scaled.get(name, 1)))]
    stopping = False

    def on_signal(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for worker in workers:
        worker.spawn()
    log.info("newsmon: running %s on %s", ", ".join(w.label for w in workers), settings.bootstrap_servers)
    if "web" in args.stages.split(","):
        print(f"newsmon: the page is at {settings.web_url}", flush=True)
    while not stopping:
        time.sleep(0.2)
        from newsmon import broker
        broker.reap()
        for worker in workers:
            if not stopping:
                worker.supervise()
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)
    print(_broker_on_exit(settings, started_broker), flush=True)
    return 0


def _broker_on_exit(settings, started_by_us: bool) -> str:
    """Stop the broker this run started; say in one line that a broker it found running keeps running."""
    if not settings.uses_local_broker:
        return f"newsmon: stopped (Kafka at {settings.bootstrap_servers} is not ours to stop)"
    from newsmon import broker

    if started_by_us:
        broker.stop(settings)
        return "newsmon: stopped, and the local Kafka broker it started too"
    if broker.status(settings)["running"]:
        return "newsmon: stopped; the local Kafka broker keeps running (it was running before): newsmon broker stop"
    return "newsmon: stopped"


def instance_base() -> str:
    """NEWSMON_INSTANCE_ID, else this machine's name: two `newsmon run` on two machines never share an id."""
    import re
    import socket

    return re.sub(r"[^A-Za-z0-9._-]", "-", os.environ.get("NEWSMON_INSTANCE_ID") or socket.gethostname())[:200]


class StageProcess:
    """One stage process of `newsmon run`, restarted when it dies.

    Each gets a stable NEWSMON_INSTANCE_ID (its static group membership), so its restart takes its partitions back
    at once. It is restarted half a second after it died; a stage that keeps dying soon after it started waits
    twice as long each time (up to 30 s), so a crash loop does not spin."""

    QUICK_DEATH = 20.0

    def __init__(self, stage: str, index: int):
        self.stage, self.index = stage, index
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.delay = 0.25  # doubled at a quick death, so the first restart comes after 0.5 s
        self.restart_at: float | None = None

    @property
    def label(self) -> str:
        return self.stage if self.index == 0 else f"{self.stage}-{self.index}"

    def spawn(self) -> None:
        env = {**os.environ, "NEWSMON_INSTANCE_ID": f"{instance_base()}-{self.index}"}
        self.proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "stage", self.stage], env=env)
        self.started = time.monotonic()
        self.restart_at = None

    def supervise(self) -> None:
        if self.proc is None or self.proc.poll() is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            lived = now - self.started
            self.delay = min(self.delay * 2, 30.0) if lived < self.QUICK_DEATH else 0.5
            log.error("stage %s (pid %d) exited with %s after %.0fs; restarting it in %.1fs", self.label,
                      self.proc.pid, self.proc.returncode, lived, self.delay)
            self.restart_at = now + self.delay
        if now >= self.restart_at:
            self.spawn()
            log.info("stage %s restarted (pid %d)", self.label, self.proc.pid)

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def cmd_replay(args) -> int:
    from newsmon.replay import replay_file

    settings = load_settings()
    from newsmon.registry import startup_folders

    topic_dirs = [Path(t) for t in args.topic] if args.topic else startup_folders(settings)
    if not topic_dirs:
        print("newsmon replay: no topic folder (give --topic DIR)", file=sys.stderr)
        return 2
    with open(args.input, encoding="utf-8") as source, open(args.output, "w", encoding="utf-8") as sink:
        count = replay_file(source, sink, topic_dirs)
    print(f"{count} decisions written to {args.output}", file=sys.stderr)
    return 0


def cmd_topic(args) -> int:
    """`newsmon topic init SEEDS [--into DIR]`: a topic folder from seed articles alone; `newsmon topic add DIR`,
    `newsmon topic remove ID`: follow a topic or stop following it while the monitor runs."""
    if args.action == "add":
        return _topic_add(Path(args.folder))
    if args.action == "remove":
        return _topic_remove(args.topic_id)
    from consumers.topics.init import init_topic, init_topic_under

    seeds = Path(args.seeds)
    if not seeds.is_dir():
        print(f"newsmon topic init: {seeds} is not a folder of seed articles", file=sys.stderr)
        return 2
    try:
        if args.into:
            into = Path(args.into)
            topic = init_topic(seeds, into)
        else:
            topic, into = init_topic_under(seeds, load_settings().topics_dir)
    except ValueError as exc:
        print(f"newsmon topic init: {exc}", file=sys.stderr)
        return 1
    parties = ", ".join(f"{p.label} ({p.id})" for p in topic.parties)
    print(f"wrote {into / 'topic.toml'}: {topic.name} (id {topic.id}); parties {parties}; {len(topic.people)} "
          f"people; {len(topic.known)} known facts; known as of "
          f"{topic.known_as_of.date() if topic.known_as_of else '?'}")
    print(f"to follow it while newsmon runs: newsmon topic add {into}")
    return 0


def _topic_add(folder: Path) -> int:
    from newsmon.topics_admin import add_topic

    try:
        command, known = add_topic(load_settings(), folder)
    except ValueError as exc:
        print(f"newsmon topic add: {exc}", file=sys.stderr)
        return 2
    channels = "its channels.toml" if "channels.toml" in command.files else "the deployment's channels"
    print(f"{'updated' if known else 'added'}: {command.topic_id} from {folder} ({len(command.files)} files)")
    print(f"the running stages take it up within seconds: the producer polls its feeds, decide decides articles "
          f"against it, notify sends its alerts to {channels}; `newsmon topics` lists it")
    return 0


def _topic_remove(topic_id: str) -> int:
    from newsmon.topics_admin import remove_topic

    try:
        remove_topic(load_settings(), topic_id)
    except ValueError as exc:
        print(f"newsmon topic remove: {exc}", file=sys.stderr)
        return 2
    print(f"removed: {topic_id} (the running stages stop polling its feeds, deciding and notifying for it within "
          f"seconds; its state stays, so `newsmon topic add` takes it up again)")
    return 0


def cmd_topics(args) -> int:
    from newsmon import topics_admin

    rows = topics_admin.list_topics(load_settings())
    print(json.dumps(topics_admin.as_dicts(rows), indent=1) if args.json else topics_admin.render(rows))
    return 0


def cmd_feeds(args) -> int:
    from producers import feeds_admin

    settings = load_settings()
    if args.action in ("add", "remove"):
        if not args.url:
            print(f"newsmon feeds {args.action}: give the feed's URL", file=sys.stderr)
            return 2
        try:
            feeds_admin.send_command(settings, args.url, args.action)
        except ValueError as exc:
            print(f"newsmon feeds {args.action}: {exc}", file=sys.stderr)
            return 2
        print(f"{args.action}: {args.url} (the running producer takes it up within a second)")
        return 0
    rows = feeds_admin.list_feeds(settings)
    print(json.dumps(feeds_admin.as_dicts(rows), indent=1) if args.json else feeds_admin.render(rows))
    return 0


def cmd_similarity(args) -> int:
    from consumers.matching import run_similarity

    if args.output == "-":
        run_similarity(args.pairs, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            run_similarity(args.pairs, out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsmon", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run every stage (starts the local broker unless KAFKA_BOOTSTRAP_SERVERS is set)")
    p.add_argument("--stages", default=",".join(STAGES))
    p.add_argument("--no-broker", dest="start_broker", action="store_false")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("stage", help="run one stage in this process")
    p.add_argument("name", choices=STAGES)
    p.add_argument("--once", action="store_true", help="producer: poll every feed once, then exit")
    p.set_defaults(func=cmd_stage)
    p = sub.add_parser("web", help="the page (timeline, articles, feeds, health, feedback) and /metrics")
    p.add_argument("--host", help="default NEWSMON_WEB_HOST (127.0.0.1)")
    p.add_argument("--port", type=int, help="default NEWSMON_WEB_PORT (8080)")
    p.set_defaults(func=cmd_web)
    p = sub.add_parser("status", help="one screen: stages and their lag, today's articles and alerts, failing feeds, "
                                      "dead letters")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("dlq", help="dead letters: list them, or send them back to their topic for another try")
    p.add_argument("action", choices=("list", "replay"))
    p.add_argument("ids", nargs="*", help="letter ids (as `newsmon dlq list` shows them)")
    p.add_argument("--all", action="store_true", help="replay: every letter not sent back yet")
    p.add_argument("--again", action="store_true", help="replay: also letters sent back before")
    p.set_defaults(func=cmd_dlq)
    p = sub.add_parser("feedback", help="tell the decider: a development is not new / off topic (or withdraw "
                                        "that), or a quiet article was new")
    p.add_argument("verdict", choices=("not-new", "off-topic", "withdraw", "was-new"))
    p.add_argument("target", help="a development id (dev-…), or for was-new the article's URL")
    p.add_argument("--title", help="was-new: the article's title, for its alert")
    p.add_argument("--topic", help="the story it is about (a topic id); unset: every story it concerns")
    p.set_defaults(func=cmd_feedback)
    p = sub.add_parser("broker", help="the local single-node Kafka broker")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.set_defaults(func=cmd_broker)
    p = sub.add_parser("replay", help="decide a JSONL file of articles without Kafka and without sending")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--topic", action="append", help="a topic folder; repeat it to decide against several at once "
                   "(default: the followed folders, NEWSMON_TOPIC_DIR or every folder under NEWSMON_TOPICS_DIR)")
    p.set_defaults(func=cmd_replay)
    p = sub.add_parser("topic", help="topic folders: `topic init SEEDS` writes one from seed articles; `topic add "
                                     "DIR` / `topic remove ID` follow one or stop following it while newsmon runs")
    topic_sub = p.add_subparsers(dest="action", required=True)
    t = topic_sub.add_parser("init", help="derive a topic folder from a folder of seed articles (.txt or .html)")
    t.add_argument("seeds")
    t.add_argument("--into", help="the folder to write (default: NEWSMON_TOPICS_DIR/<id>, the id derived from the "
                                  "seeds' parties)")
    t.set_defaults(func=cmd_topic)
    t = topic_sub.add_parser("add", help="follow a topic folder (or replace its files) while newsmon runs")
    t.add_argument("folder")
    t.set_defaults(func=cmd_topic)
    t = topic_sub.add_parser("remove", help="stop following a topic while newsmon runs")
    t.add_argument("topic_id", metavar="ID")
    t.set_defaults(func=cmd_topic)
    p = sub.add_parser("topics", help="the followed topics: articles on topic, developments, last alert")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_topics)
    p = sub.add_parser("feeds", help="list every feed with its state; add or remove a feed while newsmon runs")
    p.add_argument("action", nargs="?", choices=("list", "add", "remove"), default="list")
    p.add_argument("url", nargs="?")
    p.add_argument("--json", action="store_true", help="the listing as JSON")
    p.set_defaults(func=cmd_feeds)
    p = sub.add_parser("similarity", help="same-story score for each text1,text2 row of a CSV (JSON lines out)")
    p.add_argument("pairs")
    p.add_argument("--output", default="-")
    p.set_defaults(func=cmd_similarity)
    args = parser.parse_args(argv)
    _setup_logging(load_settings().log_level)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
