"""The drill: the whole pipeline as `newsmon run` starts it, under load, faults and hostile input, counted at the end.

    .venv/bin/python benchmarks/drill.py            # the full drill (`make drill`): about ten minutes
    .venv/bin/python benchmarks/drill.py --short    # 200 articles, one kill per stage, one broker restart
                                                    # (what `make test` runs, through tests/test_drill.py)

Everything is local: a Kafka broker that `newsmon run` starts in a temporary home, feed and page hosts on loopback
addresses, a server that answers like Slack, a real SMTP server. No request leaves loopback: fetching is confined
to the drill's exact host:port endpoints (NEWSMON_ALLOWED_ENDPOINTS with NEWSMON_ALLOWED_ENDPOINTS_ONLY), and
canary servers at the addresses the guard must refuse count anything that reaches them.

The figures are counted from what the topics and the channels actually received:
- lost: an article discovered but never decided, not rejected with a reason and not dead-lettered;
- duplicated: a second delivery of the same (alert, revision, channel) at the Slack server or the SMTP server;
- recovery after each fault, from the stages' own log lines and the records' timestamps;
- publication (the moment an article appeared in its feed) to alert (the moment a channel's server received it);
- throughput: the burst of phase A through the whole pipeline, against bare trafilatura on the same pages in two
  processes in the same run (the extraction-only bound with two extract workers).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from drill_load import TOPIC_DIR, World, build_world, release_due  # noqa: E402
from drill_servers import Canary, MailDrill, SlackDrill  # noqa: E402

STAGES = ("producer", "extract", "decide", "notify")
CONSUMER_LOOPS = {"extract": ("extract",), "decide": ("decide",), "notify": ("notify.slack", "notify.email")}
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) (\w+) ([\w.]+): (.*)$")


@dataclass(frozen=True)
class Plan:
    name: str
    load: int  # real-page articles
    phase_a: int  # of them released at once, first, for the throughput figure
    feeds: int
    phase_b_seconds: float  # the rest are released over this long, while the faults happen
    kills: int  # SIGKILLs of each stage
    broker_restarts: int
    outages: bool  # Slack 500/429, SMTP down, a slow feed host, a resetting feed host
    corpus: bool  # the feed-parser corpus of ../shared
    outage_seconds: float = 30.0
    extract_workers: int = 2
    drain_seconds: float = 240.0
    seed: int = 26


FULL = Plan("full", load=2000, phase_a=1000, feeds=100, phase_b_seconds=200, kills=2, broker_restarts=1,
            outages=True, corpus=True)
SHORT = Plan("short", load=186, phase_a=0, feeds=20, phase_b_seconds=40, kills=1, broker_restarts=1,
             outages=False, corpus=False, drain_seconds=120)


# ------------------------------------------------------------------------------------------------- helpers
def free_port(host: str = "127.0.0.1", pair: bool = False) -> int:
    for _ in range(100):
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if not pair:
            return port
        with socket.socket() as s:
            try:
                s.bind((host, port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def free_port_on(hosts: list[str]) -> int:
    """One port free on every one of `hosts` (each feed or page host listens on the same port)."""
    for _ in range(100):
        port = free_port()
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on every host")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def log_time(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


@dataclass
class LogLine:
    at: float
    pid: int
    level: str
    name: str
    message: str


def read_log(path: Path) -> list[LogLine]:
    out = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        found = LOG_LINE.match(raw)
        if found:
            out.append(LogLine(log_time(found.group(1)), int(found.group(2)), found.group(3), found.group(4),
                               found.group(5)))
    return out


# -------------------------------------------------------------------------------------------- the pipeline
@dataclass
class Pipeline:
    """`newsmon run` in a temporary home, with the drill's settings, and what it runs."""

    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        # The broker first, so that `newsmon run` finds it running and leaves it running when it stops: the drill
        # reads the topics after the clean stop, then stops the broker itself.
        _took, done = self.command("broker", "start")
        if done.returncode != 0:
            raise RuntimeError(f"newsmon broker start failed: {done.stderr[-2000:]}")
        self.log = self.log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "newsmon.cli", "run"], env=self.env, cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def command(self, *args: str, timeout: float = 180) -> tuple[float, subprocess.CompletedProcess]:
        began = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "newsmon.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        return time.monotonic() - began, done

    def stages(self) -> dict[str, int]:
        """label (extract-1 for the second extract worker) → pid of the stage processes `newsmon run` supervises."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid != self.proc.pid or stat.rsplit(")", 1)[1].split()[0] == "Z":
                    continue
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                environ = (entry / "environ").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if b"stage" not in argv:
                continue
            stage = argv[argv.index(b"stage") + 1].decode()
            instance = next((e.split(b"=", 1)[1].decode() for e in environ if e.startswith(b"NEWSMON_INSTANCE_ID=")),
                            "run-0")
            index = instance.rsplit("-", 1)[-1]
            found[stage if index == "0" else f"{stage}-{index}"] = int(entry.name)
        return found

    def stop(self, timeout: float = 90) -> tuple[int | None, float]:
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = None
        self.log.close()
        return code, time.monotonic() - began


# ------------------------------------------------------------------------------------------ reading topics
class Topics:
    """Every record of the drill's topics, read incrementally (one consumer, from the beginning)."""

    NAMES = ("articles.discovered", "articles.extracted", "articles.rejected", "decisions", "alerts",
             "state.feeds", "state.deliveries", "articles.discovered.dlq", "articles.extracted.dlq",
             "alerts.dlq")

    def __init__(self, bootstrap: str, namespace: str):
        from kafka import KafkaConsumer, TopicPartition

        self.namespace = namespace
        self.records: dict[str, list] = {name: [] for name in self.NAMES}
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                      reconnect_backoff_max_ms=2000)
        tps = []
        for name in self.NAMES:
            for p in sorted(self.consumer.partitions_for_topic(f"{namespace}.{name}") or ()):
                tps.append(TopicPartition(f"{namespace}.{name}", p))
        self.consumer.assign(tps)
        self.consumer.seek_to_beginning(*tps)
        self.tps = tps

    def refresh(self, timeout: float = 5.0) -> None:
        ends = self.consumer.end_offsets(self.tps)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(self.consumer.position(tp) < ends[tp] for tp in self.tps):
            for tp, batch in self.consumer.poll(timeout_ms=300).items():
                self.records[tp.topic.removeprefix(self.namespace + ".")].extend(batch)

    def values(self, name: str, model):
        from schemas import decode

        for record in self.records[name]:
            if record.value is not None:
                yield record, decode(model, record.value)

    def keys(self, name: str) -> set[str]:
        return {r.key.decode("utf-8", "replace") for r in self.records[name] if r.key is not None}

    def close(self) -> None:
        self.consumer.close()


