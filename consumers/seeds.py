"""The seed corpus: articles the user has already read, as raw page text with clutter around them.

The loader keeps the article and drops the clutter (navigation, app banners, "most read" and "more from" headline
lists). Pages differ in every way but one: the article is a run of prose paragraphs that talk about the same
names, while clutter is short fragments or prose about other things. So the core is the first prose block plus the
blocks after it that share its vocabulary; the first run of unrelated blocks ends it.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from anyascii import anyascii

from consumers.language import detect_language
from schemas import ExtractedArticle

_SENTENCE_END = re.compile(r"[.!?…»”\"]\s*$|[.!?…]\s+\S")
# A full stop after a letter or a closing quote ends a sentence; after a digit it is a date ("31. október").
_SENTENCE_SPLIT = re.compile(r"(?<=[^\W\d][.!?…])\s+(?=\S)|(?<=[.!?…][\"”»)])\s+(?=\S)")
# A wire dateline ("BRUSSEL (ANP) -", "48 minuten geledenKYIV (ANP/AFP) -") opens another article.
_DATELINE = re.compile(r"^.{0,30}?[A-ZÀ-ÖØ-ÞА-Я]{3,}[^a-zа-я]{0,25}\([A-Z/]{2,}\)\s*[-–—]")
_WORD = re.compile(r"\w+", re.UNICODE)
LONG_LINE_WORDS = 80  # a line this long holds several paragraphs (or a whole page): look at its sentences
RUN_ON_WORDS = 60  # a "sentence" longer than this with no full stop is a run of headlines or links
PROSE_WORDS = 8
COHESION = 0.25  # share of a paragraph's names already in the core, checked after a break in the prose
MAX_SHORT_RUN = 3  # this many short fragments in a row (links, banners, headlines) end the article


def _names(text: str, page_names: frozenset[str] = frozenset()) -> set[str]:
    """Capitalised words, crudely stemmed and transliterated: the names a paragraph is about. A sentence's first
    word counts only when the page also writes it capitalised mid-sentence ("Şoigu, ..." after "Serghei Şoigu")."""
    names = set()
    for sentence in _SENTENCE_SPLIT.split(text):
        for i, word in enumerate(_WORD.findall(sentence)):
            if word[0].isupper() and len(word) >= 3:
                stem = anyascii(word).lower()[:5]
                if i or stem in page_names:
                    names.add(stem)
    return names


def _blocks(raw: str) -> list[str]:
    """Lines, with long lines cut into sentences; two or more blank lines in a row become one "" (a layout gap)."""
    blocks: list[str] = []
    blank = 0
    for line in raw.splitlines():
        line = line.strip()
        if not line:
            blank += 1
            if blank == 2:
                blocks.append("")
            continue
        blank = 0
        if len(line.split()) > LONG_LINE_WORDS:
            blocks.extend(s.strip() for s in _SENTENCE_SPLIT.split(line) if s.strip())
        else:
            blocks.append(line)
    return blocks


def _is_prose(block: str) -> bool:
    words = len(block.split())
    return PROSE_WORDS <= words <= RUN_ON_WORDS * 2 and bool(_SENTENCE_END.search(block)) and not (
        words > RUN_ON_WORDS and block.count(".") + block.count("!") + block.count("?") < 2)


def clean_page_text(raw: str) -> tuple[str, str]:
    """(title, article text) from raw page text: of the runs of prose the page holds, the longest (a standfirst
    followed by a byline and a date is a short run; the article that follows is the long one)."""
    blocks = _blocks(raw)
    starts = [i for i, b in enumerate(blocks) if _is_prose(b) and (i == 0 or not _is_prose(blocks[i - 1]))]
    if not starts:
        return "", "\n".join(blocks)
    page_names = frozenset(_names(raw))
    best = max((_article_from(blocks, start, page_names) for start in starts),
               key=lambda tc: sum(len(b.split()) for b in tc[1]))
    return best[0], "\n".join(best[1])


def _article_from(blocks: list[str], start: int, page_names: frozenset[str]) -> tuple[str, list[str]]:
    """The title before `start` and the article's blocks from it on."""
    title = ""
    for b in reversed(blocks[max(0, start - 4):start]):
        if len(b.split()) >= 4 and not b.startswith("http"):
            title = b
            break
    core = [blocks[start]]
    core_names = _names(blocks[start], page_names) | _names(title, page_names)
    pending: list[str] = []  # fragments and off-subject paragraphs not yet known to belong to the article
    shorts, gap = 0, False
    for block in blocks[start + 1:]:
        if not block:  # a gap in the layout: a break, but not one of the fragments that make a list
            gap = True
            continue
        if not _is_prose(block):
            if len(block.split()) > RUN_ON_WORDS:
                break  # a long run without full stops: a list of headlines or links, never part of the article
            pending.append(block)
            shorts += 1
            if shorts >= MAX_SHORT_RUN:
                break
            continue
        if _DATELINE.match(block):
            break
        names = _names(block, page_names)
        # Prose about other names right after a break (a header such as "More news" or "Most read", a banner,
        # a gap in the layout) is another article. Without a break, an aside stays: paragraphs of one
        # article often name new people, and inflected names do not compare well.
        if (shorts or gap) and names and len(names & core_names) / len(names) < COHESION:
            break
        core.extend(b for b in pending if len(b.split()) >= 2)  # subheadings inside the article
        core.append(block)
        core_names |= names
        pending, shorts, gap = [], 0, False
    return title, core


def load_seeds(folder: Path) -> list[ExtractedArticle]:
    """Every *.txt in `folder` as an article with url `seed:<file stem>`, clutter removed."""
    seeds = []
    for path in sorted(Path(folder).glob("*.txt")):
        title, text = clean_page_text(path.read_text(encoding="utf-8", errors="replace"))
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        seeds.append(ExtractedArticle(url=f"seed:{path.stem}", canonical_url=f"seed:{path.stem}", title=title,
                                      text=text, language=detect_language(f"{title}\n{text}"),
                                      published=None, extracted_at=stamp))
    return seeds
