"""Shared fixtures. The Kafka broker is real: started once per test session on a free port (unless
KAFKA_BOOTSTRAP_SERVERS names one) and stopped at the end."""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from newsmon.settings import Settings, load_settings
from tests.servers import Mailbox, Site, SlackApiFake, SlackFake

SHARED = Path(__file__).resolve().parents[2] / "shared"


def need_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared test material), which is absent here")
    return path


def _free_port_pair() -> int:
    """A port p with p+1 also free (the broker listens on p, its controller on p+1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="session")
def broker_settings(tmp_path_factory) -> Settings:
    """Settings that reach a running broker; each test then takes its own namespace of topics."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield load_settings()
        return
    from newsmon import broker

    # A new home (data, log) for every session, so test sessions never share a broker; the jars are cached.
    settings = load_settings(home=tmp_path_factory.mktemp("newsmon-home"), broker_port=_free_port_pair())
    seconds = broker.start(settings)
    print(f"\nlocal Kafka broker up in {seconds:.1f}s on {settings.bootstrap_servers}")
    yield settings
    broker.stop(settings)


@pytest.fixture
def kafka(broker_settings, tmp_path) -> Settings:
    """Broker settings with a namespace of this test's own, so tests never see each other's records."""
    return broker_settings.model_copy(update={
        "namespace": f"t{uuid.uuid4().hex[:10]}", "allow_private_networks": True, "poll_seconds": 1.0,
        "max_attempts": 2, "partitions": 2, "gdelt_gap_seconds": 0.0})


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def slack():
    s = SlackFake()
    yield s
    s.close()


@pytest.fixture
def slack_api():
    s = SlackApiFake()
    yield s
    s.close()


@pytest.fixture
def mailbox():
    m = Mailbox()
    yield m
    m.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "broker_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
def topic_from_seeds(tmp_path_factory):
    """`newsmon topic init` of a seed folder, once per session (it takes ~20 s): seeds → topic folder.

    The folder is named `name` (a topic's id is its folder's name); tests must not edit what it returns."""
    from consumers.topics.init import init_topic

    root = tmp_path_factory.mktemp("topics")
    made: dict[tuple[Path, str], Path] = {}

    def make(seeds: Path, name: str) -> Path:
        key = (Path(seeds).resolve(), name)
        if key not in made:
            into = root / f"{len(made)}" / name
            init_topic(Path(seeds), into)
            made[key] = into
        return made[key]

    return make
