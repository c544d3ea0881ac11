"""Decider throughput (DESIGN: >= 1,000 articles/s, excluding extraction) on a realistic mix: the dev scenario's
articles (extracted once) re-published under new URLs, plus off-topic pages from ../shared/data/html-pages.

    .venv/bin/python benchmarks/bench_decide.py [--n 3000]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consumers.decide import DeciderState, decide, load_topic  # noqa: E402
from consumers.extract import Rejected, extract_article  # noqa: E402
from newsmon.progress import progress  # noqa: E402
from newsmon.settings import DEFAULT_TOPIC_DIR  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    scenario = SHARED / "scenario" / "dev"
    if not scenario.exists():
        print(f"skipped: {scenario} is absent")
        return 0
    labels = [json.loads(line) for line in (scenario / "labels.jsonl").read_text().splitlines() if line]
    pool = []
    for row in labels:
        a = extract_article((scenario / "articles" / f"{row['id']}.html").read_bytes(), row["url"])
        pool.append(a)
    pages = SHARED / "data" / "html-pages" / "pages"
    for path in sorted(pages.iterdir())[:100] if pages.exists() else []:
        a = extract_article(path.read_bytes(), f"https://offtopic.example/{path.stem}")
        if not isinstance(a, Rejected):
            pool.append(a)
    pool = [a for a in pool if not isinstance(a, Rejected)]
    rng = random.Random(7)
    stream = [rng.choice(pool) for _ in range(args.n)]
    stream = [a.model_copy(update={"url": f"{a.url}?copy={i}", "canonical_url": f"{a.canonical_url}/{i}"})
              for i, a in enumerate(stream)]
    began = time.perf_counter()
    state = DeciderState(load_topic(DEFAULT_TOPIC_DIR))
    setup = time.perf_counter() - began
    statuses: dict[str, int] = {}
    began = time.perf_counter()
    for article in progress(stream, "deciding"):
        outcome = decide(article, state)
        for record in outcome.records:
            state.apply(record)
        statuses[outcome.decision.status] = statuses.get(outcome.decision.status, 0) + 1
    spent = time.perf_counter() - began
    print(f"state set-up (topic, seeds, gazetteer): {setup:.2f}s")
    print(f"decided {len(stream)} articles in {spent:.2f}s: {len(stream) / spent:.0f} articles/s; {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
