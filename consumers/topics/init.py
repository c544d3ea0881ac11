"""`newsmon topic init SEEDS --into DIR`: a topic folder from the seed articles alone.

The seeds say who the story is about (the states they name most, in most seeds), who speaks and acts for them (people
named beside a party: "Armenian Prime Minister Nikol Pashinyan", "Lavrov, utanríkisráðherra Rússlands"), what is
known (the events they report, with their modality and dates) and as of when (the newest seed's date). Nothing here
is typed by hand for a story: names come from CLDR and GeoNames, events from the general reader.
"""
from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import simplemma

from consumers.decide.reading import SentenceAnalysis, analyse_sentence, read_lead
from consumers.language import detect_language
from consumers.languages import SUPPORTED
from consumers.languages.dates import find_dates, resolve
from consumers.languages.text import Token, is_arabic_script, sentences, tokenize
from consumers.topics.model import KnownFact, Party, Topic
from consumers.topics.names import Person, PartyIndex, person_key
from consumers.topics.places import places

SEED_SUFFIXES = (".txt", ".html", ".htm")
PARTY_SEED_SHARE = 0.6  # a party is named in at least this share of the seeds ...
PARTY_MENTION_SHARE = 0.4  # ... and at least this share as often as the most named state
CITY_WEIGHT = 0.5
MAX_PARTIES = 4
PERSON_WINDOW = 6  # words between a person's name and the party that names their role
MIN_PERSON_MENTIONS = 2
NAME_IDF = 4.0  # a capitalised word at least this rare is part of a name
SURNAME_IDF = 2.0  # a famous surname is frequent (Путин), a title more so
HEADER_LINES = 40  # the seed's own date stands in its header (before and around the headline and byline)
PROSE_WORDS = 12
ASIDE_MIN_WORDS = 6  # a sentence of the page outside the cut article, read for facts that name both parties
ASIDE_MAX_WORDS = 80  # longer "sentences" are runs of headlines and links


@dataclass
class Seed:
    file: str
    title: str
    text: str  # the article, as the seed loader cuts it from the page
    raw: str
    language: str | None
    published: date | None
    analyses: list[SentenceAnalysis] = field(default_factory=list)  # the article's sentences
    aside: list[SentenceAnalysis] = field(default_factory=list)  # the page's other prose (the cut may miss some)

    @property
    def units(self) -> list[str]:
        return ([self.title] if self.title else []) + sentences(self.text)

    @property
    def everything(self) -> list[SentenceAnalysis]:
        return self.analyses + self.aside


# ------------------------------------------------------------------------------------------------------ seeds
def read_seeds(folder: Path) -> list[Seed]:
    from consumers.seeds import clean_page_text

    seeds = []
    for path in sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in SEED_SUFFIXES):
        raw = path.read_text(encoding="utf-8", errors="replace")
        published = None
        if path.suffix.lower() == ".txt":
            title, text = clean_page_text(raw)
        else:
            title, text, published = _from_html(raw, path.name)
        lang = detect_language(f"{title}\n{text}")
        seed = Seed(path.name, title, text, raw, lang, published or seed_date(raw, text, lang))
        seed.analyses = [analyse_sentence(u, lang) for u in seed.units]
        kept = set(seed.units)
        seed.aside = [analyse_sentence(u, lang) for u in sentences(raw) if u not in kept
                      and ASIDE_MIN_WORDS <= len(u.split()) <= ASIDE_MAX_WORDS]
        seeds.append(seed)
    return seeds


def _from_html(html: str, name: str) -> tuple[str, str, date | None]:
    from consumers.extract import Rejected, extract_article

    article = extract_article(html, f"seed:{name}")
    if isinstance(article, Rejected):
        from consumers.seeds import clean_page_text

        import lxml.html

        title, text = clean_page_text(lxml.html.fromstring(html).text_content())
        return title, text, None
    return article.title, article.text, article.published.date() if article.published else None


def seed_date(raw: str, text: str, lang: str | None) -> date | None:
    """The seed's publication date, from its header: the first full date (day, month and year) there. A page without
    one is dated by the latest full date its article mentions, which it cannot precede (never by the page's
    footer: "the site started on 1 September 2017")."""
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    # the header: everything up to the article's first paragraph of prose (where bylines and datelines stand)
    first_prose = next((i for i, ln in enumerate(lines) if len(ln.split()) >= PROSE_WORDS and
                        ln.rstrip()[-1:] in ".!?…»”\""), len(lines) - 1)
    head = " ".join(lines[:min(first_prose + 1, HEADER_LINES)])[:3000]
    found = _full_dates(head, lang)
    if found:
        return found[0]
    in_text = _full_dates(text, lang)
    return max(in_text) if in_text else None


