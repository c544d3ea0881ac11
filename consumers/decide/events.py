"""Sentence-level analysis: which kinds of development a sentence reports, done or planned, by whom, about what.

An event is a small JSON-able dict:
  k  kind ("agreement", "ratify", ..., or "development" for the general fallback)
  m  modality: "done" | "planned"
  a  agent: an actor code ("RU"), or "RU+IR" for what both do together
  o  object class (a term group such as "partnership", "weapons", "space", "nuclear") or None
  p  people named as its actors (consonant skeletons), sorted
  s  strong: both actors stand in the sentence itself (not only in the article's lead)
  ev the sentence, in the original language; i its position in the lead
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

from consumers.decide.lexicon import _ARABIC, word_spans
from consumers.decide.topic import Topic
from consumers.matching.normalise import skeleton

OBJECT_GROUPS = ("partnership", "weapons", "nuclear", "space", "energy", "transport", "finance")  # specific first
_SENT_SPLIT = re.compile(r"(?<=[^\W\d]{2}[.!?؟…])\s+|(?<=[.!?…][\"”»“])\s+|(?<=[.!?؟])\s+(?=[\"„«“A-ZÀ-ÞА-ЯЁІЇЄΑ-Ω\u0600-\u06ff])")
MARK_BEFORE = 6
MARK_AFTER = 3
_CLAUSE = re.compile(r"[,;:()\[\]–—]|\s-\s|،|؛")
DEST_WINDOW = 3



def person_key(word: str) -> str:
    """One key for a person's name in any script: Путин, Poutine, پوتین → 'btn'."""
    arabic = bool(_ARABIC.search(word))
    latin = anyascii(word).lower().replace("gh", "g")  # غ: شويغو
    # Arabic ج writes Persian ch (عراقجي = Araghchi); a Latin j is mostly a y (Szojgu, Sergej)
    latin = latin.replace("j", "ch") if arabic else latin.replace("j", "y")
    # the story index's consonant skeleton folds Путин, Poutine, پوتین onto one key
    return skeleton(latin, arabic_script=arabic) or latin[:5]


def iter_sentences(text: str):
    for line in text.splitlines():
        line = line.strip()
        if line:
            for s in _SENT_SPLIT.split(line):
                if s.strip():
                    yield s.strip()


def sentences(text: str) -> list[str]:
    return list(iter_sentences(text))


def lead_units(title: str, text: str, n: int) -> list[str]:
    """The title (if any) and the first n body sentences that are prose (kickers and bylines skipped)."""
    units: list[str] = []
    t = (title or "").strip()
    if t:
        units.append(t)
    count = 0
    for s in iter_sentences(text):
        if len(s.split()) < 4 or (t and s.strip() == t):
            continue
        units.append(s)
        count += 1
        if count >= n:
            break
    return units


@dataclass
class SentenceFacts:
    actors: list[tuple[int, str]]  # (word position, code) for RU/IR; "OTHER" for third parties
    persons: list[tuple[int, str, str]]  # (pos, code, skeleton)
    legis: list[tuple[int, str]]
    groups: dict[str, list[int]]
    marks: list[int]
    immediate: list[int]
    triggers: list[tuple[int, int, str, str]]  # (start, end, kind, mode)
    n: int
    years: list[tuple[int, int]]  # (position, year) of the years the sentence names
    breaks: list[int]  # word positions that open a new clause (a comma, colon, dash or bracket before them)


