"""Extraction speed and quality on real pages (../shared/data/html-pages), newsmon's `extract_article` against
bare `trafilatura.extract` (its defaults) on the same pages in one run.

The two are interleaved page by page (and which goes first alternates), so that the drift of a shared, noisy
machine falls on both alike; the ratio is the figure to read, the absolute pages/s are printed beside it. Quality:
the pages whose expected snippets (`with`) are all in the text and unwanted ones (`without`) absent.

    .venv/bin/python benchmarks/bench_extract.py [--limit N] [--rounds R]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consumers.extract import Rejected, extract_article  # noqa: E402
from newsmon.progress import progress  # noqa: E402

PAGES = ROOT.parent / "shared" / "data" / "html-pages"


def fully_right(spec: dict, text: str) -> bool:
    return all(s in text for s in spec.get("with", [])) and not any(s in text for s in spec.get("without", []))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the pages (timings add up)")
    args = parser.parse_args()
    if not PAGES.exists():
        print(f"skipped: {PAGES} is absent")
        return 0
    import trafilatura

    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    cases = [(url, spec, (PAGES / "pages" / spec["file"]).read_bytes()) for url, spec in expected.items()
             if (PAGES / "pages" / spec["file"]).exists()][: args.limit]
    extract_article(cases[0][2], cases[0][0])  # warm-up: language models and trafilatura's caches load once
    trafilatura.extract(cases[0][2], url=cases[0][0])

    def ours(url, raw):
        return extract_article(raw, url)

    def bare(url, raw):
        return trafilatura.extract(raw, url=url) or ""

    spent = {"ours": 0.0, "bare": 0.0}
    results: dict[str, list] = {"ours": [], "bare": []}
    for round_ in range(args.rounds):
        for i, (url, _spec, raw) in enumerate(progress(cases, f"round {round_ + 1}/{args.rounds}")):
            order = (("ours", ours), ("bare", bare)) if (i + round_) % 2 == 0 else (("bare", bare), ("ours", ours))
            for name, run in order:
                began = time.perf_counter()
                out = run(url, raw)
                spent[name] += time.perf_counter() - began
                if round_ == 0:
                    results[name].append(out)
    n = len(cases) * args.rounds
    ours_texts = ["" if isinstance(a, Rejected) else a.text for a in results["ours"]]
    rejected = Counter(a.kind for a in results["ours"] if isinstance(a, Rejected))
    right_ours = sum(fully_right(spec, t) for (_, spec, _), t in zip(cases, ours_texts))
    right_bare = sum(fully_right(spec, t) for (_, spec, _), t in zip(cases, results["bare"]))
    print(f"pages {len(cases)} x {args.rounds} round(s), interleaved page by page")
    print(f"newsmon extract_article : {n / spent['ours']:.1f} pages/s, {right_ours}/{len(cases)} pages fully right; "
          f"rejected {sum(rejected.values())} {dict(rejected)}")
    print(f"trafilatura.extract     : {n / spent['bare']:.1f} pages/s, {right_bare}/{len(cases)} pages fully right")
    print(f"speed ratio newsmon/trafilatura: {spent['bare'] / spent['ours']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
