"""`newsmon broker start|stop|status`: a single-node Apache Kafka 4 (KRaft, broker and controller in one JVM)
on 127.0.0.1, from jars Maven resolves from Maven Central (cached in ~/.cache/newsmon); data, log and pid in NEWSMON_HOME/broker.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from newsmon.settings import REPO_ROOT, Settings

POM = REPO_ROOT / "broker" / "pom.xml"
LOG4J = REPO_ROOT / "broker" / "log4j2.yaml"
HEAP = "-Xmx512m"


class BrokerError(RuntimeError):
    pass


def _dirs(settings: Settings) -> dict[str, Path]:
    root = settings.home.resolve() / "broker"
    return {"root": root, "data": root / "data", "pid": root / "broker.pid", "log": root / "broker.log",
            "config": root / "server.properties"}


def jar_cache() -> Path:
    """Jars are shared by every home on the machine, one folder per version of the pom."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "newsmon" / f"kafka-{hashlib.sha1(POM.read_bytes()).hexdigest()[:12]}"


def ensure_jars() -> Path:
    libs = jar_cache()
    stamp = libs / ".complete"
    if stamp.exists():
        return libs
    if shutil.which("mvn") is None:
        raise BrokerError("Maven (mvn) is needed to fetch the Kafka jars; install it or set KAFKA_BOOTSTRAP_SERVERS")
    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / f"{libs.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two starts at once fetch once
        if stamp.exists():
            return libs
        if libs.exists():
            shutil.rmtree(libs)
        result = subprocess.run(["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
                                 f"-DoutputDirectory={libs}"], capture_output=True, text=True)
        if result.returncode != 0:
            raise BrokerError(f"mvn could not fetch the Kafka jars:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        stamp.touch()
    return libs


def _write_config(settings: Settings) -> Path:
    d = _dirs(settings)
    port = settings.broker_port
    d["config"].write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{port + 1}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{port + 1}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={d['data']}",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "log.cleaner.min.compaction.lag.ms=0",
        "",
    ]))
    return d["config"]


_started: list[subprocess.Popen] = []  # brokers this process started (it must reap them when they exit)


def reap() -> None:
    """Collect a broker this process started that has exited (stopped by `newsmon broker stop` from elsewhere),
    so that it does not linger as a zombie; `newsmon run` calls this as it supervises."""
    for proc in list(_started):
        if proc.poll() is not None:
            _started.remove(proc)


def _pid(settings: Settings) -> int | None:
    pid_file = _dirs(settings)["pid"]
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    """True while the process runs. An exited JVM whose parent has not collected it yet is a zombie, and
    `kill(pid, 0)` still succeeds on a zombie: it is reaped here when it is our child (`newsmon run` started the
    broker) and counted as gone when it is not."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child: its parent reaps it
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) is all we can ask
    return state not in ("Z", "X")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def is_ready(settings: Settings) -> bool:
    """True once a Kafka client can connect and read the cluster's metadata."""
    from kafka import KafkaAdminClient

    if not _port_open(settings.broker_port):
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, request_timeout_ms=3000,
                                 client_id="newsmon-probe")
        admin.list_topics()
        admin.close()
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


def start(settings: Settings, timeout: float = 120.0) -> float:
    """Start the broker unless it runs; returns seconds until a client could connect."""
    began = time.monotonic()
    if _pid(settings) and is_ready(settings):
        return 0.0
    if _port_open(settings.broker_port):
        raise BrokerError(f"port {settings.broker_port} is taken by another program; set NEWSMON_BROKER_PORT")
    d = _dirs(settings)
    libs = ensure_jars()
    d["data"].mkdir(parents=True, exist_ok=True)
    config = _write_config(settings)
    classpath = f"{libs}/*"
    java = shutil.which("java") or "java"
    if not (d["data"] / "meta.properties").exists():
        cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        subprocess.run([java, "-cp", classpath, f"-Dlog4j2.configurationFile={LOG4J}", "kafka.tools.StorageTool",
                        "format", "--standalone", f"--cluster-id={cluster}", "-c", str(config)],
                       check=True, capture_output=True)
    with open(d["log"], "ab") as log:
        proc = subprocess.Popen(
            [java, HEAP, "-Xms128m", "-XX:+UseG1GC", "-XX:MaxDirectMemorySize=128m", "-Djava.awt.headless=true",
             f"-Dlog4j2.configurationFile={LOG4J}", "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    d["pid"].write_text(str(proc.pid))
    _started.append(proc)
    while time.monotonic() - began < timeout:
        if proc.poll() is not None:
            raise BrokerError(f"the broker exited with {proc.returncode}; see {d['log']}")
        if is_ready(settings):
            return time.monotonic() - began
        time.sleep(0.25)
    stop(settings)
    raise BrokerError(f"the broker did not accept clients within {timeout:.0f}s; see {d['log']}")


def stop(settings: Settings, timeout: float = 30.0) -> bool:
    """Stop the broker cleanly (SIGTERM, then SIGKILL); False when it was not running."""
    pid = _pid(settings)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        _alive(pid)  # reap it when it is ours
    _dirs(settings)["pid"].unlink(missing_ok=True)
    return True


def status(settings: Settings) -> dict[str, object]:
    pid = _pid(settings)
    rss_kb = None
    if pid:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
        except OSError:
            pass
    return {"running": pid is not None and is_ready(settings), "pid": pid, "rss_mb": rss_kb and rss_kb // 1024,
            "bootstrap_servers": settings.bootstrap_servers, "home": str(_dirs(settings)["root"])}
