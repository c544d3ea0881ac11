"""Reading an article's lead: which events it reports, whether they happened, who takes part, about what, when.

Two layers, kept apart:
- `analyse_sentence` is general: the sentence's words with their lemmas, the language's markers (modality,
  negation, reporting, roles), the catalogue's words (kinds, objects) and the dates it gives. It does not depend on
  the story, so an article read for several stories is analysed once.
- `read_lead` adds the story: who of the topic's parties (and which third parties) each sentence names, and turns
  every kind word into an `Event` with its modality, participants, object and date.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from consumers import catalogue
from consumers.catalogue import DOCUMENT_OBJECTS, OTHER_KIND, KindSpec
from consumers.decide.event import DONE, Event
from consumers.languages import LanguageProfile, profile
from consumers.languages.dates import DateMention, find_dates, resolve
from consumers.languages.lexicon import Match
from consumers.languages.text import Token, arabic_variants, lemma_of, sentences, tokenize
from consumers.topics.model import Topic
from consumers.topics.names import Mention
from consumers.topics.places import PlaceMention, places

MARK_BEFORE = 6  # how far before its event word a modality marker reaches (within the clause)
CLAUSE_REACH = 10  # how far before it an auxiliary of its clause reaches
MARK_AFTER = 3  # and after it (auxiliaries and modals at the end of a verb-final clause)
NEGATION_REACH = 3
INFINITIVE_REACH = 4
LIGHT_VERB_REACH = 3
GUEST_REACH = 4  # words between a host verb and the guest it receives  # words between a verb and the event noun that is its object  # words between an infinitive marker and the event noun its verb governs
CONTENT_WORD_IDF = 3.0
ROLE_REACH = 2  # a preposition marks the party at most this many words after it ("to the Iranian side")
BACKGROUND_DAYS = 45  # an event the sentence dates this long before the article is background
MIN_LEAD_WORDS = 4
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]–—«»\"“”„]|\s-\s|،|؛")


# ------------------------------------------------------------------------------------------------------ general
class SentenceAnalysis:
    """What a sentence says, before any story is applied to it. Its words are read at once; the language's markers,
    the catalogue's words and the dates only when a story asks (an article that names no party needs none). The
    extract stage computes all of it once per article (`to_record`), and the decider reads it back."""

    def __init__(self, text: str, lang: str | None, tokens: list[Token] | None = None) -> None:
        self.text = text
        self.lang = lang
        self.tokens: list[Token] = tokens if tokens is not None else tokenize(text, lang)

    @cached_property
    def places(self) -> list[PlaceMention]:
        """States and capitals the sentence names (general: every story picks its parties among them)."""
        return places().find(self.tokens, self.lang)

    def to_record(self) -> dict:
        """Everything read, as JSON (for the extracted-article message)."""
        return {"text": self.text,
                "tokens": [[t.text, t.low, t.lemma, t.fold, t.cap, t.start, t.end] for t in self.tokens],
                "markers": [[m.tag, m.start, m.end] for m in self.markers],
                "words": [[m.tag, m.start, m.end] for m in self.words],
                "dates": [[getattr(d, f) for f in DateMention.__dataclass_fields__] for d in self.dates],
                "word_breaks": list(self.word_breaks), "breaks": list(self.breaks),
                "places": [[m.start, m.end, m.code, m.how, m.exact] for m in self.places]}

    @classmethod
    def from_record(cls, data: dict, lang: str | None) -> "SentenceAnalysis":
        tokens = [Token(text=t[0], low=t[1], lemma=t[2], fold=t[3], cap=t[4], start=t[5], end=t[6],
                        lows=arabic_variants(t[1])) for t in data["tokens"]]
        a = cls(data["text"], lang, tokens)
        # cached properties, filled from the record
        a.__dict__["markers"] = [Match(tag, start, end, None) for tag, start, end in data["markers"]]  # type: ignore
        a.__dict__["words"] = [Match(tag, start, end, None) for tag, start, end in data["words"]]  # type: ignore
        a.__dict__["dates"] = [DateMention(*d) for d in data["dates"]]
        a.__dict__["word_breaks"] = tuple(data["word_breaks"])
        a.__dict__["breaks"] = tuple(data["breaks"])
        a.__dict__["places"] = [PlaceMention(*m) for m in data["places"]]
        return a

    @cached_property
    def markers(self) -> list[Match]:
        """The language's modality, negation, reporting, role and clause words."""
        return profile(self.lang).markers.find(self.tokens)

    @cached_property
    def words(self) -> list[Match]:
        """The catalogue's kind, object, relation, legislature and time words."""
        return catalogue.lexicon(self.lang).find(self.tokens)

    @cached_property
    def dates(self) -> list[DateMention]:
        return find_dates(self.tokens, self.lang)

    @cached_property
    def word_breaks(self) -> tuple[int, ...]:
        """Token positions a clause word opens ("which", "after", "but")."""
        return tuple(sorted({m.start for m in self.markers if m.tag == "break" and m.start > 0}))

    @cached_property
    def breaks(self) -> tuple[int, ...]:
        """Token positions that open a new clause: punctuation (a comma, a dash) or a clause word."""
        toks = self.tokens
        punct = {i for i in range(1, len(toks)) if _CLAUSE_PUNCT.search(self.text, toks[i - 1].end, toks[i].start)}
        return tuple(sorted(punct | set(self.word_breaks)))

    def clause(self, pos: int) -> tuple[int, int]:
        """The stretch of words around `pos` between punctuation and clause words: a marker's reach."""
        return _between(self.breaks, pos, len(self.tokens))

    def segment(self, pos: int) -> tuple[int, int]:
        """The clause around `pos` with its appositions and adverbials ("On Friday, ...", "Lavrov, Russia's foreign
        minister, ..."), up to the words that open another clause: who takes part and when."""
        return _between(self.word_breaks, pos, len(self.tokens))