def analyse(topic: Topic, sentence: str, lang: str | None) -> SentenceFacts:
    spans = word_spans(sentence)
    toks = [w for w, _, _ in spans]
    found = topic.matcher(lang).find(toks)
    # one party per word: the longest, most specific name wins ("عراقجي" is Araghchi, not Iraq; "Hvíta-Rússland"
    # is Belarus, not Russia)
    party_tags = ("other:", "ctx:", "actor:", "person:", "legis:")
    best: dict[int, tuple[tuple[int, int, int], int, object]] = {}
    for s, e, term in found:
        if term.tag.startswith(party_tags):
            score = (e - s, len(term.parts[0][0]), 0 if term.tag.startswith(("other:", "ctx:")) else 1)
            if s not in best or score > best[s][0]:
                best[s] = (score, e, term)
    for s, (score, e, term) in list(best.items()):
        if e - s >= 2:
            for inner in range(s + 1, e):
                if inner in best and best[inner][0][0] == 1:
                    del best[inner]
    actors, persons, legis, marks, immediate, triggers = [], [], [], [], [], []
    groups: dict[str, list[int]] = {}
    for s, e, term in found:
        tag = term.tag
        if tag.startswith(party_tags):
            win = best.get(s)
            if win is None:
                continue
            wtag = win[2].tag
            if wtag.startswith("other:"):
                if tag.startswith("other:"):
                    actors.append((s, "OTHER"))
                continue
            if wtag.startswith("ctx:"):
                if tag.startswith("ctx:"):
                    actors.append((s, "CTX"))
                continue
            if tag.startswith(("other:", "ctx:")):
                continue
            code = tag.split(":", 1)[1]
            actors.append((s, code))
            if tag.startswith("person:"):
                persons.append((s, code, person_key(term.source.split()[0].rstrip("$"))))
            elif tag.startswith("legis:"):
                legis.append((s, code))
        elif tag.startswith("group:"):
            groups.setdefault(tag[6:], []).append(s)
        elif tag == "modal:planned":
            marks.append(s)
        elif tag == "modal:immediate":
            immediate.append(s)
        elif tag.startswith("kind:"):
            _, kind, mode = tag.split(":")
            triggers.append((s, e, kind, mode))
    actors.sort()
    years = [(i, int(t)) for i, t in enumerate(toks) if len(t) == 4 and t.isdigit() and t[:2] in ("19", "20")]
    breaks = [i for i in range(1, len(spans)) if _CLAUSE.search(sentence, spans[i - 1][2], spans[i][1])]
    return SentenceFacts(actors, persons, legis, groups, marks, immediate, sorted(triggers), len(toks), years,
                         breaks)


def _nearest_codes(actors: list[tuple[int, str]], pos: int) -> list[str]:
    out: list[str] = []
    for _, code in sorted(actors, key=lambda a: (abs(a[0] - pos), a[0])):
        if code not in out:
            out.append(code)
    return out


def _planned(f: SentenceFacts, start: int, end: int) -> bool:
    """A planned marker near the trigger and in its clause ("signed the treaty, which will ..." is done)."""
    for m in f.marks:
        if start - MARK_BEFORE <= m < end + MARK_AFTER:
            lo, hi = (m, start) if m < start else (end, m)
            if not any(lo < b <= hi for b in f.breaks):
                return True
    return (start - 1) in f.immediate


def _object(f: SentenceFacts, pos: int) -> str | None:
    best = None
    for g in OBJECT_GROUPS:
        for p in f.groups.get(g, ()):
            d = abs(p - pos)
            if best is None or d < best[0]:
                best = (d, g)
    return best[1] if best else None


def sentence_events(topic: Topic, f: SentenceFacts, actor_codes: tuple[str, str],
                    context_has_both: bool) -> list[dict]:
    """The on-topic events of one analysed sentence (at most one per kind)."""
    a1, a2 = actor_codes
    codes = {c for _, c in f.actors}
    has_other = "OTHER" in codes or "CTX" in codes
    parties = [(p, c) for p, c in f.actors if c != "CTX"]
    events: dict[str, dict] = {}
    for start, end, kind, mode in f.triggers:
        k = topic.kinds.get(kind)
        if k is None:
            continue
        if k.requires and not f.groups.get(k.requires):
            continue
        if mode == "weak" and not (f.legis or f.groups.get("legislature")):
            continue
        # whose development is it: the two nearest distinct parties must be the topic's two actors
        strong = True
        if a1 in codes and a2 in codes:
            if set(_nearest_codes(parties, start)[:2]) != {a1, a2}:
                continue
            # a place of war nearer to the trigger than either actor: "... sent troops into Ukraine"
            if _nearest_codes(f.actors, start)[0] == "CTX":
                continue
        elif not has_other and context_has_both:
            strong = False
        else:
            continue
        planned = mode == "planned" or _planned(f, start, end)
        agent = "+".join(actor_codes) if k.symmetric else _agent(f, k.agent_from, start, end, actor_codes, kind)
        if agent is None:
            continue
        if mode == "received" and "+" not in agent:
            # told from the receiving side ("Iran received Su-35s from Russia"): the subject is the recipient,
            # the development belongs to the other party, as "Russia delivered Su-35s to Iran" does
            agent = next(c for c in actor_codes if c != agent)
        # a visit is told apart by its visitor; anything else by everyone named
        persons = sorted({sk for _, c, sk in f.persons if "+" in agent or c == agent})
        obj = k.requires if k.requires in OBJECT_GROUPS else _object(f, start)
        # a year next to the trigger or opening the sentence dates it ("signed in 2022", "In August 2022 ...")
        yrs = [y for p, y in f.years if p < 3 or abs(p - start) <= 3 or abs(p - (end - 1)) <= 3]
        ev = {"k": kind, "m": "planned" if planned else "done", "a": agent, "o": obj,
              "p": persons, "s": strong, "y": min(yrs) if yrs else None}
        prev = events.get(kind)
        if prev is None or (prev["m"] == "planned" and ev["m"] == "done"):
            events[kind] = ev
    return list(events.values())


