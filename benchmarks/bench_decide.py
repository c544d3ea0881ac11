"""Decider throughput (target: >= 1,000 articles/s on a realistic mix, >= 200/s when every article is on topic).

The stream is made of real-looking pages extracted and enriched once, as the extract stage publishes them (the
story-index signature included), then re-published under new URLs and decided one by one, each decision applied to
the state as the Kafka loop does. Two streams:
- the mix: the labelled scenarios' pages (dev scenario of ../shared, or the project's own scenarios when ../shared is
  absent) plus off-topic pages (../shared/data/html-pages); the on-topic share is printed;
- on topic only: the pages the decider finds on topic.

    .venv/bin/python benchmarks/bench_decide.py [--n 3000]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consumers.decide import DeciderState, decide, load_topic  # noqa: E402
from consumers.enrich import enrich  # noqa: E402
from consumers.extract import Rejected, extract_article  # noqa: E402
from consumers.topics.init import init_topic  # noqa: E402
from schemas import ExtractedArticle  # noqa: E402
from newsmon.progress import progress  # noqa: E402

SHARED = ROOT.parent / "shared"


def _pages(folder: Path) -> list[ExtractedArticle]:
    rows = [json.loads(line) for line in (folder / "labels.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for row in rows:
        a = extract_article((folder / "articles" / f"{row['id']}.html").read_bytes(), row["url"])
        if not isinstance(a, Rejected):
            out.append(enrich(a))
    return out


def _topic(tmp: Path):
    """The story the stream is decided against, as `topic init` writes it from its seeds."""
    if (SHARED / "seeds").exists():
        return load_topic(ROOT / "topics" / "russia-iran"), [SHARED / "scenario" / "dev"]
    own = ROOT / "tests" / "scenarios" / "india-pakistan"
    init_topic(own / "seeds", tmp / "topic")
    return load_topic(tmp / "topic"), [own]


STREAM_DAYS = 60  # the stream's articles are published over this many days, in order


def _stream(pool: list[ExtractedArticle], n: int, seed: int) -> list[ExtractedArticle]:
    rng = random.Random(seed)
    picked = [rng.choice(pool) for _ in range(n)]
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    step = timedelta(days=STREAM_DAYS) / max(1, n)
    return [a.model_copy(update={"url": f"{a.url}?copy={i}", "canonical_url": f"{a.canonical_url}/{i}",
                                 "published": start + i * step}) for i, a in enumerate(picked)]


def _run(topic, stream: list[ExtractedArticle]) -> tuple[float, dict[str, int]]:
    state = DeciderState(topic)
    statuses: dict[str, int] = {}
    began = time.perf_counter()
    for article in progress(stream, "deciding"):
        outcome = decide(article, state)
        for record in outcome.records:
            state.apply(record)
        statuses[outcome.decision.status] = statuses.get(outcome.decision.status, 0) + 1
    return time.perf_counter() - began, statuses


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    began = time.perf_counter()
    topic, scenarios = _topic(Path(tempfile.mkdtemp()))
    pool = [a for folder in scenarios for a in _pages(folder)]
    pages = SHARED / "data" / "html-pages" / "pages"
    for path in sorted(pages.iterdir())[:150] if pages.exists() else []:
        a = extract_article(path.read_bytes(), f"https://offtopic.example/{path.stem}")
        if not isinstance(a, Rejected):
            pool.append(enrich(a))
    print(f"pool: {len(pool)} extracted and enriched pages ({time.perf_counter() - began:.1f}s, not counted)")

    probe = DeciderState(topic)
    on_topic = [a for a in pool if decide(a, probe).decision.on_topic]
    for name, source in (("mix", pool), ("on topic only", on_topic)):
        stream = _stream(source, args.n, seed=7)
        _run(topic, stream[:50])  # warm the lexicons and caches of each language
        spent, statuses = _run(topic, stream)
        share = 1 - statuses.get("off_topic", 0) / len(stream)
        print(f"{name}: {len(stream)} articles in {spent:.2f}s = {len(stream) / spent:,.0f} articles/s; "
              f"on topic {share:.0%}; {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