# --------------------------------------------------------------------------------------------- the faults
@dataclass
class Fault:
    kind: str  # kill, broker, slack, smtp, slow_host, reset_host
    target: str = ""
    at: float = 0.0  # seconds after phase B starts (planned)
    began: float | None = None  # wall clock
    ended: float | None = None  # wall clock: the stage killed, the broker ready again, the outage over
    pid: int | None = None
    detail: dict = field(default_factory=dict)


def plan_faults(plan: Plan, rng: random.Random) -> list[Fault]:
    """Kills and broker restarts in slots of phase B, in a random order at a random moment of each slot; the
    outages of the outside world start at random moments of their own and may overlap anything."""
    inside = [Fault("kill", stage) for stage in STAGES for _ in range(plan.kills)]
    inside += [Fault("broker") for _ in range(plan.broker_restarts)]
    rng.shuffle(inside)
    slot = plan.phase_b_seconds / len(inside)
    for i, fault in enumerate(inside):
        fault.at = slot * i + rng.uniform(0.15, 0.5) * slot
    outside = []
    if plan.outages:
        last = max(1.0, plan.phase_b_seconds - 2 * plan.outage_seconds)
        outside = [Fault(kind, at=rng.uniform(5, last)) for kind in ("slack", "smtp", "slow_host", "reset_host")]
        # Slack's and SMTP's outages never overlap: the drill shows that one channel's outage does not delay the
        # other, which it cannot while both are down.
        slack, smtp = outside[0], outside[1]
        while abs(slack.at - smtp.at) < plan.outage_seconds + 5:
            smtp.at = rng.uniform(5, last)
    return sorted(inside + outside, key=lambda f: f.at)


class FaultRunner:
    def __init__(self, drill: "Drill"):
        self.drill = drill

    def run(self, fault: Fault, rng: random.Random) -> None:
        getattr(self, f"_{fault.kind}")(fault, rng)

    def _kill(self, fault: Fault, rng: random.Random) -> None:
        stages = self.drill.pipeline.stages()
        labels = sorted(label for label in stages if label.split("-")[0] == fault.target)
        if not labels:
            fault.detail["error"] = f"no {fault.target} process to kill"
            return
        label = rng.choice(labels)  # the extractor: one of the workers, while the others run
        fault.pid, fault.detail["label"], fault.detail["workers"] = stages[label], label, len(labels)
        fault.began = fault.ended = time.time()
        os.kill(fault.pid, signal.SIGKILL)

    def _broker(self, fault: Fault, _rng) -> None:
        fault.began = time.time()
        took, done = self.drill.pipeline.command("broker", "stop")
        fault.detail["stop_s"], fault.detail["stop_said"] = round(took, 1), done.stdout.strip()
        time.sleep(3)
        took, done = self.drill.pipeline.command("broker", "start")
        fault.detail["start_s"] = round(took, 1)
        if done.returncode != 0:
            fault.detail["error"] = done.stderr[-500:]
        fault.ended = time.time()

    def _slack(self, fault: Fault, _rng) -> None:
        slack, half = self.drill.slack, self.drill.plan.outage_seconds / 2
        fault.began = time.time()
        slack.mode = "500"
        time.sleep(half)
        slack.mode = "429"
        time.sleep(half)
        slack.mode = "ok"
        fault.ended = time.time()

    def _smtp(self, fault: Fault, _rng) -> None:
        fault.began = time.time()
        self.drill.mail.stop()
        time.sleep(self.drill.plan.outage_seconds)
        self.drill.mail.start()
        fault.ended = time.time()

    def _slow_host(self, fault: Fault, _rng) -> None:
        host = self.drill.world.feed_hosts[3]
        fault.target = host.server.server_address[0]
        fault.began = time.time()
        host.slow = 30.0
        time.sleep(self.drill.plan.outage_seconds * 2)  # long enough for polls to meet the 30 s answers
        host.slow = 0.0
        fault.ended = time.time()

    def _reset_host(self, fault: Fault, _rng) -> None:
        host = self.drill.world.feed_hosts[4]
        fault.target = host.server.server_address[0]
        fault.began = time.time()
        host.resetting = True
        time.sleep(self.drill.plan.outage_seconds)
        host.resetting = False
        fault.ended = time.time()


