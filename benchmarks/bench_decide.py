"""Decider throughput (target: >= 1,000 articles/s on a realistic mix, >= 200/s when every article is on topic), and
with several topics at once (target: >= 1,000 article-topic decisions/s per instance with 1, 3 and 10 topics).

The stream is made of real-looking pages extracted and enriched once, as the extract stage publishes them (the
story-index signature included), then re-published under new URLs and decided one by one, each decision applied to
the state as the Kafka loop does. Two streams:
- the mix: the labelled scenarios' pages (dev scenario of ../shared, or the project's own scenarios when ../shared is
  absent) plus off-topic pages (../shared/data/html-pages); the on-topic share is printed;
- on topic only: the pages the decider finds on topic.

With several topics the stream is the pages of every story at hand, decided against each topic through the decide
stage's own step (consumers.decide_service.decide_outputs: what does not depend on the topic once per article).
The 10 topics are the stories at hand, each followed under more than one id when there are fewer than 10.

    .venv/bin/python benchmarks/bench_decide.py [--n 3000] [--topics 1,3,10]
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
from consumers.decide_service import TopicState, decide_outputs  # noqa: E402
from consumers.enrich import enrich  # noqa: E402
from consumers.extract import Rejected, extract_article  # noqa: E402
from consumers.topics.init import init_topic  # noqa: E402
from schemas import ExtractedArticle  # noqa: E402
from newsmon.progress import progress  # noqa: E402
from newsmon.replay import OfflineNames  # noqa: E402

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


def _stories(tmp: Path) -> list[tuple[Path, Path]]:
    """(topic folder, scenario folder) of every story at hand: the default story and Armenia–Azerbaijan from
    ../shared when present, the project's own two always; topic folders written by `topic init` from the seeds."""
    own = ROOT / "tests" / "scenarios"
    found = [(own / name / "seeds", own / name) for name in ("india-pakistan", "serbia-kosovo")]
    if (SHARED / "seeds").exists():
        found += [(SHARED / "seeds", SHARED / "scenario" / "dev"),
                  (SHARED / "scenario" / "armenia-azerbaijan" / "seeds", SHARED / "scenario" / "armenia-azerbaijan")]
    out = []
    for seeds, scenario in found:
        folder = tmp / scenario.name
        init_topic(seeds, folder)
        out.append((folder, scenario))
    return out


def _as_id(folder: Path, new_id: str, tmp: Path) -> Path:
    """The same story followed under another id (another folder), to have ten topics from fewer stories."""
    import shutil

    copy = tmp / new_id
    shutil.copytree(folder, copy)
    text = (copy / "topic.toml").read_text(encoding="utf-8")
    old = load_topic(folder).id
    (copy / "topic.toml").write_text(text.replace(f'id = "{old}"', f'id = "{new_id}"', 1), encoding="utf-8")
    return copy


def _run_topics(folders: list[Path], stream: list[ExtractedArticle]) -> tuple[float, dict[str, int]]:
    states = [TopicState(t.id, DeciderState(t)) for t in (load_topic(f) for f in folders)]
    statuses: dict[str, int] = {}
    began = time.perf_counter()
    for article in progress(stream, f"deciding against {len(states)} topics"):
        for out in decide_outputs(OfflineNames, states, article):
            status = getattr(out.message, "status", None)
            if status is not None and type(out.message).__name__ == "Decision":
                statuses[status] = statuses.get(status, 0) + 1
    return time.perf_counter() - began, statuses


def many_topics(n: int, counts: list[int]) -> None:
    import tempfile

    tmp = Path(tempfile.mkdtemp())
    began = time.perf_counter()
    stories = _stories(tmp)
    pool = [a for _folder, scenario in stories for a in _pages(scenario)]
    pages = SHARED / "data" / "html-pages" / "pages"
    for path in sorted(pages.iterdir())[:150] if pages.exists() else []:
        a = extract_article(path.read_bytes(), f"https://offtopic.example/{path.stem}")
        if not isinstance(a, Rejected):
            pool.append(enrich(a))
    print(f"several topics: {len(stories)} stories, pool of {len(pool)} pages ({time.perf_counter() - began:.1f}s "
          f"with topic init, not counted)")
    folders = [f for f, _ in stories]
    while len(folders) < max(counts):
        base = stories[len(folders) % len(stories)][0]
        folders.append(_as_id(base, f"{load_topic(base).id}-{len(folders)}", tmp))
    stream = _stream(pool, n, seed=11)
    rates = {}
    _run_topics(folders[:1], pool)  # every language's lexicons loaded before anything is timed
    for count in counts:
        spent, statuses = _run_topics(folders[:count], stream)
        decisions = len(stream) * count
        rates[count] = decisions / spent
        print(f"{count:>2} topic(s): {len(stream)} articles, {decisions} article-topic decisions in {spent:.2f}s = "
              f"{decisions / spent:,.0f} decisions/s ({len(stream) / spent:,.0f} articles/s); {statuses}")
    base = rates[counts[0]]
    # the time of an article against c topics over its time against the first count: c/1 would mean nothing shared
    print("time per article against the first count: " + ", ".join(
        f"{c} topics {(base / rates[c]) * c / counts[0]:.2f}x" for c in counts))


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--topics", default="1,3,10", help="topic counts for the several-topics run ('' skips it)")
    parser.add_argument("--only-topics", action="store_true", help="skip the one-topic mix and on-topic runs")
    args = parser.parse_args()
    counts = [int(c) for c in args.topics.split(",") if c.strip()]
    if args.only_topics:
        many_topics(args.n, counts)
        return 0
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
    if counts:
        many_topics(args.n, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