def _between(breaks: tuple[int, ...], pos: int, n: int) -> tuple[int, int]:
    lo, hi = 0, n
    for b in breaks:
        if b <= pos:
            lo = b
        else:
            hi = b
            break
    return lo, hi


def analyse_sentence(text: str, lang: str | None) -> SentenceAnalysis:
    return SentenceAnalysis(text, lang)


READING_VERSION = 1  # bump when what an analysis holds changes shape
CARRIED_SENTENCES = 6  # the extract stage reads this many lead sentences: any topic's lead is a prefix of them


@lru_cache(maxsize=1)
def reading_version() -> str:
    """The analysis a message carries is only as good as the language and catalogue data that made it: a digest of
    them, so a decider reads an article again when an extract worker ran with other data."""
    from consumers.topics.places import _CACHE_VERSION

    digest = hashlib.sha1(f"{READING_VERSION}|{_CACHE_VERSION}".encode())
    from consumers import languages

    data = Path(catalogue.__file__).resolve().parent, Path(languages.__file__).resolve().parent
    for folder in data:
        for path in sorted(folder.rglob("*.toml")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def carried_reading(title: str, text: str, lang: str | None) -> dict:
    """The lead, read with everything that does not depend on a story, as the extract stage carries it."""
    units = lead_units(title, text, CARRIED_SENTENCES)
    return {"version": reading_version(), "lang": lang, "title": bool(title),
            "units": [SentenceAnalysis(u, lang).to_record() for u in units]}


def analyses_from(carried: dict | None, lang: str | None, title: str, n: int) -> list[SentenceAnalysis] | None:
    """The carried analyses of a lead of n sentences, or None when the message carries none that fits."""
    if not carried or carried.get("version") != reading_version() or carried.get("lang") != lang \
            or bool(carried.get("title")) != bool(title):
        return None
    units = carried.get("units") or []
    return [SentenceAnalysis.from_record(u, lang) for u in units[:n + (1 if title else 0)]]


def lead_units(title: str, text: str, n: int) -> list[str]:
    """The title (if any) and the first n body sentences that are prose (kickers, bylines and datelines skipped)."""
    units: list[str] = []
    t = (title or "").strip()
    if t:
        units.append(t)
    count = 0
    for s in sentences(text):
        if len(s.split()) < MIN_LEAD_WORDS or (t and s.strip() == t):
            continue
        units.append(s)
        count += 1
        if count >= n:
            break
    return units


# ------------------------------------------------------------------------------------------------------ the lead
@dataclass(frozen=True)
class Reading:
    """What the decider reads in an article's lead, for one story."""

    units: list[str]
    events: list[Event]  # every event of the lead, in order; on topic or not
    lead_parties: tuple[str, ...]  # the topic's parties the lead names
    topical: bool  # the title or first sentences are about the parties together
    has_title: bool

    @property
    def on_topic_events(self) -> list[Event]:
        return [e for e in self.events if e.on_topic]


def read_lead(topic: Topic, title: str, text: str, lang: str | None, published: date | None, *,
              n: int | None = None, whole: bool = False,
              analyses: list[SentenceAnalysis] | None = None) -> Reading:
    """The lead (title + first sentences; with whole=True every sentence, as for seeds) read for `topic`."""
    if analyses is not None and not whole:
        units = [a.text for a in analyses]
    else:
        units = ([title] if title else []) + sentences(text) if whole else \
            lead_units(title, text, n if n is not None else topic.lead_sentences)
    if analyses is None:
        analyses = [analyse_sentence(u, lang) for u in units]
    mentions = [topic.index.find(a.tokens, a.lang, a.places) for a in analyses]
    context = 3 if not whole else len(units)
    lead_parties = _parties_named(mentions[:context + (1 if title else 0)])
    if not lead_parties and not whole:  # the lead names none of the parties: nothing more to read for this story
        return Reading(units=units, events=[], lead_parties=(), topical=False, has_title=bool(title))
    events: list[Event] = []
    for i, (a, ms) in enumerate(zip(analyses, mentions)):
        near = _parties_named(mentions[max(0, i - 2):i + 1]) if whole else lead_parties
        events.extend(_sentence_events(topic, a, ms, near, i, bool(title) and i == 0, published))
    if not whole:
        events = _one_event_per_kind(_dated_by_previous(events, analyses, published, bool(title)))
    has_title = bool(title)
    first = 3 if has_title else 2
    topical = any(e.on_topic for e in events if e.sentence < first) or \
        any(_names_both(ms) and _has(a, "relation", "kind:") for a, ms in list(zip(analyses, mentions))[:first])
    return Reading(units=units, events=events, lead_parties=lead_parties, topical=topical, has_title=has_title)


def _one_event_per_kind(events: list[Event]) -> list[Event]:
    """In a lead, a later sentence of a kind already told refers back to it ("the attack was carried out with
    Iranian-designed drones" after "Russian drones attack Kyiv"): it is the same event, with the same participants,
    unless it dates itself apart. A title that does not date its event takes the date its first sentences give."""
    events = _title_dated(events)
    # one event, told in several sentences: named with both parties if any of them names both
    named = {e.kind for e in events if e.named and e.on_topic}
    first: dict[str, Event] = {}
    out = []
    for e in events:
        f = first.get(e.kind)
        if f is None:
            first[e.kind] = e
            out.append(e)
            continue
        if e.date_from_text and f.date != e.date:
            out.append(e)  # another occurrence, dated apart
            continue
        dated = {} if e.date_from_text or not f.date_from_text else dict(
            date=f.date, date_precision=f.date_precision, date_from_text=True, background=f.background)
        out.append(e.with_(parties=f.parties, agent=f.agent if f.agent else e.agent, others=f.others,
                           named=f.named, **dated))
    return [e.with_(named=True) if e.kind in named and e.on_topic and not e.named else e for e in out]


def _title_dated(events: list[Event]) -> list[Event]:
    out = list(events)
    for n, e in enumerate(out):
        if e.date_from_text:
            continue
        later = next((x for x in out[n + 1:] if x.kind == e.kind and x.modality == e.modality and x.date_from_text
                      and not x.background), None)
        if later is not None:
            out[n] = e.with_(date=later.date, date_precision=later.date_precision, date_from_text=True,
                             background=later.background)
    return out


def _dated_by_previous(events: list[Event], analyses: list[SentenceAnalysis], published: date | None,
                       has_title: bool) -> list[Event]:
    """A body sentence that does not date its event tells of what the sentence before it dated ("Shoigu was in
    Tehran in September 2023, where he saw drones. The visit was to deepen..." is the 2023 visit)."""
    out = []
    for e in events:
        i = e.sentence
        if e.date_from_text or i <= (1 if has_title else 0) or published is None:
            out.append(e)
            continue
        prev = [resolve(d, published, future=not e.happened) for d in analyses[i - 1].dates]
        prev = [p for p in prev if p is not None and p.day <= published + timedelta(days=400)]
        if not prev:
            out.append(e)
            continue
        when = prev[0]
        out.append(e.with_(date=when.day, date_precision=when.precision, date_from_text=True,
                           background=(published - when.day).days > BACKGROUND_DAYS))
    return out


def _parties_named(mentions: list[list[Mention]]) -> tuple[str, ...]:
    return tuple(sorted({m.code for ms in mentions for m in ms if m.party}))


def _names_both(ms: list[Mention]) -> bool:
    return len({m.code for m in ms if m.party}) >= 2


def _has(a: SentenceAnalysis, *prefixes: str) -> bool:
    return any(w.tag.startswith(prefixes) for w in a.words)


# ------------------------------------------------------------------------------------------------------ events
@dataclass(frozen=True)
class _Trigger:
    kind: KindSpec
    field: str  # "verbs" | "nouns" | "phrases" | "receive" | "host"
    start: int
    end: int


# A word listed both as the plain verb and as the receiving side's (Greek προμηθεύω "supply", προμηθεύομαι "procure")
# reads as the plain verb: the receiving reading is the marked one.
_FIELD_ORDER = {"verbs": 0, "with_object": 0, "host": 1, "receive": 1, "phrases": 2, "nouns": 3}


def _triggers(a: SentenceAnalysis) -> list[_Trigger]:
    """The kind words of a sentence, one per kind and place: a word the catalogue lists as a verb and a noun reads
    as the verb (its modality shows), and a word inside a longer phrase of another kind is that phrase ("lifted
    off" is a launch, not a lifting)."""
    found: dict[tuple[str, int], _Trigger] = {}
    for w in a.words:
        if not w.tag.startswith("kind:"):
            continue
        if any(w.start < b < w.end for b in a.breaks):
            continue  # a phrase's words across a colon or a comma belong to two clauses
        _, kid, field = w.tag.split(":")
        spec = catalogue.kinds().get(kid)
        if spec is None:
            continue
        t = _Trigger(spec, field, w.start, w.end)
        cur = found.get((kid, w.start))
        if cur is None or _FIELD_ORDER[field] < _FIELD_ORDER[cur.field]:
            found[(kid, w.start)] = t
    triggers = sorted(found.values(), key=lambda t: (t.start, t.end, t.kind.id))

    def inside_longer(t: _Trigger) -> bool:
        return any(o.kind.id != t.kind.id and o.start <= t.start and t.end <= o.end and
                   (o.end - o.start) > (t.end - t.start) for o in triggers)

    kept = [t for t in triggers if not inside_longer(t)]
    # one word, one kind: "Iran receives jets" is a delivery, not a visit; the kind whose objects stand beside it
    # is the specific one
    objects = {w.tag.split(":", 1)[1] for w in a.words if w.tag.startswith("object:")}

    def fits(t: _Trigger) -> tuple:
        met = bool(objects & set(t.kind.objects))
        return (met or not t.kind.objects, met, t.kind.priority)

    by_word: dict[int, _Trigger] = {}
    for t in kept:
        cur = by_word.get(t.start)
        if cur is None or fits(t) > fits(cur):
            by_word[t.start] = t
    kept = [t for t in kept if by_word.get(t.start) is t]
    return [t for t in kept if not _light_verb(t, kept, a)]


_VERB_FIELDS = ("verbs", "host", "receive", "with_object")


def _light_verb(t: _Trigger, triggers: list[_Trigger], a: SentenceAnalysis) -> bool:
    """A verb whose object is the name of an event of another kind says how that event came about ("agreed a
    ceasefire", "welcomed the ceasefire"): the event is the noun's."""
    if t.field not in _VERB_FIELDS:
        return False
    lo, hi = a.segment(t.start)
    for o in triggers:
        if o is t or o.kind.id == t.kind.id or o.field not in ("nouns", "phrases"):
            continue
        if t.end <= o.start <= t.end + LIGHT_VERB_REACH and o.start < hi and \
                (t.field == "host" or t.kind.priority < o.kind.priority):
            return True
    return False


def _sentence_events(topic: Topic, a: SentenceAnalysis, mentions: list[Mention], lead_parties: tuple[str, ...],
                     index: int, in_title: bool, published: date | None) -> list[Event]:
    prof = profile(a.lang)
    objects = [(w.start, w.tag.split(":", 1)[1]) for w in a.words if w.tag.startswith("object:")]
    best: dict[str, Event] = {}
    for trig in _triggers(a):
        if trig.kind.objects and not any(o in trig.kind.objects for _, o in objects):
            continue  # "launched an offensive" is no launch
        if trig.field == "with_object" and not _object_in_clause(a, objects, trig):
            continue  # "وقع انفجار" (an explosion occurred) is no signing
        if trig.field == "host" and (_received_from(a, trig, mentions) or not _guest_beside(a, trig, mentions)):
            continue  # "warnings received from India", "adopted a schedule": a thing received, not a visitor
        if trig.kind.roles == "organisation" and not _organisation_acts(a, trig, mentions):
            continue  # "Baku's decision to end its restrictions" is one party's, not an organisation's
        modality = _modality(a, prof, trig)
        parties, agent, host, others, named = _participants(topic, a, mentions, lead_parties, trig)
        obj = _object(objects, trig, a)
        when, precision, from_text = _date(a, trig, published, future=modality != DONE and modality != "ongoing")
        people = tuple(sorted({m.person for m in mentions if m.person and m.party}))
        event = Event(kind=trig.kind.id, modality=modality, parties=parties, agent=agent, others=others,
                      object=obj, date=when, date_precision=precision, date_from_text=from_text, people=people,
                      evidence=a.text, sentence=index, in_title=in_title, named=named,
                      trigger=" ".join(t.text for t in a.tokens[trig.start:trig.end]), host=host,
                      background=bool(from_text and when and published and (published - when).days > BACKGROUND_DAYS))
        prev = best.get(event.kind)
        if prev is None or _better(event, prev):
            best[event.kind] = event
    return sorted(best.values(), key=lambda e: (-catalogue.kind(e.kind).priority, e.kind))


def _received_right_after(a: SentenceAnalysis, trig: _Trigger) -> bool:
    """A word of receiving right after the event noun: "avertismentele primite (de la India)"."""
    return any(w.tag.endswith(":receive") and trig.end <= w.start <= trig.end + 1 for w in a.words)


def _receiving(a: SentenceAnalysis, trig: _Trigger) -> bool:
    """The clause tells the event from the side that received it (a word of receiving stands in it)."""
    lo, hi = a.segment(trig.start)
    return trig.field == "receive" or any(w.tag.endswith(":receive") and lo <= w.start < hi for w in a.words)


def _organisation_acts(a: SentenceAnalysis, trig: _Trigger, mentions: list[Mention]) -> bool:
    """An organisation's decision has an actor that is neither party: a third state or union named in the clause
    (the EU, the UN), or an organisation's acronym (OSCE, ÖSE, ОБСЕ, NATO)."""
    lo, hi = a.segment(trig.start)
    if any(m.party and trig.start - 2 <= m.end <= trig.start for m in mentions):
        return False  # "Baku's decision", "Azerbaijan decided": a party's own
    covered = {k for m in mentions for k in range(m.start, m.end)}
    if any(not m.party and lo <= m.start < hi for m in mentions):
        return True
    return any(lo <= i < hi and i not in covered and len(t.text) >= 3 and t.text.isupper() and t.text.isalpha()
               for i, t in enumerate(a.tokens))


def _guest_beside(a: SentenceAnalysis, trig: _Trigger, mentions: list[Mention]) -> bool:
    """To host is to receive someone: a party or one of its people stands in the verb's clause after it (or before
    it where the verb ends the clause)."""
    lo, hi = a.segment(trig.start)
    before = profile(a.lang).verb_final
    return any(m.party and (trig.end <= m.start < hi or (before and lo <= m.start < trig.start)) for m in mentions)


def _received_from(a: SentenceAnalysis, trig: _Trigger, mentions: list[Mention]) -> bool:
    prof = profile(a.lang)
    lo, hi = a.segment(trig.start)
    return any(lo <= m.start < hi and _role_of(a, prof, m) == "source" for m in mentions if m.party)


def _object_in_clause(a: SentenceAnalysis, objects: list[tuple[int, str]], trig: _Trigger) -> bool:
    lo, hi = a.segment(trig.start)
    wanted = trig.kind.objects or DOCUMENT_OBJECTS
    return any(lo <= pos < hi and cls in wanted for pos, cls in objects)


def _better(e: Event, prev: Event) -> bool:
    """Of two words of one kind in a sentence, the first on topic tells it ("will visit ... the visit")."""
    return e.on_topic and not prev.on_topic


# ------------------------------------------------------------------------------------------------------ modality
def _markers_near(a: SentenceAnalysis, trig: _Trigger, reach_before: int, reach_after: int) -> list[Match]:
    lo, hi = a.clause(trig.start)
    dated = {p for d in a.dates for p in range(d.pos, d.end)}  # "in May" is a month, not a maybe
    out = []
    for m in a.markers:
        if m.start in dated:
            continue
        if trig.start <= m.start < trig.end:
            # inside the event's own phrase only a negation or the future marks it ("anlaşmayı henüz
            # imzalamadı"); "in force" is the phrase itself, not a state that goes on
            if m.tag in ("negation", "not_yet", "future"):
                out.append(m)
        elif m.end <= trig.start and m.start >= max(lo, trig.start - reach_before):
            out.append(m)
        elif m.start >= trig.end and m.start < min(hi, trig.end + reach_after):
            out.append(m)
    return out


def _inflectional_prefix(tok: Token, prefixes: tuple[str, ...], lang: str | None) -> bool:
    """The word carries one of these prefixes as an inflection (its lemma is the lemma of the rest: Persian
    نکردند is کردند negated, Arabic سيوقع is يوقع in the future), not as part of another word."""
    for p in prefixes:
        rest = tok.low[len(p):]
        if tok.low.startswith(p) and len(rest) >= 3 and lemma_of(rest, lang) in (tok.lemma, rest):
            return True
    return False


def _modality(a: SentenceAnalysis, prof: LanguageProfile, trig: _Trigger) -> str:
    span = a.tokens[trig.start:trig.end]
    # the word that carries tense and negation: a phrase's verb ends it in verb-final languages
    tok = span[-1] if prof.verb_final and len(span) > 1 else span[0]
    is_verb = trig.field in ("verbs", "receive", "host", "phrases", "with_object")
    after = MARK_AFTER + (2 if prof.verb_final else 0)
    near = _markers_near(a, trig, MARK_BEFORE, after)
    tags = {m.tag for m in near}
    # an auxiliary governs every verb of its clause ("will review the ties and discuss prospects")
    tags.update(m.tag for m in _markers_near(a, trig, CLAUSE_REACH, 0) if m.tag in ("future", "scheduled", "planned"))
    # what is said not to be
    close_before = [m for m in near if trig.start - NEGATION_REACH <= m.start < trig.start]
    close_after = [m for m in near if trig.end <= m.start < trig.end + 2] if prof.verb_final else []
    if any(m.tag == "negation" for m in close_before + close_after) or "not_yet" in tags:
        return "negated"
    if prof.negation_suffixes and any(t.low.endswith(s) or (len(s) >= 4 and s in t.low[2:])
                                      for t in span for s in prof.negation_suffixes):
        return "negated"
    if prof.negation_prefixes:
        following = a.tokens[trig.start:min(len(a.tokens), trig.end + (2 if prof.verb_final else 0))]
        if any(_inflectional_prefix(t, prof.negation_prefixes, a.lang) for t in following):
            return "negated"
    if any(m.tag == "denied" for m in a.markers):
        return "denied"
    if a.text.rstrip(" »”\"'").endswith(("?", "؟")):
        return "questioned"  # a question reports nothing
    # the future, by a word or by the verb's own form
    if "future" in tags:
        return "planned"
    if is_verb:
        if prof.future_prefixes and _inflectional_prefix(tok, prof.future_prefixes, a.lang):
            return "planned"
        if prof.future_suffixes and any(tok.low.endswith(s) for s in prof.future_suffixes) and tok.low != tok.lemma:
            return "planned"
        if prof.conditional_suffixes and any(tok.low.endswith(s) for s in prof.conditional_suffixes) \
                and tok.low != tok.lemma:
            return "conditional"
        if _after_infinitive_marker(trig, tok, near):
            return "planned"  # "to sign", "zu unterzeichnen", "να υπογράψουν": governed by a plan or a purpose
        if prof.infinitive_suffixes and any(tok.low.endswith(s) for s in prof.infinitive_suffixes) \
                and tok.low == tok.lemma:
            return "planned"
        if prof.nonpast_is_future and trig.field == "verbs" and prof.nonpast_suffixes \
                and not any(tok.low.endswith(s) for s in prof.past_suffixes) and tok.low != tok.lemma \
                and _nonpast_form(tok, prof):
            return "planned"  # a perfective verb's present form is its future (подпишут)
    elif _object_of_an_infinitive(a, trig, near):
        return "planned"  # "para consolidar la tregua": the truce is what is to be done, not what was
    for tag in ("scheduled", "planned", "expected", "conditional"):
        if tag in tags:
            return tag
    if any(w.tag == "time:future" for w in a.words if a.clause(w.start) == a.clause(trig.start)) or \
            "future_time" in tags:
        return "scheduled"
    if "ongoing" in tags:
        return "ongoing"
    return DONE


def _after_infinitive_marker(trig: _Trigger, tok: Token, near: list[Match]) -> bool:
    """The event verb right after an infinitive marker; a phrase only when it opens with the verb in its dictionary
    form ("de suspendre l'accord", not "zu einem Besuch")."""
    if trig.field in ("verbs", "with_object"):
        return any(m.tag == "infinitive" and m.end in (trig.start, trig.start - 1) for m in near)
    if trig.field == "phrases" and tok.low == tok.lemma:
        return any(m.tag == "infinitive" and m.end == trig.start for m in near)
    return False


def _object_of_an_infinitive(a: SentenceAnalysis, trig: _Trigger, near: list[Match]) -> bool:
    """An event noun governed by a verb in the infinitive ("to strengthen the ceasefire"): the verb right after an
    infinitive marker is a content word in its dictionary form ("agreed to a ceasefire" has none)."""
    from consumers.matching.language import word_idf

    lo, _ = a.segment(trig.start)
    for m in near:
        if m.tag != "infinitive" or m.end >= trig.start or m.start < lo or trig.start - m.end > INFINITIVE_REACH:
            continue
        verb = a.tokens[m.end]
        if verb.low == verb.lemma and word_idf(verb.low, a.lang) >= CONTENT_WORD_IDF:
            return True
    return False


def _nonpast_form(tok: Token, prof: LanguageProfile) -> bool:
    return any(tok.low.endswith(e) for e in prof.nonpast_suffixes)


# ------------------------------------------------------------------------------------------------------ who
def _role_of(a: SentenceAnalysis, prof: LanguageProfile, m: Mention) -> str | None:
    """The role a preposition (or a case suffix) gives the party it precedes: recipient, partner, destination..."""
    for mk in a.markers:
        if mk.tag.startswith("role:") and mk.end <= m.start and m.start - mk.end < ROLE_REACH \
                and not any(mk.end <= b <= m.start for b in a.breaks):
            return mk.tag[5:]
    tok = a.tokens[m.end - 1]
    # Turkish writes the case on the name after an apostrophe ("İran'a", "Rusya ile")
    if m.end < len(a.tokens):
        nxt = a.tokens[m.end]
        if prof.recipient_suffixes and nxt.low in prof.recipient_suffixes and nxt.start == tok.end + 1:
            return "recipient"
        if prof.partner_suffixes and nxt.low in prof.partner_suffixes:
            return "partner"
    return None


def _participants(topic: Topic, a: SentenceAnalysis, mentions: list[Mention], lead_parties: tuple[str, ...],
                  trig: _Trigger) -> tuple[tuple[str, ...], str | None, str | None, tuple[str, ...], bool]:
    """(parties taking part, agent, host, third parties, both parties named beside the event).

    Who takes part is read from the event's own clause first: both parties there, whoever else is named, make it
    theirs; one party and a third state there make it that pair's (Russia's treaty with North Korea, even if the
    sentence goes on about Iran). A clause naming one party and nobody else takes its partner from the sentence or
    from the lead (the satellite's owner named in the title, the launcher in the launch sentence)."""
    prof = profile(a.lang)
    roles = {id(m): _role_of(a, prof, m) for m in mentions}
    lo, hi = a.segment(trig.start)
    own = [m for m in mentions if lo <= m.start < hi]

    def blocking(ms: list[Mention]) -> list[Mention]:
        # a third state where it happens ("talks in Muscat") does not take part in what the parties do together;
        # where an act of one goes (a visit to, a launch at, a delivery to) does
        if trig.kind.aimed:  # whom it is aimed at: "launched drones at Kyiv", "troops in Syria"
            return [m for m in ms if not m.party and roles[id(m)] != "source"]
        if trig.kind.directed:  # where it goes: a visit to, a delivery to
            return [m for m in ms if not m.party and roles[id(m)] != "place"]
        return [m for m in ms if not m.party and roles[id(m)] not in ("place", "destination")]

    def aimed_elsewhere(ms: list[Mention]) -> bool:
        return trig.kind.aimed and any(not m.party and roles[id(m)] in ("place", "destination", "recipient")
                                       for m in ms)

    own_parties = sorted({m.code for m in own if m.party})
    sentence_parties = sorted({m.code for m in mentions if m.party})
    others = tuple(sorted({m.code for m in mentions if not m.party}))
    if aimed_elsewhere(own):
        parties, named = tuple(own_parties[:1]), False  # aimed at a third state: not theirs, whoever else is named
    elif len(own_parties) >= 2:
        parties, named = tuple(own_parties), True
    elif trig.kind.roles == "organisation":
        parties, named = tuple(sorted(set(sentence_parties) | set(lead_parties))), len(sentence_parties) >= 2
    elif blocking(own):
        parties, named = tuple(own_parties), False  # one party and a third state: the third state is its partner
    elif len(sentence_parties) >= 2 and not own_parties:
        parties, named = tuple(sentence_parties), True
    elif own_parties and blocking([m for m in mentions if m not in own]) and len(sentence_parties) < 2:
        parties, named = tuple(own_parties), False
    else:
        parties, named = tuple(sorted(set(own_parties) | set(sentence_parties) | set(lead_parties))), False
    agent, host = None, None
    if trig.kind.directed and parties:
        party_ms = [m for m in (own if own_parties else mentions) if m.party]
        agent, host = _agent(a, trig, party_ms, roles, parties)
    return parties, agent, host, others, named


def _agent(a: SentenceAnalysis, trig: _Trigger, party_ms: list[Mention], roles: dict[int, str | None],
           parties: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Who acts (for a visit: who travels) and, for a visit, who hosts."""
    def other(code: str | None) -> str | None:
        rest = [p for p in parties if p != code]
        return rest[0] if len(rest) == 1 else None

    marked = {"recipient", "partner", "destination", "place", "source"}
    by_agent_marker = [m for m in party_ms if roles[id(m)] == "agent"]
    unmarked = [m for m in party_ms if roles[id(m)] not in marked and roles[id(m)] != "agent"]
    hosting = trig.field == "host" or any(m.tag == "role:host" and m.start == trig.start for m in a.markers)
    if trig.kind.id == "visit":
        dest = [m for m in party_ms if roles[id(m)] in ("destination", "place")]
        if hosting:
            host_code = unmarked[0].code if unmarked else None
            visitor = next((m.code for m in unmarked if m.code != host_code), None) or other(host_code)
            return visitor, host_code
        if dest:
            host_code = dest[0].code
            visitor = next((m.code for m in unmarked if m.code != host_code), None) or other(host_code)
            return visitor, host_code
        if unmarked:
            # "Pezeshkian visits Moscow": the one before the word travels, the one after hosts
            before = [m for m in unmarked if m.start < trig.start]
            after = [m for m in unmarked if m.start >= trig.end]
            if before and after and before[0].code != after[0].code:
                return before[0].code, after[0].code
            visitor = unmarked[0].code
            return visitor, other(visitor)
        return None, None
    if by_agent_marker:  # "was signed by", "tarafından"
        return by_agent_marker[0].code, None
    source = next((m.code for m in party_ms if roles[id(m)] == "source"), None)
    lo, _ = a.segment(trig.start)
    subject_before = any(lo <= m.start < trig.start for m in unmarked)
    if source and (_received_right_after(a, trig) or (not subject_before and _receiving(a, trig))):
        return source, None  # "the warnings received from India": India warned
    if trig.field == "receive":  # "Iran received Su-35s from Russia": the development belongs to the supplier
        recipient = unmarked[0].code if unmarked else None
        source = next((m.code for m in party_ms if roles[id(m)] == "source"), None)
        return (source or other(recipient)), None
    if unmarked:
        return unmarked[0].code, None
    marked_codes = [m.code for m in party_ms if roles[id(m)] in ("recipient", "partner", "destination")]
    if marked_codes:
        return other(marked_codes[0]), None
    return None, None


# ------------------------------------------------------------------------------------------------------ what, when
def _object(objects: list[tuple[int, str]], trig: _Trigger, a: SentenceAnalysis) -> str | None:
    if not objects:
        return None
    lo, hi = a.clause(trig.start)

    def rank(o: tuple[int, str]) -> tuple:
        pos, cls = o
        document = DOCUMENT_OBJECTS.index(cls) if cls in DOCUMENT_OBJECTS else len(DOCUMENT_OBJECTS)
        return (not (lo <= pos < hi), document, abs(pos - trig.start), pos)

    return min(objects, key=rank)[1]


def _date(a: SentenceAnalysis, trig: _Trigger, published: date | None, *,
          future: bool) -> tuple[date | None, str | None, bool]:
    """The date the sentence gives the event: in its own clause (the most precise, the nearest), else in the clause
    that introduces it ("Aliyev's announcement on Oct. 18 that Azerbaijan had lifted ..."), else the publication's.
    A date of a clause after it belongs to something else ("..., after Putin sent troops in 2022")."""
    fallback = (published, "day" if published else None, False)
    if not a.dates:
        return fallback
    lo, hi = a.segment(trig.start)
    found = _dates_between(a, lo, hi, trig, published, future)
    if not found and lo > 0:
        found = _dates_between(a, a.segment(lo - 1)[0], lo, trig, published, future)
    if not found:
        return fallback
    ev = min(found, key=lambda c: c[:3])[3]
    return ev.day, ev.precision, True


def _dates_between(a: SentenceAnalysis, lo: int, hi: int, trig: _Trigger, published: date | None,
                   future: bool) -> list[tuple]:
    precision_rank = {"day": 0, "month": 1, "year": 2}
    out = []
    for d in a.dates:
        if not lo <= d.pos < hi:
            continue
        if published is None and d.year is None:
            continue  # a weekday, "yesterday" or a day without its year needs the publication date
        ev = resolve(d, published or date(d.year or 2000, 1, 1), future=future)
        if ev is None or ev.day.year < 1950 or (published and ev.day > published + timedelta(days=400)):
            continue
        out.append((precision_rank[ev.precision], abs(d.pos - trig.start), d.pos, ev))
    return out


def other_kind_event(a: SentenceAnalysis, parties: tuple[str, ...], index: int, in_title: bool,
                     published: date) -> Event:
    """An on-topic report of a kind the catalogue lacks, read from the sentence that names the parties."""
    return Event(kind=OTHER_KIND, modality=DONE, parties=parties, agent=None, others=(), object=None,
                 date=published, date_precision="day", date_from_text=False, people=(), evidence=a.text,
                 sentence=index, in_title=in_title, named=True, trigger="")
