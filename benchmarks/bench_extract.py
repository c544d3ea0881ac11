"""Extraction speed and quality on real pages (../shared/data/html-pages): pages/s on one core, and the share of
pages whose expected snippets are all found and unwanted ones absent. Compares with trafilatura alone.

    .venv/bin/python benchmarks/bench_extract.py [--limit N]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consumers.extract import Rejected, extract_article  # noqa: E402

PAGES = ROOT.parent / "shared" / "data" / "html-pages"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=250)
    args = parser.parse_args()
    if not PAGES.exists():
        print(f"skipped: {PAGES} is absent")
        return 0
    import trafilatura

    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    cases = [(url, spec, (PAGES / "pages" / spec["file"]).read_bytes()) for url, spec in expected.items()
             if (PAGES / "pages" / spec["file"]).exists()][: args.limit]
    extract_article(cases[0][2], cases[0][0])  # warm-up: language models load once

    def score(texts):
        return sum(all(s in t for s in spec.get("with", [])) and not any(s in t for s in spec.get("without", []))
                   for (_, spec, _), t in zip(cases, texts))

    began = time.perf_counter()
    ours = [extract_article(raw, url) for url, _, raw in cases]
    ours_s = time.perf_counter() - began
    ours_texts = ["" if isinstance(a, Rejected) else a.text for a in ours]
    began = time.perf_counter()
    plain = [trafilatura.extract(raw, url=url) or "" for url, _, raw in cases]
    plain_s = time.perf_counter() - began
    n = len(cases)
    print(f"pages {n}; rejected {sum(isinstance(a, Rejected) for a in ours)}")
    print(f"newsmon extract_article: {n / ours_s:.1f} pages/s, {score(ours_texts)}/{n} pages fully right")
    print(f"trafilatura.extract    : {n / plain_s:.1f} pages/s, {score(plain)}/{n} pages fully right")
    print(f"speed ratio newsmon/trafilatura: {plain_s / ours_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
