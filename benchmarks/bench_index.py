"""StoryIndex at scale: `python benchmarks/bench_index.py [--n 1000000] [--queries 2000]`.

Builds real signatures from a pool of texts (the pages in ../shared/data/html-pages, or, when absent, texts
generated from a word list), then fills the index with N articles derived from that pool: every article keeps
a few of the pool text's keys but gets its own names, numbers and half its wording (Zipf-distributed, like
real news), so the index holds N distinct articles. Prints signature rate, insert rate, query latency p50/p99 and
resident memory per indexed article.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consumers.matching import StoryIndex  # noqa: E402
from newsmon.progress import progress  # noqa: E402

PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "html-pages" / "pages"
_TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.S | re.I)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pool_texts(limit: int) -> list[str]:
    if PAGES.is_dir():
        texts = []
        for p in sorted(PAGES.iterdir())[:limit]:
            raw = p.read_bytes().decode("utf-8", errors="replace")
            text = re.sub(r"[ \t]+", " ", _TAG.sub("\n", raw))
            lines = [ln.strip() for ln in text.splitlines() if len(ln.split()) > 3]
            texts.append("\n".join(lines)[:6000])
        return texts
    print(f"{PAGES} absent: generating texts from a word list", file=sys.stderr)
    rng = random.Random(1)
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "do", "gu", "sha", "bri", "ton", "el", "an"]
    vocab = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(20000)]
    out = []
    for _ in range(limit):
        sents = []
        for _ in range(12):
            words = [rng.choice(vocab) for _ in range(rng.randint(8, 20))]
            words[rng.randrange(len(words))] = rng.choice(vocab).capitalize()
            sents.append(" ".join(words).capitalize() + f" {rng.randint(2, 9999)}.")
        out.append(" ".join(sents))
    return out


class Derive:
    """Turns a pool signature into a distinct article's signature (its own entities, wording and text hash)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def zipf_keys(self, k: int) -> list[int]:
        """Keys with a Zipf-like frequency over a vocabulary of 2^32: a few very common, most rare."""
        return (self.rng.zipf(1.1, k) * 2654435761 % (1 << 32)).astype(np.int64).tolist()

    def __call__(self, base: dict, i: int) -> dict:
        e = base["e"]
        # own names/figures for all but a few entity keys, own wording for half the words
        own_e = self.zipf_keys(max(4, len(e) - 4))
        own_s = self.zipf_keys(max(4, len(base["s"]) // 2))
        own_w = self.zipf_keys(max(4, len(base["w"]) // 2))
        return {
            **base,
            "h": f"{i:016x}",
            "mh": self.rng.integers(0, 1 << 32, len(base["mh"]), dtype=np.int64).tolist(),
            "e": [[h, w] for h, (_, w) in zip(own_e, e)] + e[len(own_e):],
            "s": [[h, w] for h, (_, w) in zip(own_s, base["s"])] + base["s"][len(own_s):],
            "w": [[h, w] for h, (_, w) in zip(own_w, base["w"])] + base["w"][len(own_w):],
        }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--pool", type=int, default=250)
    args = ap.parse_args()

    texts = pool_texts(args.pool)
    idx = StoryIndex()
    t0 = time.perf_counter()
    pool = [idx.signature(t) for t in texts]
    sig_rate = len(pool) / (time.perf_counter() - t0)
    print(f"pool: {len(pool)} texts; signature(): {sig_rate:.0f} articles/s (incl. model/gazetteer loading)")

    derive = Derive(seed=5)
    rss0 = rss_bytes()
    add_time = 0.0
    batch = 1_000
    sample: dict[int, dict] = {}  # some indexed articles, to query for re-reports of them
    stride = max(1, args.n // args.queries)
    for start in progress(range(0, args.n, batch), f"indexing {args.n:,} articles ({batch:,} a step)"):
        sigs = [derive(pool[i % len(pool)], i) for i in range(start, min(args.n, start + batch))]
        sample.update((start + j, s) for j, s in enumerate(sigs) if (start + j) % stride == 0)
        t = time.perf_counter()
        for j, sig in enumerate(sigs):
            idx.add(f"https://example.org/news/{start + j:09d}", sig)
        add_time += time.perf_counter() - t
        del sigs  # so that RSS below counts the index, not the last batch of generated signatures
        if (start // batch) % 200 == 0:
            print(f"  {len(idx):>9} indexed, {len(idx) / add_time:,.0f} inserts/s", file=sys.stderr)
    import gc

    gc.collect()
    rss1 = rss_bytes()
    print(f"indexed {len(idx):,} articles: {len(idx) / add_time:,.0f} inserts/s; "
          f"memory {(rss1 - rss0) / len(idx):,.0f} bytes/article (RSS growth), "
          f"{idx.memory_bytes() / len(idx):,.0f} bytes/article in the index's structures")

    # queries: half are new articles derived from the pool, half re-reports of indexed ones (must be found)
    rng = random.Random(9)
    qderive = Derive(seed=77)
    lat = []
    found = 0
    for q in range(args.queries):
        if q % 2:
            i = rng.choice(list(sample))
            orig = sample[i]  # a re-report: other wording (text hash, shingles, some keys) around the same facts
            sig = {**orig, "h": "ffffffffffffffff", "mh": qderive.rng.integers(0, 1 << 32, len(orig["mh"])).tolist(),
                   "e": orig["e"][2:], "w": orig["w"][::2]}
        else:
            sig = qderive(pool[rng.randrange(len(pool))], args.n + q)
        t = time.perf_counter()
        hits = idx.query(sig)
        lat.append(time.perf_counter() - t)
        if q % 2:
            found += any(h.doc_id == f"https://example.org/news/{i:09d}" for h in hits)
    lat_ms = np.array(lat) * 1000
    print(f"query latency: p50 {np.percentile(lat_ms, 50):.2f} ms, p99 {np.percentile(lat_ms, 99):.2f} ms, "
          f"mean {lat_ms.mean():.2f} ms over {len(lat)} queries")
    # articles derived from one pool text share some keys with their siblings, so a re-report can
    # legitimately rank below a sibling that is as similar: this is a sanity figure, not a recall measure
    print(f"re-reports whose original is among the hits: {found}/{args.queries // 2}")


if __name__ == "__main__":
    main()
