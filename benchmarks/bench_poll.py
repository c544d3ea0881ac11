"""Polling throughput: N feeds on local servers, polled by the producer's own steps (Producer.poll/publish, the
thread pool and per-host limit of `newsmon stage producer`), publishing to a real Kafka broker.

Rounds alternate: every feed lists 20 new items (fetch, parse, canonical URLs, memory, publish the articles, their
memory records and the feed states, flushed), then every feed answers 304 to the conditional GET (feed states
published). The feeds are spread over `--hosts` loopback addresses (127.0.1.x), as real feeds are spread over
hosts, so the per-host limit applies as it would.

    .venv/bin/python benchmarks/bench_poll.py [--feeds 1000] [--items 20] [--hosts 50] [--rounds 2]

Starts a local broker in a temporary folder unless KAFKA_BOOTSTRAP_SERVERS is set.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import socket
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.fetch import set_host_limit  # noqa: E402
from newsmon.settings import load_settings  # noqa: E402
from newsmon.stream import create_topics, make_producer  # noqa: E402
from producers.service import Producer, _poll_once  # noqa: E402
from tests.servers import Route, Site  # noqa: E402


def feed_body(round_: int, feed: int, items: int) -> bytes:
    now = datetime(2024, 6, 1, tzinfo=timezone.utc) + timedelta(hours=round_)
    entries = "".join(
        f"<item><title>Round {round_} story {k} of feed {feed}</title>"
        f"<link>https://pub{feed % 97}.example/news/{round_}/{feed}/{k}?utm_source=rss</link>"
        f"<description>First lines of story {k}: officials met on Tuesday to discuss cooperation.</description>"
        f"<pubDate>{format_datetime(now + timedelta(minutes=k))}</pubDate></item>" for k in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"<link>https://pub{feed % 97}.example/</link>{entries}</channel></rss>").encode()


FEED_PORT = 18_080


def serve(hosts: int, feeds: int, items: int, rounds: int, round_, ready) -> None:
    """One site per loopback address, each serving its share of the feeds (ETag per round: 304 when unchanged)."""
    logging.disable(logging.CRITICAL)
    sites = [Site(f"127.0.1.{h + 1}", port=FEED_PORT) for h in range(hosts)]
    for i in range(feeds):
        bodies = {r: feed_body(r, i, items) for r in range(rounds)}

        def respond(_request, i=i, bodies=bodies):
            r = round_.value
            return Route(bodies[r], content_type="application/rss+xml", etag=f'"r{r}-{i}"')

        sites[i % hosts].responders[f"/f/{i}.xml"] = respond
    ready.set()
    while True:
        time.sleep(3600)


def free_port_pair() -> int:
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of (new items, 304) rounds")
    parser.add_argument("--workers", type=int, default=16, help="polling threads (NEWSMON_POLL_WORKERS)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    broker_home = None
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        base = load_settings()
    else:
        from newsmon import broker

        broker_home = tempfile.mkdtemp(prefix="newsmon-bench-")
        base = load_settings(home=broker_home, broker_port=free_port_pair())
        print(f"local broker up in {broker.start(base):.1f}s")
    # The feeds are served by another process (as a real server would be): it does not share our interpreter.
    round_ = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.hosts, args.feeds, args.items, args.rounds, round_,
                                                         ready), daemon=True)
    server.start()
    if not ready.wait(120):
        raise RuntimeError("the feed server did not start")
    feeds = [f"http://127.0.1.{i % args.hosts + 1}:{FEED_PORT}/f/{i}.xml" for i in range(args.feeds)]
    settings = base.model_copy(update={"namespace": f"bench{uuid.uuid4().hex[:8]}", "feeds": tuple(feeds),
                                       "allow_private_networks": True, "poll_workers": args.workers, "host_concurrency": 4,
                                       "partitions": 3})
    try:
        create_topics(settings)
        set_host_limit(settings.host_concurrency)
        kafka = make_producer(settings)
        producer = Producer(settings, kafka)
        pool = ThreadPoolExecutor(max_workers=settings.poll_workers)
        print(f"{args.feeds} feeds on {args.hosts} hosts, {args.items} items each; {settings.poll_workers} polling "
              f"threads, {settings.host_concurrency} per host")
        for r in range(args.rounds):
            round_.value = r
            for kind in ("new items", "304"):
                published_before = sum(s.items_published for s in producer.states.values())
                began = time.perf_counter()
                _poll_once(producer, pool)
                took = time.perf_counter() - began
                published = sum(s.items_published for s in producer.states.values()) - published_before
                statuses = {}
                for s in producer.states.values():
                    statuses[s.last_status] = statuses.get(s.last_status, 0) + 1
                print(f"round {r + 1} {kind:9s}: {args.feeds / took:7.1f} feeds/s ({took:.2f} s), "
                      f"{published} articles published, statuses {statuses}")
        pool.shutdown()
        kafka.close()
    finally:
        server.terminate()
        if broker_home:
            from newsmon import broker

            broker.stop(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