def _full_dates(text: str, lang: str | None) -> list[date]:
    out = []
    for s in sentences(text) or [text]:
        for m in find_dates(tokenize(s, lang), lang):
            if m.day and m.month and m.year:
                ev = resolve(m, date(m.year, m.month, 1), future=False)
                if ev and ev.day <= datetime.now(timezone.utc).date():
                    out.append(ev.day)
    return out


# ------------------------------------------------------------------------------------------------------ parties
@dataclass(frozen=True)
class PartyFinding:
    code: str
    mentions: float
    seeds: tuple[str, ...]


def find_parties(seeds: list[Seed]) -> list[PartyFinding]:
    """The states the seeds are about: named in most seeds, and about as often as the most named one."""
    mentions: Counter[str] = Counter()
    in_seeds: dict[str, set[str]] = defaultdict(set)
    table = places()
    for seed in seeds:
        for a in seed.analyses:  # the article itself: the page around it tells of other stories
            for m in table.find(a.tokens, seed.language):
                # a city is where things happen as often as who acts (talks in Almaty, hosted by Kazakhstan)
                mentions[m.code] += CITY_WEIGHT if m.how == "city" else 1.0
                in_seeds[m.code].add(seed.file)
    if not mentions:
        return []
    ranked = sorted(mentions, key=lambda c: (-len(in_seeds[c]) * mentions[c], c))
    top = mentions[ranked[0]]
    need = max(1, round(PARTY_SEED_SHARE * len(seeds)))
    chosen = [c for c in ranked if len(in_seeds[c]) >= need and mentions[c] >= PARTY_MENTION_SHARE * top]
    chosen = chosen[:MAX_PARTIES] if len(chosen) >= 2 else ranked[:2]
    return [PartyFinding(c, mentions[c], tuple(sorted(in_seeds[c]))) for c in chosen]


# ------------------------------------------------------------------------------------------------------ people
@dataclass
class _PersonEvidence:
    forms: Counter = field(default_factory=Counter)  # surname as written
    full: Counter = field(default_factory=Counter)  # full name as written
    seeds: set = field(default_factory=set)
    near: Counter = field(default_factory=Counter)  # territory code → closeness-weighted count
    count: int = 0
    rare: bool = False  # some form of it is rare in its language, as a surname of one word is


def _name_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Runs of capitalised words not at the start of the sentence: names (in scripts with capitals)."""
    runs, i = [], 1
    while i < len(tokens):
        if tokens[i].cap and not tokens[i].text.isupper() and not is_arabic_script(tokens[i].text) \
                and not tokens[i].text[:1].isdigit():
            j = i
            while j + 1 < len(tokens) and tokens[j + 1].cap and not tokens[j + 1].text.isupper() \
                    and tokens[j + 1].start - tokens[j].end <= 1:
                j += 1
            runs.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return runs


def _could_be_surname(token: Token, lang: str | None) -> bool:
    return len(token.text) >= 4 and _idf(token, lang) >= SURNAME_IDF and not _inflected_common_word(token, lang)


def _inflected_common_word(token: Token, lang: str | None) -> bool:
    """A capitalised form the language's dictionary takes back to a common word: a title or an institution's name
    ("Ministerul Apărării": of defence; "Foreign Affairs"), not a surname. A surname's form keeps its capital
    (Путина → Путин); one that looks like a rare adjective's form (Лаврова → лавровый) stays a name."""
    from consumers.matching.language import word_idf

    try:
        lemma = simplemma.lemmatize(token.text, lang=lang or "en")
    except ValueError:  # a language simplemma lacks
        return False
    return lemma != token.text and lemma[:1].islower() and word_idf(lemma, lang) < NAME_IDF