# ------------------------------------------------------------------------------------------------ the drill
class Drill:
    def __init__(self, plan: Plan, work: Path):
        self.plan, self.work = plan, work
        self.rng = random.Random(plan.seed)
        self.home = work / "home"
        self.namespace = "drill"
        self.broker_port = free_port(pair=True)
        self.secrets = {"slack token": secrets.token_hex(12), "smtp password": secrets.token_hex(12)}
        self.slack = SlackDrill(f"/services/TDRILL/BDRILL/{self.secrets['slack token']}")
        self.mail = MailDrill("drill", self.secrets["smtp password"])
        feed_port = free_port_on([f"127.0.1.{h + 1}" for h in range(5)])
        page_port = free_port_on(["127.0.2.1", "127.0.2.2", "127.0.0.2"])
        hostile_port = free_port_on(["127.0.3.1"])
        self.canaries = [Canary("127.0.0.2", page_port), Canary("127.0.0.1", free_port())]
        self.world: World = build_world(load=plan.load, topic_copies=1, phase_a=plan.phase_a, feeds=plan.feeds,
                                        phase_b_seconds=plan.phase_b_seconds, feed_port=feed_port,
                                        page_port=page_port, hostile_port=hostile_port,
                                        canaries=(self.canaries[0].base, self.canaries[1].base),
                                        corpus=plan.corpus, rng=self.rng)
        self.faults = plan_faults(plan, self.rng)
        self.pipeline = Pipeline(self._env(), work / "run.log")
        self.marks: dict[str, float] = {}
        self.cpu_phase_a: dict[str, float] = {}
        self.releasing = threading.Event()

    def _env(self) -> dict[str, str]:
        secret_dir = self.work / "secrets"
        secret_dir.mkdir(parents=True, exist_ok=True)
        smtp_file = secret_dir / "smtp_url"
        smtp_file.write_text(self.mail.url)  # through *_FILE, as a deployment keeps it
        feeds = (self.world.feed_urls + list(self.world.hostile_feeds.values())
                 + list(self.world.corpus_feeds.values()))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMON_", "KAFKA_"))}
        env.update({
            "NEWSMON_HOME": str(self.home), "NEWSMON_BROKER_PORT": str(self.broker_port),
            "NEWSMON_NAMESPACE": self.namespace, "NEWSMON_TOPIC_DIR": str(TOPIC_DIR),
            "NEWSMON_FEEDS": ",".join(feeds), "NEWSMON_POLL_SECONDS": "2", "NEWSMON_POLL_MIN_SECONDS": "1",
            "NEWSMON_POLL_MAX_SECONDS": "60", "NEWSMON_POLL_JITTER": "0.2", "NEWSMON_FETCH_TIMEOUT": "10",
            "NEWSMON_ALLOWED_ENDPOINTS": ",".join(self.world.endpoints), "NEWSMON_ALLOWED_ENDPOINTS_ONLY": "1",
            "NEWSMON_SLACK_WEBHOOK_URL": self.slack.url, "NEWSMON_SMTP_URL_FILE": str(smtp_file),
            "NEWSMON_EMAIL_TO": "analyst@drill.example", "NEWSMON_EXTRACT_WORKERS": str(self.plan.extract_workers),
            "NEWSMON_PARTITIONS": "4", "NEWSMON_MAX_ATTEMPTS": "3", "NEWSMON_LOG_LEVEL": "INFO",
            "NEWSMON_SEARCH_SERVICES": "", "PYTHONUNBUFFERED": "1",
            # the page runs as `newsmon run` starts it, on a port of its own; the drill counts one message per
            # alert, so the hourly limit's grouping is off
            "NEWSMON_WEB_PORT": str(free_port()), "NEWSMON_ALERTS_PER_HOUR": "0"})
        return env

    # -------------------------------------------------------------------------------------------- phases
    def run(self) -> dict:
        try:
            bound = self._extraction_bound() if self.plan.phase_a else None
            expected = self._expected_alerts()
            self.marks["start"] = time.time()
            self.pipeline.start()
            self._wait_ready()
            releaser = threading.Thread(target=self._release_loop, daemon=True)
            releaser.start()
            self.releasing.set()
            if self.plan.phase_a:
                self._settle("W")
                self._phase_a()
            self._phase_b()
            self._drain()
            alive = self.pipeline.stages()
            code, stop_s = self.pipeline.stop()
            self.marks["stopped"] = time.time()
            members = self._members_left()
            result = self._count(bound, expected, alive, code, stop_s)
            result["members_left_after_clean_stop"] = members
        finally:
            self.releasing.clear()
            if self.pipeline.proc is not None and self.pipeline.proc.poll() is None:
                os.killpg(self.pipeline.proc.pid, signal.SIGKILL)
            took, _ = self.pipeline.command("broker", "stop")
            self.marks["final_broker_stop_s"] = took
            self.world.close()
            self.slack.close()
            self.mail.stop()
            for canary in self.canaries:
                canary.close()
        result["final_broker_stop_s"] = round(took, 1)
        result["secrets"] = self._grep_secrets()
        return result

    def _extraction_bound(self) -> dict:
        """Bare trafilatura on the phase-A pages, in two processes (what two extract workers could do at most)."""
        pages = [self.world.pages[a.page] for a in self.world.articles if a.phase == "A"]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(self.plan.extract_workers) as pool:
            pool.map(_bare_extract, pages[:4])  # imports and caches, outside the timing
            began = time.monotonic()
            cpu = sum(pool.map(_bare_extract, pages, chunksize=8))
            took = time.monotonic() - began
        return {"pages": len(pages), "seconds": round(took, 1), "per_s": round(len(pages) / took, 1),
                "cpu_ms_per_page": round(1000 * cpu / len(pages), 1)}

    def _expected_alerts(self) -> dict:
        """What the decider alerts on, asked of `newsmon replay`'s own functions (extract, enrich, decide: what
        the command runs) with the same pages, each distinct page once, in the order they are released (the
        copies of a real page decide as the first did). Row by row, so that a page the decider fails on is
        counted as such instead of ending the replay (the pipeline dead-letters it)."""
        from consumers.decide import DeciderState, decide, load_topic
        from consumers.extract import Rejected
        from newsmon.replay import to_article

        began = time.monotonic()
        state = DeciderState(load_topic(TOPIC_DIR))
        alerting, failing, seen_pages, replayed = [], [], set(), 0
        for article in sorted(self.world.articles, key=lambda a: ("WAB".index(a.phase), a.release)):
            if article.kind == "load":
                if article.page in seen_pages:
                    continue
                seen_pages.add(article.page)
                raw = self.world.pages[article.page]
            else:
                raw = article.body
            replayed += 1
            row = to_article({"url": article.url, "published": datetime.now(timezone.utc).isoformat(),
                              "html": raw})
            if isinstance(row, Rejected):
                continue
            try:
                outcome = decide(row, state)
            except Exception as exc:  # noqa: BLE001 - the pipeline dead-letters such a page; counted here
                failing.append(f"{article.url}: {type(exc).__name__}: {exc}")
                continue
            for record in outcome.records:
                state.apply(record)
            if outcome.decision.status == "new_development":
                alerting.append(article.url)
        return {"count": len(alerting), "urls": alerting, "replayed": replayed, "decider_failed": failing,
                "seconds": round(time.monotonic() - began, 1)}

    def _wait_ready(self, timeout: float = 180) -> None:
        """Every stage up: each consuming loop has its partitions and the producer has polled."""
        deadline = time.monotonic() + timeout
        needed = {"extract": self.plan.extract_workers, "decide": 1, "notify.slack": 1, "notify.email": 1}
        while time.monotonic() < deadline:
            lines = read_log(self.pipeline.log_path) if self.pipeline.log_path.exists() else []
            assigned = Counter(l.message.split(":")[0] for l in lines
                               if ": assigned " in l.message and "assigned nothing" not in l.message)
            polled = any(l.message.startswith("feed ") and " listed" in l.message for l in lines)
            if polled and all(assigned[k] >= n for k, n in needed.items()):
                self.marks["ready"] = time.time()
                return
            if self.pipeline.proc.poll() is not None:
                raise RuntimeError(f"newsmon run exited with {self.pipeline.proc.returncode}; see "
                                   f"{self.pipeline.log_path}")
            time.sleep(0.5)
        raise RuntimeError(f"the pipeline was not ready within {timeout:.0f}s; see {self.pipeline.log_path}")

    def _release_loop(self) -> None:
        while True:
            if self.releasing.is_set():
                release_due(self.world, time.time())
            time.sleep(0.2)

    def _settle(self, phase: str, timeout: float = 600) -> tuple[int, float]:
        """Release `phase` at once and wait until each of its articles is decided or rejected; returns how many
        and the time of the last one (its record's timestamp)."""
        from newsmon.urls import canonical_url

        self.world.phase_start[phase] = time.time()
        topics = self._topics()
        wanted = {canonical_url(a.url) for a in self.world.articles if a.phase == phase}
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                topics.refresh()
                if wanted <= (topics.keys("decisions") | topics.keys("articles.rejected")):
                    break
                time.sleep(0.5)
            stamps = [r.timestamp / 1000 for name in ("decisions", "articles.rejected")
                      for r in topics.records[name] if r.key and r.key.decode() in wanted]
            done = wanted & (topics.keys("decisions") | topics.keys("articles.rejected"))
        finally:
            topics.close()
        return len(done), max(stamps) if stamps else time.time()

    def _phase_a(self) -> None:
        """The burst: phase A's articles appear in their feeds at once; timed until the last is decided. The CPU
        each process used meanwhile says where the time goes."""
        before = self._cpu()
        self.marks["phase_a"] = time.time()
        count, last = self._settle("A")
        self.marks["phase_a_done"], self.marks["phase_a_count"] = last, count
        after = self._cpu()
        self.cpu_phase_a = {name: round(after[name] - before.get(name, 0.0), 1) for name in after}

    def _cpu(self) -> dict[str, float]:
        """CPU seconds (user + system) so far of each stage process, the broker and the drill itself."""
        tick = os.sysconf("SC_CLK_TCK")
        pids = dict(self.pipeline.stages())
        pid_file = self.home / "broker" / "broker.pid"
        if pid_file.exists():
            pids["kafka broker"] = int(pid_file.read_text().strip())
        pids["drill (feeds, pages, Slack, SMTP)"] = os.getpid()
        out = {}
        for name, pid in pids.items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[name] = (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        return out

    def _phase_b(self) -> None:
        self.world.phase_start["B"] = time.time()
        self.marks["phase_b"] = self.world.phase_start["B"]
        runner = FaultRunner(self)
        threads = []
        for fault in self.faults:
            delay = self.marks["phase_b"] + fault.at - time.time()
            if fault.kind in ("kill", "broker"):
                if delay > 0:
                    time.sleep(delay)
                runner.run(fault, self.rng)  # one at a time: each recovery is measured on its own
            else:
                thread = threading.Timer(max(0.0, delay), runner.run, args=(fault, self.rng))
                thread.start()
                threads.append(thread)
        rest = self.marks["phase_b"] + self.plan.phase_b_seconds - time.time()
        if rest > 0:
            time.sleep(rest)
        for thread in threads:
            thread.join()
        self.marks["phase_b_done"] = time.time()

    def _drain(self) -> None:
        """Until every released article is accounted for and every alert reached both channels (or time is up)."""
        from newsmon.urls import canonical_url
        from schemas import Alert

        released = {canonical_url(a.url) for a in self.world.articles if a.kind != "hostile"}
        topics = self._topics()
        deadline = time.monotonic() + self.plan.drain_seconds
        try:
            while time.monotonic() < deadline:
                topics.refresh()
                discovered = topics.keys("articles.discovered")
                settled = (topics.keys("decisions") | topics.keys("articles.rejected")
                           | self._dead_keys(topics))
                alerts = {a.alert_id for _, a in topics.values("alerts", Alert) if a.revision == 0}
                slack = {d.alert_id for d in self.slack.deliveries}
                mail = {d.alert_id for d in self.mail.deliveries}
                if released <= discovered and discovered <= settled and alerts <= slack and alerts <= mail:
                    break
                time.sleep(2)
        finally:
            topics.close()
        time.sleep(3)  # a last moment for anything that would (wrongly) be sent twice
        self.marks["drained"] = time.time()

    def _members_left(self) -> dict[str, int]:
        """Members still in each consumer group right after `newsmon run` stopped cleanly. Static members do not
        leave a group by Kafka's default (their partitions would wait out the session); newsmon's stages leave it on
        a clean stop, so every group is empty at once."""
        from kafka import KafkaAdminClient

        groups = [f"{self.namespace}-{loop}" for loops in CONSUMER_LOOPS.values() for loop in loops]
        admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{self.broker_port}", client_id="drill")
        try:
            described = admin.describe_groups(groups)
        finally:
            admin.close()
        return {group: len((described.get(group) or {}).get("members") or []) for group in groups}

    def _topics(self) -> Topics:
        return Topics(f"127.0.0.1:{self.broker_port}", self.namespace)

    @staticmethod
    def _dead_keys(topics: Topics) -> set[str]:
        from schemas import DeadLetter

        keys = set()
        for name in ("articles.discovered.dlq", "articles.extracted.dlq"):
            for record, _letter in topics.values(name, DeadLetter):
                if record.key:
                    keys.add(record.key.decode("utf-8", "replace"))
        return keys

    # ------------------------------------------------------------------------------------------- counting
    def _count(self, bound, expected, alive, run_code, run_stop_s) -> dict:
        from newsmon.urls import canonical_url
        from schemas import Alert, DeadLetter, DeliveryRecord, DiscoveredArticle, FeedState, RejectedArticle

        topics = self._topics()
        topics.refresh(timeout=30)
        self._dump(topics)
        discovered = topics.keys("articles.discovered")
        decided = topics.keys("decisions")
        rejected = {}
        for _, r in topics.values("articles.rejected", RejectedArticle):
            rejected[r.canonical_url] = r
        letters = {}
        for name in ("articles.discovered.dlq", "articles.extracted.dlq", "alerts.dlq"):
            for record, letter in topics.values(name, DeadLetter):
                letters[(name, (record.key or b"").decode("utf-8", "replace"))] = letter
        dead_keys = self._dead_keys(topics)
        lost = sorted(discovered - decided - set(rejected) - dead_keys)
        released = {canonical_url(a.url): a for a in self.world.articles if a.released_at is not None}
        never_discovered = sorted(set(released) - discovered)
        alerts = {}
        for record, alert in topics.values("alerts", Alert):
            if alert.revision == 0:
                alerts.setdefault(alert.alert_id, (record, alert))
        deliveries = self.slack.deliveries + self.mail.deliveries
        per_key = Counter((d.channel, d.alert_id, d.revision) for d in deliveries)
        duplicated = sum(n - 1 for n in per_key.values() if n > 1)
        delivered = {ch: {d.alert_id for d in deliveries if d.channel == ch and d.revision == 0}
                     for ch in ("slack", "email")}
        latency = self._latency(alerts, released)
        states = {}
        for _, state in topics.values("state.feeds", FeedState):
            states[state.feed_url] = state
        hostile = self._hostile(rejected, states, topics, letters)
        recoveries = self._recoveries(topics)
        topics.close()
        throughput = None
        if bound:
            took = self.marks["phase_a_done"] - self.marks["phase_a"]
            per_s = self.marks["phase_a_count"] / took if took > 0 else 0.0
            cpu_ms = 1000 * sum(self.cpu_phase_a.values()) / max(1, self.marks["phase_a_count"])
            throughput = {"pipeline_per_s": round(per_s, 1), "pipeline_s": round(took, 1),
                          "cpu_s": self.cpu_phase_a, "pipeline_cpu_ms": round(cpu_ms, 1),
                          "bound_cpu_ms": bound["cpu_ms_per_page"],
                          "cpu_ratio": round(bound["cpu_ms_per_page"] / cpu_ms, 2) if cpu_ms else None,
                          "articles": self.marks["phase_a_count"], "bound_per_s": bound["per_s"],
                          "bound_s": bound["seconds"], "ratio": round(per_s / bound["per_s"], 2)}
        dlq_reasons = Counter(_reason(l.error) for l in letters.values())
        restarts = sum("exited with" in l.message and l.name == "newsmon" for l in read_log(self.pipeline.log_path))
        kills = sum(f.kind == "kill" and f.pid is not None for f in self.faults)
        return {
            "plan": asdict(self.plan), "pages": self.world.pages_note,
            "articles_released": len(released), "topic_articles": sum(a.kind == "topic" for a in released.values()),
            "discovered": len(discovered), "extracted": len(topics.keys("articles.extracted")),
            "rejected": len(rejected), "rejected_by_reason": dict(Counter(r.kind for r in rejected.values())),
            "decided": len(decided), "decisions_by_status": self._statuses(topics),
            "never_discovered": never_discovered[:20], "never_discovered_count": len(never_discovered),
            "lost": len(lost), "lost_examples": lost[:20],
            "dead_letters": len(letters), "dead_letters_by_reason": dict(dlq_reasons),
            "alerts_expected": expected["count"], "alerts_expected_urls": expected["urls"],
            "replay_seconds": expected["seconds"], "replay_decider_failed": expected["decider_failed"],
            "alerts_raised": len(alerts),
            "alerts_delivered": {ch: len(ids) for ch, ids in delivered.items()},
            "deliveries": {ch: sum(1 for d in deliveries if d.channel == ch) for ch in ("slack", "email")},
            "duplicated": duplicated,
            "slack_answers": {str(k): v for k, v in sorted(self.slack.answers.items())},
            "latency": latency, "recoveries": recoveries, "throughput": throughput, "hostile": hostile,
            "canary_hits": sum(len(c.hits) for c in self.canaries),
            "stages_alive_at_end": sorted(alive), "stages_expected": self._expected_labels(),
            "run_exit_code": run_code, "run_stop_s": round(run_stop_s, 1),
            "kills": kills, "restarts_by_newsmon_run": restarts,
            "faults": [self._fault_row(f) for f in self.faults],
            "seconds": {k: round(v - self.marks["start"], 1) for k, v in self.marks.items()
                        if isinstance(v, float) and v > 1e9},
        }

    def _expected_labels(self) -> list[str]:
        return sorted(["producer", "decide", "notify", "web"] + ["extract" if i == 0 else f"extract-{i}"
                                                          for i in range(self.plan.extract_workers)])

    @staticmethod
    def _statuses(topics: Topics) -> dict:
        from schemas import Decision

        latest = {}
        for record, decision in topics.values("decisions", Decision):
            latest[record.key] = decision.status
        return dict(Counter(latest.values()))

    def _latency(self, alerts: dict, released: dict) -> dict:
        """Publication (the article appeared in its feed) to alert (a channel's server received it)."""
        from newsmon.urls import canonical_url

        out = {}
        first = {}
        for d in self.slack.deliveries + self.mail.deliveries:
            if d.revision == 0:
                key = (d.channel, d.alert_id)
                first[key] = min(first.get(key, d.at), d.at)
        slack_outage = next((f for f in self.faults if f.kind == "slack" and f.began), None)
        for channel in ("slack", "email"):
            values, during = [], []
            for alert_id, (_record, alert) in alerts.items():
                article = released.get(canonical_url(alert.first_source.url))
                if article is None or (channel, alert_id) not in first:
                    continue
                value = first[(channel, alert_id)] - article.released_at
                values.append(value)
                raised = _record.timestamp / 1000  # when the decider put the alert on the topic
                if slack_outage and slack_outage.began <= raised <= slack_outage.ended:
                    during.append(first[(channel, alert_id)] - raised)
            out[channel] = {"n": len(values), "p50_s": _round(percentile(values, 0.5)),
                            "p99_s": _round(percentile(values, 0.99)), "max_s": _round(max(values, default=None)),
                            "during_slack_outage": [round(v, 1) for v in during]}
        return out

    def _hostile(self, rejected: dict, states: dict, topics: Topics, letters: dict) -> list[dict]:
        from newsmon.urls import canonical_url

        rows = []
        decided = topics.keys("decisions")
        for name, url in self.world.hostile_pages.items():
            key = canonical_url(url)
            if key in rejected:
                outcome, reason = f"rejected: {rejected[key].kind}", rejected[key].reason[:100]
            elif key in decided:
                outcome, reason = "decided (extracted safely)", ""
            elif any(k == key for _, k in letters):
                outcome, reason = "dead-lettered", ""
            else:
                outcome, reason = "NO OUTCOME", ""
            rows.append({"input": name, "outcome": outcome, "reason": reason,
                         "ok": outcome.startswith(("rejected", "decided"))})
        from schemas import DiscoveredArticle

        listed = defaultdict(list)
        for _, found in topics.values("articles.discovered", DiscoveredArticle):
            listed[found.feed_url].append(found)
        for name, url in self.world.hostile_feeds.items():
            state = states.get(url)
            if name.startswith("hostile pages"):
                continue  # its entries are the pages above
            outcome = f"feed {state.last_status}" if state else "NO FEED STATE"
            reason = (state.last_error if state else "")[:100]
            ok = state is not None and state.last_status not in ("ok", "internal_error")
            if state is not None and state.last_status == "ok":
                # Parsed: safe only if nothing it says was blown up (entities left as they are, not expanded).
                longest = max((len(f.title) + len(f.summary) for f in listed[url]), default=0)
                fates = Counter(rejected[f.canonical_url].kind if f.canonical_url in rejected else "?"
                                for f in listed[url])
                outcome = f"feed parsed, entities not expanded (longest entry {longest} chars)"
                reason = "its entries: " + ", ".join(f"{k} {v}" for k, v in fates.items())
                ok = longest < 10_000
            rows.append({"input": name, "outcome": outcome, "reason": reason, "ok": ok})
        if self.world.corpus_feeds:
            statuses = Counter(states[u].last_status if u in states else "NO FEED STATE"
                               for u in self.world.corpus_feeds.values())
            rows.append({"input": f"feed-parser corpus ({len(self.world.corpus_feeds)} files)",
                         "outcome": ", ".join(f"{k} {v}" for k, v in statuses.most_common()),
                         "reason": "every file has a recorded outcome" if "NO FEED STATE" not in statuses else "",
                         "ok": "NO FEED STATE" not in statuses and "internal_error" not in statuses})
        return rows

    def _recoveries(self, topics: Topics) -> list[dict]:
        """After a kill: until the restarted process has its partitions back (the producer: has polled again).
        After the broker restart: until each stage produced again. After an outage: until the first success."""
        lines = read_log(self.pipeline.log_path)
        rows = []
        outputs = {"producer": ("state.feeds",), "extract": ("articles.extracted", "articles.rejected"),
                   "decide": ("decisions",), "notify": ("state.deliveries",)}
        for fault in self.faults:
            if fault.began is None:
                rows.append({"fault": fault.kind, "target": fault.target, "seconds": None,
                             "note": fault.detail.get("error", "did not happen")})
                continue
            if fault.kind == "kill":
                rows.append(self._after_kill(fault, lines, topics, outputs))
            elif fault.kind == "broker":
                per_stage = {}
                for stage, names in outputs.items():
                    stamps = [r.timestamp / 1000 for n in names for r in topics.records[n]
                              if r.timestamp / 1000 > fault.ended]
                    per_stage[stage] = _round(min(stamps) - fault.ended) if stamps else None
                outage_lines = [l for l in lines if fault.began <= l.at <= fault.ended + 5]
                rows.append({"fault": "broker stop/start", "target": "", "seconds": _max(per_stage.values()),
                             "per_stage": per_stage, "stop_s": fault.detail.get("stop_s"),
                             "start_s": fault.detail.get("start_s"),
                             "log_lines_in_outage": len(outage_lines),
                             "library_lines_in_outage": sum(l.name.startswith("kafka") for l in outage_lines),
                             "newsmon_outage_lines": sum("Kafka broker" in l.message for l in outage_lines)})
            elif fault.kind in ("slack", "smtp"):
                channel = "slack" if fault.kind == "slack" else "email"
                source = self.slack.deliveries if channel == "slack" else self.mail.deliveries
                after = [d.at for d in source if d.at >= fault.ended]
                pending = any(d.at >= fault.began for d in source)
                rows.append({"fault": f"{channel} outage", "target": "",
                             "seconds": _round(min(after) - fault.ended) if after and pending else None,
                             "note": "" if pending else "no alert was waiting"})
            else:
                host = fault.target
                stamps = []
                from schemas import FeedState, decode
                for record in topics.records["state.feeds"]:
                    state = decode(FeedState, record.value)
                    if host in state.feed_url and state.last_status in ("ok", "not_modified") \
                            and record.timestamp / 1000 > fault.ended:
                        stamps.append(record.timestamp / 1000)
                failures = sum(1 for r in topics.records["state.feeds"] if fault.began <= r.timestamp / 1000 <= fault.ended
                               and host in decode(FeedState, r.value).feed_url
                               and decode(FeedState, r.value).last_status not in ("ok", "not_modified"))
                rows.append({"fault": fault.kind.replace("_", " "), "target": host,
                             "seconds": _round(min(stamps) - fault.ended) if stamps else None,
                             "failed_polls": failures})
        return rows

    def _after_kill(self, fault: Fault, lines: list[LogLine], topics: Topics, outputs: dict) -> dict:
        stage = fault.target
        later = [l for l in lines if l.at >= fault.began - 0.01 and l.pid != fault.pid]
        if stage == "producer":
            marks = [l.at for l in later if l.name == "producers.service" and l.message.startswith("feed ")
                     and " listed" in l.message]
            resumed = min(marks) if marks else None
        else:
            times = []
            for loop in CONSUMER_LOOPS[stage]:
                found = [l.at for l in later if l.message.startswith(f"{loop}: assigned ")
                         and "assigned nothing" not in l.message]
                times.append(min(found) if found else None)
            resumed = None if None in times else max(times)
        stamps = [r.timestamp / 1000 for n in outputs[stage] for r in topics.records[n]
                  if r.timestamp / 1000 > fault.began]
        return {"fault": "kill", "target": fault.detail.get("label", stage),
                "seconds": _round(resumed - fault.began) if resumed else None,
                "first_output_s": _round(min(stamps) - fault.began) if stamps else None,
                "workers": fault.detail.get("workers")}

    def _fault_row(self, fault: Fault) -> dict:
        base = self.marks.get("phase_b", 0)
        return {"kind": fault.kind, "target": fault.detail.get("label", fault.target),
                "at_s": _round(fault.began - base) if fault.began else None,
                "lasted_s": _round(fault.ended - fault.began) if fault.began and fault.ended else None,
                **{k: v for k, v in fault.detail.items() if k != "label"}}

    def _dump(self, topics: Topics) -> None:
        """Every record the drill's topics received, as text, for the secrets check and for reading."""
        folder = self.work / "topics"
        folder.mkdir(exist_ok=True)
        for name, records in topics.records.items():
            with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as out:
                for r in records:
                    out.write(json.dumps({"key": (r.key or b"").decode("utf-8", "replace"),
                                          "value": (r.value or b"").decode("utf-8", "replace")}) + "\n")

    def _grep_secrets(self) -> dict:
        """Every file the drill produced (logs, the dumped topics, the broker's own log and data segments) grepped
        for each secret: the Slack token, the SMTP password and the whole webhook URL."""
        needles = {name: value.encode() for name, value in self.secrets.items()}
        needles["webhook url"] = self.slack.url.encode()
        hits: dict[str, list[str]] = defaultdict(list)
        scanned = 0
        for path in self.work.rglob("*"):
            if not path.is_file() or path.parent.name == "secrets":
                continue  # the secret file itself is the deployment's input, not something newsmon wrote
            scanned += 1
            data = path.read_bytes()
            for name, needle in needles.items():
                if needle in data:
                    hits[name].append(str(path.relative_to(self.work)))
        return {"files_scanned": scanned, "hits": dict(hits)}


def _bare_extract(raw: bytes) -> float:
    """trafilatura.extract with its defaults; returns the CPU seconds it took."""
    import trafilatura

    began = time.process_time()
    trafilatura.extract(raw)
    return time.process_time() - began


def _reason(error: str) -> str:
    parts = [p.strip() for p in error.split(":")[:2]]
    return ": ".join(parts) if parts[0] in ("FetchError", "poison message") else parts[0]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _max(values) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


# -------------------------------------------------------------------------------------------------- table
def targets(result: dict) -> list[tuple[str, str, str, bool]]:
    """(figure, value, target, met)."""
    rows = []
    rows.append(("lost", str(result["lost"]), "0", result["lost"] == 0))
    rows.append(("duplicated", str(result["duplicated"]), "0", result["duplicated"] == 0))
    delivered = result["alerts_delivered"]
    rows.append(("alerts delivered (slack / email) of expected",
                 f"{delivered['slack']} / {delivered['email']} of {result['alerts_expected']}",
                 "all", delivered["slack"] >= result["alerts_expected"] and
                 delivered["email"] >= result["alerts_expected"]))
    dead = sorted(set(result["stages_expected"]) - set(result["stages_alive_at_end"]))
    rows.append(("stages left dead", ", ".join(dead) or "none", "none",
                 not dead and result["run_exit_code"] == 0))
    bad = [h["input"] for h in result["hostile"] if not h["ok"]]
    rows.append(("hostile inputs without a reasoned outcome", ", ".join(bad) or "none", "none", not bad))
    rows.append(("requests that reached a refused address", str(result["canary_hits"]), "0",
                 result["canary_hits"] == 0))
    kills = [r["seconds"] for r in result["recoveries"] if r["fault"] == "kill"]
    worst = max((k for k in kills if k is not None), default=None)
    rows.append(("longest recovery after a kill", f"{worst} s" if worst is not None else "n/a", "≤ 10 s",
                 worst is not None and None not in kills and worst <= 10))
    left = result.get("members_left_after_clean_stop", {})
    rows.append(("consumer-group members left right after the clean stop", str(sum(left.values())), "0",
                 bool(left) and not any(left.values())))
    secrets_hit = result["secrets"]["hits"]
    rows.append(("secrets found in what the drill produced", str(sum(len(v) for v in secrets_hit.values())), "0",
                 not secrets_hit))
    if result["throughput"]:
        t = result["throughput"]
        rows.append(("pipeline throughput / bare trafilatura (2 workers)",
                     f"{t['ratio']} ({t['pipeline_per_s']} vs {t['bound_per_s']} pages/s)", "≥ 0.8",
                     t["ratio"] >= 0.8))
    slack_gap = result["latency"]["email"]["during_slack_outage"]
    if any(f["kind"] == "slack" for f in result["faults"]):
        worst_email = max(slack_gap, default=None)
        rows.append(("alerts raised while Slack failed: raised → email (Slack beside it)",
                     f"{worst_email} s (n={len(slack_gap)}; Slack: {result['latency']['slack']['during_slack_outage']} s)"
                     if slack_gap else "no alert then", "≤ 10 s", bool(slack_gap) and worst_email <= 10))
    return rows


def render(result: dict) -> str:
    out = []
    w = out.append
    p = result["plan"]
    w(f"newsmon drill ({p['name']}, seed {p['seed']}): {result['articles_released']} articles released "
      f"({result['topic_articles']} of the test topic) from {result['pages']}, {p['feeds']} feeds, "
      f"{p['extract_workers']} extract workers")
    w("")
    w("| articles | count |")
    w("| --- | --- |")
    w(f"| discovered | {result['discovered']} |")
    w(f"| extracted | {result['extracted']} |")
    w(f"| rejected | {result['rejected']}: " + ", ".join(f"{k} {v}" for k, v in
                                                         sorted(result["rejected_by_reason"].items())) + " |")
    w(f"| decided | {result['decided']}: " + ", ".join(f"{k} {v}" for k, v in
                                                       sorted(result["decisions_by_status"].items())) + " |")
    w(f"| dead letters | {result['dead_letters']}" + (": " + ", ".join(
        f"{k} {v}" for k, v in sorted(result["dead_letters_by_reason"].items())) if result["dead_letters"] else "")
      + " |")
    w(f"| released but never discovered | {result['never_discovered_count']} |")
    w(f"| lost (discovered, never decided, not rejected, not dead-lettered) | {result['lost']} |")
    w(f"| alerts expected (newsmon replay) / raised | {result['alerts_expected']} / {result['alerts_raised']} |")
    w(f"| alerts delivered: slack / email | {result['alerts_delivered']['slack']} / "
      f"{result['alerts_delivered']['email']} |")
    w(f"| duplicated deliveries (same alert, revision, channel) | {result['duplicated']} |")
    lat = result["latency"]
    w(f"| publication → alert, slack: p50 / p99 | {lat['slack']['p50_s']} s / {lat['slack']['p99_s']} s "
      f"(n={lat['slack']['n']}) |")
    w(f"| publication → alert, email: p50 / p99 | {lat['email']['p50_s']} s / {lat['email']['p99_s']} s "
      f"(n={lat['email']['n']}) |")
    if result["throughput"]:
        t = result["throughput"]
        w(f"| throughput, phase A ({t['articles']} articles) | pipeline {t['pipeline_per_s']}/s "
          f"({t['pipeline_s']} s); bare trafilatura, 2 processes, same pages: {t['bound_per_s']}/s "
          f"({t['bound_s']} s); ratio {t['ratio']} |")
        w("| CPU seconds in phase A | " + ", ".join(f"{k} {v}" for k, v in sorted(
            t["cpu_s"].items(), key=lambda kv: -kv[1])) + " |")
        w(f"| CPU per article | pipeline (every process) {t['pipeline_cpu_ms']} ms; bare trafilatura "
          f"{t['bound_cpu_ms']} ms; ratio {t['cpu_ratio']} (the throughput ratio on cores of its own) |")
    w("")
    w("| fault | at (s into phase B) | recovery | detail |")
    w("| --- | --- | --- | --- |")
    recoveries = iter(result["recoveries"])
    for fault, rec in zip(result["faults"], recoveries):
        detail = {k: v for k, v in rec.items() if k not in ("fault", "target", "seconds")}
        name = f"{rec['fault']} {rec['target']}".strip()
        w(f"| {name} | {fault['at_s']} | {rec['seconds']} s | "
          + ", ".join(f"{k} {v}" for k, v in detail.items() if v not in (None, "", [])) + " |")
    w("")
    w("| hostile input | outcome | reason |")
    w("| --- | --- | --- |")
    for h in result["hostile"]:
        w(f"| {h['input']} | {h['outcome']} | {h['reason'].replace('|', '/')} |")
    w("")
    w("| target | value | wanted | met |")
    w("| --- | --- | --- | --- |")
    for figure, value, wanted, met in targets(result):
        w(f"| {figure} | {value} | {wanted} | {'yes' if met else 'NO'} |")
    w("")
    w(f"newsmon run stopped with exit code {result['run_exit_code']} in {result['run_stop_s']} s; "
      f"`newsmon broker stop` at the end took {result['final_broker_stop_s']} s; "
      f"{result['secrets']['files_scanned']} files scanned for secrets")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the short drill of `make test`")
    parser.add_argument("--seed", type=int, default=None, help="the random times of the faults")
    parser.add_argument("--json", help="write every figure here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs, topics)")
    args = parser.parse_args(argv)
    plan = SHORT if args.short else FULL
    if args.seed is not None:
        plan = Plan(**{**asdict(plan), "seed": args.seed})
    work = Path(tempfile.mkdtemp(prefix=f"newsmon-drill-{plan.name}-"))
    print(f"drill {plan.name}: working in {work}", file=sys.stderr, flush=True)
    try:
        result = Drill(plan, work).run()
    finally:
        if not args.keep:
            for keep in ("run.log",):
                if (work / keep).exists():
                    shutil.copy(work / keep, Path(tempfile.gettempdir()) / f"newsmon-drill-{plan.name}-{keep}")
            shutil.rmtree(work, ignore_errors=True)
    print(render(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    met = all(ok for _, _, _, ok in targets(result))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
