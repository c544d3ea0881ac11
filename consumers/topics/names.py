"""Who a sentence names: the topic's parties (by country name, adjective, capital or one of their people) and
everyone else (other states, their capitals).

People are recognised in any script by the consonant skeleton of their surname (Путин, Poutine, پوتین → "btn"),
places by the general table in `places.py` plus the names the topic folder adds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii

from consumers.languages.text import Token, arabic_variants, fold, is_arabic_script
from consumers.matching.normalise import skeleton
from consumers.topics.places import PlaceMention, Places, places

MIN_PERSON_KEY = 3


@lru_cache(maxsize=200_000)  # the same words come back in every article and for every topic
def person_key(word: str) -> str:
    """One key for a surname in any script: Путин, Poutine, پوتین → 'btn'. A name with fewer consonants than
    MIN_PERSON_KEY is keyed by its spelling instead (Aliyev, Alijew, Алиев, Αλίεφ → '~aliev'); "" when neither is
    distinctive enough."""
    arabic = is_arabic_script(word)
    latin = anyascii(word).lower().replace("gh", "g")  # غ in شويغو
    # Arabic ج writes Persian ch (عراقجي = Araghchi); a Latin j is mostly a y (Szojgu, Sergej)
    latin = latin.replace("j", "ch") if arabic else latin.replace("j", "y")
    key = skeleton(latin, arabic_script=arabic)
    if len(key) >= MIN_PERSON_KEY:
        return key
    if arabic:
        return ""
    spelling = "".join(ch for ch in latin if ch.isalpha()).replace("w", "v").replace("f", "v").replace("h", "")
    for a, b in (("iye", "ie"), ("iy", "i"), ("ie", "ie"), ("yy", "y"), ("ye", "e")):
        spelling = spelling.replace(a, b)
    return "~" + spelling if len(spelling) >= 4 else ""


@lru_cache(maxsize=200_000)
def _name_keys(folded: str) -> tuple[tuple[str, str], ...]:
    """(spelling, person key) of each way a word may be read as a surname; the same for every topic, so computed
    once per word, not once per word and topic."""
    if len(folded) < 3:
        return ()
    variants = arabic_variants(folded) if is_arabic_script(folded) else (folded,)
    return tuple((v, key) for v in variants if (key := person_key(v)))


@lru_cache(maxsize=200_000)
def _arabic(text: str) -> bool:
    return is_arabic_script(text)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    code: str  # party id ("RU") or, for anyone else, their territory code
    party: bool  # one of the topic's parties
    how: str  # "name" | "adjective" | "city" | "person"
    person: str | None = None  # the person's key


@dataclass
class Person:
    name: str
    party: str
    forms: tuple[str, ...]
    keys: frozenset[str] = frozenset()
    seen_in: tuple[str, ...] = ()  # the seeds that name them (for the topic file's comments)

    def __post_init__(self) -> None:
        if not self.keys:
            keys = {person_key(f.split()[-1]) for f in (*self.forms, self.name) if f.split()}
            self.keys = frozenset(k for k in keys if k)


@dataclass
class PartyIndex:
    """Finds the parties and third parties a sentence names."""

    parties: dict[str, str]  # party id → territory code (the same for states)
    people: list[Person]
    extra_names: Places = field(default_factory=Places)  # names the topic folder adds (edited by the user)
    _by_key: dict[str, list[Person]] = field(default_factory=dict)
    _by_territory: dict[str, str] = field(default_factory=dict)
    _forms: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for p in self.people:
            for k in sorted(p.keys):
                self._by_key.setdefault(k, []).append(p)
        self._forms = {fold(f.split()[-1]) for p in self.people for f in (*p.forms, p.name) if f.split()}
        self._by_territory = {terr: pid for pid, terr in self.parties.items()}
        self.extra_names.finalise()

    def find(self, tokens: list[Token], lang: str | None = None,
             general: list[PlaceMention] | None = None) -> list[Mention]:
        """Every party and third party the tokens name. The topic's own names come first (an edited topic may add
        one the general table lacks), then names of places written in full, then people (a surname is more specific
        than a stem: "عراقجي" is Araghchi, not Iraq), then places found by their stem."""
        out: list[Mention] = []
        taken: set[int] = set()

        def take(start: int, end: int, code: str, how: str, person: str | None = None) -> None:
            pid = code if code in self.parties else self._by_territory.get(code)
            out.append(Mention(start, end, pid or code, pid is not None, how, person))
            taken.update(range(start, end))

        for m in self.extra_names.find(tokens, lang) if self.extra_names.names or self.extra_names.multi else ():
            take(m.start, m.end, m.code, m.how)
        found = general if general is not None else places().find(tokens, lang)  # the same for every story
        general = [m for m in found if not any(k in taken for k in range(m.start, m.end))]
        for m in general:
            if m.exact:
                take(m.start, m.end, m.code, m.how)
        for i, tok in enumerate(tokens):
            if i in taken:
                continue
            person = self._person(tok, lang)
            if person is not None:
                take(i, i + 1, person.party, "person", min(person.keys))
        for m in general:
            if not m.exact and not any(k in taken for k in range(m.start, m.end)):
                take(m.start, m.end, m.code, m.how)
        return sorted(out, key=lambda m: m.start)

    def _person(self, tok: Token, lang: str | None) -> Person | None:
        if not (tok.cap or _arabic(tok.text)):
            return None
        for variant, key in _name_keys(tok.fold):
            found = self._by_key.get(key)
            if found and (variant in self._forms or not _common_word(tok, lang)):
                return found[0]
        return None
        variants = arabic_variants(tok.fold) if is_arabic_script(tok.fold) else (tok.fold,)
        for v in variants:
            key = person_key(v)
            if not key:
                continue
            found = self._by_key.get(key)
            if found and (v in self._forms or not _common_word(tok, lang)):
                return found[0]
        return None


COMMON_WORD_IDF = 2.2  # a capitalised word this frequent in its language is a title ("Başkanı"), not a surname


def _common_word(tok: Token, lang: str | None) -> bool:
    """Same consonants, different word: "Başkanı" (president) is not Pezeshkian. A surname the seeds did not write
    this way counts only when it is not a frequent word of the text's language (famous surnames stay below it)."""
    from consumers.matching.language import word_idf

    return word_idf(tok.low, lang) < COMMON_WORD_IDF


def party_label(code: str) -> str:
    return places().labels.get(code, code)


def folded(name: str) -> str:
    return fold(name)