def find_people(seeds: list[Seed], parties: list[str]) -> list[Person]:
    """People the seeds name beside a state: their party is the state named with them ("Armenian Prime Minister
    Nikol Pashinyan", "министр иностранных дел Азербайджана Джейхун Байрамов", "Lavrov, utanríkisráðherra
    Rússlands"). A state in the same run of capitalised words counts most, one before the name more than one after
    it, and none beyond another name."""
    table = places()
    evidence: dict[str, _PersonEvidence] = defaultdict(_PersonEvidence)
    for seed in seeds:
        for a in seed.analyses:
            place_ms = table.find(a.tokens, seed.language)
            placed = {k for m in place_ms for k in range(m.start, m.end)}
            runs = _name_runs(a.tokens)
            # only another person's name stands between a name and a state, not a capitalised title ("Ministrul
            # rus al Apărării, Serghei Şoigu")
            names = [r for r in runs if _could_be_surname(a.tokens[r[1] - 1], seed.language)]
            for run_start, end in runs:
                # the name is the run's last words that are not common words ("Prime Minister", "Deputy")
                if end - 1 in placed:
                    continue
                start = end - 1
                while start > run_start and start - 1 not in placed and \
                        _idf(a.tokens[start - 1], seed.language) >= NAME_IDF:
                    start -= 1
                surname = a.tokens[end - 1]
                if not _could_be_surname(surname, seed.language):
                    continue  # "Minister", "President": a title, not a name
                key = person_key(surname.text)
                if not key:
                    continue
                ev = evidence[key]
                ev.forms[surname.text] += 1
                ev.rare = ev.rare or _idf(surname, seed.language) >= NAME_IDF
                if end - start >= 2:
                    ev.full[" ".join(t.text for t in a.tokens[start:end])] += 1
                ev.seeds.add(seed.file)
                ev.count += 1
                other_names = [r for r in names if r != (run_start, end)]
                for m in place_ms:
                    if run_start <= m.start < start:
                        ev.near[m.code] += 3.0
                        continue
                    if m.end <= run_start:
                        gap, weight = run_start - m.end, 1.0
                        between = any(m.end <= r[0] < run_start for r in other_names)
                    elif m.start >= end:
                        # after the name only as its apposition: "Lavrov, utanríkisráðherra Rússlands"
                        if end >= len(a.tokens) or "," not in a.text[a.tokens[end - 1].end:a.tokens[end].start]:
                            continue
                        gap, weight = m.start - end, 0.5
                        between = any(end <= r[0] < m.start for r in other_names)
                    else:
                        continue
                    if gap <= PERSON_WINDOW and not between:
                        ev.near[m.code] += weight / (1 + gap)
    people = []
    for key, ev in sorted(evidence.items()):
        if ev.count < MIN_PERSON_MENTIONS or not ev.near:
            continue
        if not ev.full and not ev.rare:
            continue  # a common word never written with a first name: a weekday, a German noun ("Kennzeichen")
        (best, score), *rest = sorted(ev.near.items(), key=lambda kv: (-kv[1], kv[0]))
        runner = rest[0][1] if rest else 0.0
        if score < 0.5 or score < 1.5 * runner:
            continue  # named beside several states alike: whose they are is not clear
        name = ev.full.most_common(1)[0][0] if ev.full else ev.forms.most_common(1)[0][0]
        forms = tuple(sorted(ev.forms, key=lambda f: (-ev.forms[f], f)))
        people.append(Person(name=name, party=best, forms=forms, seen_in=tuple(sorted(ev.seeds))))
    return people


def _idf(tok: Token, lang: str | None) -> float:
    """How rare the word is in its language: names are rare, titles ("Prime Minister", "Deputy") common."""
    from consumers.matching.language import word_idf

    return word_idf(tok.text.lower(), lang)


# ------------------------------------------------------------------------------------------------------ facts
def find_facts(topic: Topic, seeds: list[Seed]) -> list[KnownFact]:
    facts: dict[tuple, KnownFact] = {}
    for seed in seeds:
        reading = read_lead(topic, seed.title, seed.text, seed.language, seed.published, whole=True,
                            analyses=seed.analyses)
        events = list(reading.on_topic_events)
        for a in seed.aside:  # outside the cut article only what names both parties beside the event
            aside = read_lead(topic, "", a.text, seed.language, seed.published, whole=True, analyses=[a])
            events.extend(e for e in aside.on_topic_events if e.named)
        for e in events:
            if e.modality in ("negated", "denied"):
                continue
            if not e.named and e.sentence >= 3:
                continue  # deep in a seed, a sentence that names no party is too loosely tied to the story
            fact = KnownFact(kind=e.kind, modality=e.modality, parties=e.parties, agent=e.agent, object=e.object,
                             date=e.date, date_precision=e.date_precision, date_from_text=e.date_from_text,
                             people=e.people, evidence=e.evidence, source=seed.file)
            key = (fact.kind, fact.modality, fact.parties, fact.agent, fact.object, fact.date, fact.source)
            facts.setdefault(key, fact)
    return list(facts.values())