def _agent(f: SentenceFacts, agent_from: str | None, start: int, end: int, actor_codes: tuple[str, str],
           kind: str) -> str | None:
    recipients = f.groups.get("recipient", [])
    mine = [(p, c) for p, c in f.actors if c in actor_codes]
    if agent_from == "legislature":
        if f.legis:
            return min(f.legis, key=lambda lc: abs(lc[0] - start))[1]
        leg = f.groups.get("legislature")
        if leg and mine:
            lp = min(leg, key=lambda p: abs(p - start))
            return min(mine, key=lambda pc: (abs(pc[0] - lp), pc[0]))[1]
    if kind == "visit":
        direction = set(f.groups.get("direction", []))
        dest = [c for p, c in mine if end <= p < end + 3 * DEST_WINDOW and (p - 1) in direction] or \
            [c for p, c in mine if end <= p < end + DEST_WINDOW]
        if dest:
            other = [c for c in actor_codes if c != dest[0]]
            return other[0]
        return "+".join(actor_codes)  # a meeting: both sides
    # the subject usually comes first (SVO and SOV alike); a recipient ("to Iran", "aan Iran") is not the agent
    received = {c for p, c in mine if any(p - 2 <= q < p for q in recipients)}
    if len(received) == 1:
        return next(c for c in actor_codes if c not in received)
    doers = [(p, c) for p, c in mine if c not in received]
    if doers:
        return min(doers)[1]
    if mine:
        return min(mine)[1]
    return None


def dominant_object(facts: list[SentenceFacts]) -> str | None:
    counts = {g: sum(len(f.groups.get(g, ())) for f in facts) for g in OBJECT_GROUPS}
    best = max(OBJECT_GROUPS, key=lambda g: (counts[g], -OBJECT_GROUPS.index(g)))
    return best if counts[best] else None


@dataclass
class Reading:
    """What the decider reads in an article's lead."""

    on_topic: bool
    events: list[dict]  # on-topic events of the lead, in order
    cooperation: bool  # a lead sentence names both actors with a cooperation word
    cooperation_early: str  # the title or first sentence doing so, stated (not planned), if any
    object: str | None
    units: list[str]


def read_article(topic: Topic, title: str, text: str, lang: str | None, *, n: int | None = None,
                 whole: bool = False) -> Reading:
    """Analyse the lead (title + first sentences), or with whole=True every sentence (seeds)."""
    codes = tuple(topic.actors)[:2]
    a1, a2 = codes
    units = ([title] if title else []) + sentences(text) if whole else \
        lead_units(title, text, n if n is not None else topic.lead_sentences)
    facts = [analyse(topic, u, lang) for u in units]
    # both actors in the title or first sentences make the lead's context
    ctx_codes = {c for f in facts[:3] for _, c in f.actors}
    context_has_both = a1 in ctx_codes and a2 in ctx_codes
    obj = dominant_object(facts)
    events: list[dict] = []
    cooperation = False
    cooperation_early = ""
    topical_early = False
    for i, (u, f) in enumerate(zip(units, facts)):
        evs = sentence_events(topic, f, codes, context_has_both)
        sc = {c for _, c in f.actors}
        parties = [(p, c) for p, c in f.actors if c != "CTX"]
        coop = a1 in sc and a2 in sc and bool(f.groups.get("cooperation")) and (
            "OTHER" not in sc or set(_nearest_codes(parties, f.groups["cooperation"][0])[:2]) == {a1, a2})
        if coop:
            cooperation = True
            if i < 2 and not cooperation_early and not f.marks and not f.immediate:
                cooperation_early = u
        if (i < 2 or whole) and (coop or any(e["s"] for e in evs) or (evs and context_has_both)):
            topical_early = True
        for e in evs:
            if e["o"] is None:
                e["o"] = obj
            e["ev"] = u
            e["i"] = i
            events.append(e)
    on_topic = topical_early
    return Reading(on_topic=on_topic, events=events if on_topic else [], cooperation=cooperation,
                   cooperation_early=cooperation_early, object=obj, units=units)