# ------------------------------------------------------------------------------------------------------ the folder
def derive_topic(seeds_dir: Path) -> tuple[Topic, list[Seed], list[PartyFinding]]:
    seeds = read_seeds(seeds_dir)
    if not seeds:
        raise ValueError(f"no seed articles (*.txt, *.html) in {seeds_dir}")
    found = find_parties(seeds)
    if len(found) < 2:
        raise ValueError("the seeds do not name two states often enough to tell whose story it is")
    codes = [p.code for p in found]
    labels = places().labels
    people = [p for p in find_people(seeds, codes)]
    parties = [Party(id=c, label=labels.get(c, c), territory=c, names={}) for c in codes]
    dated = [s.published for s in seeds if s.published]
    as_of = max(dated) if dated else None
    name = " – ".join(p.label for p in parties)
    topic = Topic(id=_slug(name), name=name, description="", parties=parties, people=people, known=[],
                  known_as_of=datetime(as_of.year, as_of.month, as_of.day, 23, 59, tzinfo=timezone.utc)
                  if as_of else None, queries={}, languages=list(SUPPORTED))
    topic.known = find_facts(topic, seeds)
    topic.queries = search_queries(codes)
    topic.description = describe(topic, seeds)
    return topic, seeds, found


def _slug(text: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-") or "topic"


def party_names(code: str) -> dict[str, list[str]]:
    """The state's name (and nationality adjective) in each supported language, from CLDR."""
    from babel import Locale
    from babel.core import get_global

    out: dict[str, list[str]] = {}
    territory_languages = get_global("territory_languages").get(code) or {}
    for lang in SUPPORTED:
        loc = Locale.parse(lang)
        name = loc.territories.get(code)
        if not name:
            continue
        names = [name]
        for official, info in territory_languages.items():
            adjective = loc.languages.get(official)
            if info.get("official_status") in ("official", "de_facto_official") and adjective \
                    and adjective.lower()[:3] == name.lower()[:3] and adjective not in names:
                names.append(adjective)
        out[lang] = names
    return out


def search_queries(codes: list[str]) -> dict[str, list[str]]:
    """One search per language: the parties' names as that language writes them."""
    from babel import Locale

    out = {}
    for lang in SUPPORTED:
        loc = Locale.parse(lang)
        names = [loc.territories.get(c) for c in codes]
        if all(names):
            out[lang] = [" ".join(f'"{n}"' if " " in n else n for n in names)]  # type: ignore[misc]
    return out


def describe(topic: Topic, seeds: list[Seed]) -> str:
    kinds = Counter(f.kind for f in topic.known if f.modality == "done")
    langs = sorted({s.language or "?" for s in seeds})
    dated = sorted(s.published for s in seeds if s.published)
    period = f", {dated[0].isoformat()} to {dated[-1].isoformat()}" if dated else ""
    what = ", ".join(k.replace("_", " ") for k, _ in kinds.most_common(6)) or "no event the catalogue names"
    return (f"Developments between {' and '.join(p.label for p in topic.parties)}, as {len(seeds)} seed articles "
            f"({', '.join(langs)}{period}) tell the story. Known from them: {what}.")


def init_topic(seeds_dir: Path, into: Path) -> Topic:
    """Write the topic folder: topic.toml, seeds/ (a copy of the seeds) and feeds.txt (kept when it exists)."""
    topic, seeds, found = derive_topic(seeds_dir)
    _write_folder(topic, seeds, found, seeds_dir, Path(into))
    return topic


def init_topic_under(seeds_dir: Path, topics_dir: Path) -> tuple[Topic, Path]:
    """The same, into `<topics_dir>/<id>` with the id derived from the parties (`russia-iran`)."""
    topic, seeds, found = derive_topic(seeds_dir)
    into = Path(topics_dir) / topic.id
    _write_folder(topic, seeds, found, seeds_dir, into)
    return topic, into


def _write_folder(topic: Topic, seeds: list[Seed], found: list[PartyFinding], seeds_dir: Path, into: Path) -> None:
    topic.id = _slug(into.resolve().name)  # the folder the user named for the story
    (into / "seeds").mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        target = into / "seeds" / seed.file
        if Path(seeds_dir).resolve() / seed.file != target.resolve():
            shutil.copyfile(Path(seeds_dir) / seed.file, target)
    from consumers.topics.writer import render_topic

    (into / "topic.toml").write_text(render_topic(topic, seeds, found), encoding="utf-8")
    feeds = into / "feeds.txt"
    if not feeds.exists():
        feeds.write_text("# Direct RSS/Atom feeds of outlets for this topic, one URL a line. Search feeds come from "
                         "[queries] in topic.toml.\n", encoding="utf-8")


def party_index(topic: Topic) -> PartyIndex:
    return topic.index
