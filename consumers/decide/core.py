"""The decider: on topic or not, known or new, one alert per development.

`decide(article, state)` is pure; the caller applies `outcome.records` to the state (and appends them to the
compacted changelog keyed by `StateRecord.key`). `DeciderState(topic)` + `apply` of every stored record rebuilds
exactly the state that made the decisions, so a restarted decider decides as before.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from consumers.decide.events import Reading, read_article
from consumers.decide.topic import Topic
from consumers.language import detect_language
from schemas import Alert, Decision, ExtractedArticle, Source, StateRecord

from consumers.matching import StoryIndex

FALLBACK_SAME = 0.6  # story-index score above which an article with no listed kind repeats what it matches
OBJECT_LABELS = {"partnership": "the strategic partnership treaty", "weapons": "weapons", "nuclear": "nuclear cooperation",
                 "space": "space cooperation", "energy": "energy", "transport": "transport links",
                 "finance": "payments and finance", None: "cooperation"}


# --------------------------------------------------------------------------------------------------- state
class DeciderState:
    """Everything the decider knows: seed facts, every decided article, every development's latest alert."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self.articles: dict[str, dict[str, Any]] = {}  # url -> {"decision": dict, "dev": str | None}
        self.knowledge: list[dict[str, Any]] = []  # events with "dev" (development id or None), "d" (date), "src"
        self.developments: dict[str, dict[str, Any]] = {}  # dev id -> alert (JSON dict)
        self.doc_dev: dict[str, str | None] = {}  # story-index doc id -> development id
        self._by_key: dict[tuple, list[dict[str, Any]]] = {}  # knowledge indexed by what can match
        self.index = StoryIndex()
        for seed in topic.seeds:
            events = seed_events(topic, seed)
            for e in events:
                self._know({**e, "dev": None, "d": None, "src": seed.url})
            self.index.add(seed.url, _signature(seed))
            self.doc_dev[seed.url] = None

    def apply(self, record: StateRecord) -> None:
        """The only way the state changes; applying a record twice changes nothing the second time."""
        data = record.data
        if record.kind == "article":
            url = data["url"]
            if url in self.articles:
                return
            self.articles[url] = {"decision": data["decision"], "dev": data.get("dev")}
            for e in data.get("events", []):
                self._know({**e, "dev": data.get("dev"), "d": data.get("published"), "src": url})
            if data.get("sig") is not None:
                self.index.add(url, data["sig"])
            self.doc_dev[url] = data.get("dev")
        elif record.kind == "development":
            alert = data["alert"]
            cur = self.developments.get(alert["alert_id"])
            if cur is None or alert["revision"] >= cur["revision"]:
                self.developments[alert["alert_id"]] = alert


    def _know(self, e: dict[str, Any]) -> None:
        self.knowledge.append(e)
        self._by_key.setdefault(match_key(e), []).append(e)

    def candidates(self, e: dict[str, Any]) -> list[dict[str, Any]]:
        """Known events that could be the same as `e` (same kind, and for all but visits same agent and object)."""
        return self._by_key.get(match_key(e), [])


def match_key(e: dict[str, Any]) -> tuple:
    return (e["k"],) if e["k"] == "visit" else (e["k"], e["a"], e.get("o"))


def seed_events(topic: Topic, seed: ExtractedArticle) -> list[dict]:
    """What a seed reports: every on-topic event of its cleaned text, plus the strong ones of its raw page text
    (the cleaning may drop article paragraphs; raw clutter only counts where both actors stand in the sentence)."""
    out = []
    r = read_article(topic, seed.title, seed.text, seed.language, whole=True)
    out.extend(r.events)
    raw = topic.seed_raw.get(seed.url)
    if raw:
        rr = read_article(topic, "", raw, seed.language, whole=True)
        out.extend(e for e in rr.events if e["s"])
    return [_slim(e) for e in out]


def _slim(e: dict) -> dict:
    return {k: e[k] for k in ("k", "m", "a", "o", "p", "s")}




def _signature(a: ExtractedArticle) -> dict:
    return StoryIndex.signature(a.text, title=a.title, lang=a.language, published=a.published)


# --------------------------------------------------------------------------------------------------- outcome
@dataclass(frozen=True)
class Outcome:
    decision: Decision
    alert: Alert | None
    records: list[StateRecord] = field(default_factory=list)


def _date(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        d = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _same(topic: Topic, e: dict, k: dict, e_date: datetime | None) -> bool:
    """Is article event `e` the same development as known event `k` (modality aside)?"""
    if e["k"] != k["k"]:
        return False
    pe, pk = set(e.get("p") or ()), set(k.get("p") or ())
    if e["k"] == "visit":
        # who visits whom is fragile ("Raisi received Lavrov"); the people named are less so
        agents_agree = e["a"] == k["a"] or "+" in e["a"] or "+" in k["a"]
        if pe and pk:
            common = pe & pk
            if not common or (not agents_agree and len(common) < 2):
                return False
        elif pe or pk:  # one names its people, the other does not: only the same visitor is the same visit
            if e["a"] != k["a"] or "+" in e["a"]:
                return False
        elif e["a"] != k["a"]:  # nobody named on either side: only the same direction
            return False
    else:
        if e["a"] != k["a"] or e.get("o") != k.get("o"):
            return False
        if pe and pk and "+" not in e["a"] and not pe & pk:
            return False
    kind = topic.kinds.get(e["k"])
    if (kind is None or kind.repeatable) and e_date is not None:
        window = topic.repeat_after_days * 86400
        kd = _date(k.get("d"))
        if kd is not None and abs((e_date - kd).total_seconds()) > window:
            return False
        # a seed's event happened by the time the user read the seeds; reported done well after that, it is another
        # occurrence (a new visit), reported before or around then, the same one (a plan stays a known plan)
        if kd is None and e["m"] == "done" and topic.known_as_of is not None \
                and str(k.get("src", "")).startswith("seed:") and (e_date - topic.known_as_of).total_seconds() > window \
                and not (e.get("y") and e["y"] <= topic.known_as_of.year):  # dated by its sentence: the old one
            return False
    return True


def _matches(state: DeciderState, e: dict, e_date: datetime | None) -> list[dict]:
    """Known events that make `e` known: a done event is known only from a done report; a plan from either."""
    out = []
    for k in state.candidates(e):
        if e["m"] == "done" and k["m"] != "done":
            continue
        if _same(state.topic, e, k, e_date):
            out.append(k)
    return out


def _priority(topic: Topic, e: dict) -> int:
    k = topic.kinds.get(e["k"])
    return k.priority if k else 0


def _dev_id(e: dict, url: str) -> str:
    raw = f"{e['k']}|{e['m']}|{e['a']}|{e.get('o')}|{url}"
    return "dev-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _headline(topic: Topic, e: dict, when: datetime | None) -> str:
    names = topic.actors
    codes = list(names)
    both = " and ".join(names[c] for c in codes)
    agent = e["a"]
    single = names.get(agent)
    other = next((names[c] for c in codes if c != agent), "") if single else ""
    obj = OBJECT_LABELS.get(e.get("o"), e.get("o") or "cooperation")
    k = e["k"]
    if k == "in_force":
        text = f"{obj[0].upper() + obj[1:]} between {both} enters into force"
    elif k == "ratify":
        text = f"{single or both} ratifies {obj if e.get('o') == 'partnership' else 'the agreement'} with {other}" \
            if single else f"{both} ratify {obj}"
    elif k == "agreement":
        text = f"{both} sign an agreement on {obj}" if e.get("o") != "partnership" else f"{both} sign {obj}"
    elif k == "launch":
        text = f"{single} carries out a space launch with {other}" if single else f"{both}: joint space launch"
    elif k == "exercise":
        text = f"{both} hold a joint military exercise"
    elif k == "transfer":
        text = f"{single} transfers {obj} to {other}" if single else f"{both} exchange {obj}"
    elif k == "visit":
        text = f"Official visit: {single} to {other}" if single else f"{both} hold high-level talks"
    else:
        text = f"New development in {both} cooperation ({obj if e.get('o') else 'kind not listed in the topic'})"
    if e["m"] == "planned":
        text = "Announced: " + text
    if when is not None:
        text += f" ({when.date().isoformat()})"
    return text


# --------------------------------------------------------------------------------------------------- decide
def decide(article: ExtractedArticle, state: DeciderState) -> Outcome:
    """Pure: a function of (article, state); never mutates the state."""
    topic = state.topic
    url = article.url
    ident = article.canonical_url or url  # one article, however its URL was decorated
    stored = state.articles.get(ident)
    if stored is not None:  # a redelivery: the same decision, no second alert
        decision = Decision.model_validate(stored["decision"])
        if decision.url != url:
            decision = decision.model_copy(update={"url": url})
        return Outcome(decision, None, [])
    published = _date(article.published)
    lang = article.language or detect_language(f"{article.title}\n{article.text}")  # the lexicon is chosen by language
    reading: Reading = read_article(topic, article.title, article.text, lang)
    _sig: list = []  # the story-index signature, computed only when needed (it costs more than the rest)

    def finish(status: str, on_topic: bool, *, dev: str | None = None, alert: Alert | None = None,
               matched: list[str] | None = None, reason: str = "", events: list[dict] | None = None) -> Outcome:
        decision = Decision(url=url, language=lang, on_topic=on_topic, status=status,  # type: ignore[arg-type]
                            development_id=dev, alert=status == "new_development", matched=matched or [],
                            reason=reason)
        data = {"url": ident, "decision": decision.model_dump(mode="json"), "dev": dev,
                "published": published.isoformat() if published else None,
                "events": [_slim(e) for e in (events or [])], "sig": _sig[0] if _sig else None}
        records = [StateRecord(key=f"article:{ident}", kind="article", data=data)]
        if alert is not None:
            records.append(StateRecord(key=f"development:{alert.alert_id}", kind="development",
                                       data={"alert": alert.model_dump(mode="json")}))
        return Outcome(decision, alert, records)

    if not reading.on_topic:
        return finish("off_topic", False, reason="not about cooperation between the topic's actors")

    def signature() -> dict:
        if not _sig:
            _sig.append(_signature(article))
        return _sig[0]

    events = reading.events
    strong = [e for e in events if e["s"]]
    source = Source(url=url, title=article.title, language=lang, published=article.published)

    def evidence(e: dict) -> str:
        """The body sentence that shows the development (the title only when the body has none)."""
        same = [x for x in events if x["k"] == e["k"] and x["a"] == e["a"] and x["m"] == e["m"]]
        body = [x for x in same if not (article.title and x["i"] == 0)]
        return (body or same or [e])[0].get("ev", "")

    def raise_development(e: dict, reason: str) -> Outcome:
        dev = _dev_id(e, url)
        kind = topic.kinds.get(e["k"])
        alert = Alert(alert_id=dev, revision=0, headline=_headline(topic, e, published),
                      kind=kind.name if kind else e["k"],
                      actors=[topic.actors[c] for c in sorted(topic.actors, key=lambda c: c not in e["a"].split("+"))],
                      event_date=published, evidence=evidence(e), evidence_language=lang, first_source=source,
                      created_at=published or datetime(1970, 1, 1, tzinfo=timezone.utc))
        return finish("new_development", True, dev=dev, alert=alert, reason=reason, events=strong)

    def corroboration(dev: str, matched: list[str], reason: str) -> Outcome:
        prev = Alert.model_validate(state.developments[dev])
        alert = prev.model_copy(update={"revision": prev.revision + 1,
                                        "corroborations": [*prev.corroborations, source]})
        return finish("corroboration", True, dev=dev, alert=alert, matched=matched, reason=reason,
                      events=strong)

    def known(matched: list[str], reason: str) -> Outcome:
        return finish("known", True, matched=matched, reason=reason, events=strong)

    # 1. a copy of something already decided is decided the same way (looked up only when it matters: before
    #    raising an alert, and when no listed kind of development decides)
    _story: list = []

    def story() -> list:
        if not _story:
            _story.append(state.index.query(signature(), limit=5))
        return _story[0]

    def copy_of() -> Outcome | None:
        for m in story():
            if m.level == "copy":
                dev = state.doc_dev.get(m.doc_id)
                if dev and dev in state.developments:
                    return corroboration(dev, [m.doc_id], f"copy of {m.doc_id}")
                return known([m.doc_id], f"copy of {m.doc_id}")
        return None

    def new_development(e: dict, reason: str) -> Outcome:
        return copy_of() or raise_development(e, reason)  # a copy of something seen is never news

    # 2. the lead's first sentence that reports something done decides
    year = published.year if published else None
    for e in strong:
        e["bg"] = bool(year and e.get("y") and e["y"] < year)
    done_units = sorted({e["i"] for e in strong if e["m"] == "done"})
    first_known: list[str] = []
    judged_kinds: set[str] = set()  # a later sentence of the same kind refers back to it ("The visit ...")
    for n_unit, i_unit in enumerate(done_units):
        if n_unit and i_unit > 2:  # past the title and first sentences, a fact is background
            break
        unit = [e for e in strong if e["m"] == "done" and e["i"] == i_unit and e["k"] not in judged_kinds]
        if not unit:
            continue
        unit.sort(key=lambda e: -_priority(topic, e))
        judged = [(e, _matches(state, e, published)) for e in unit]
        top, top_known = judged[0]
        if not top_known and not top["bg"]:
            return new_development(top, f"new {top['k']} ({top['a']}), not reported before")
        devs = [k["dev"] for k in top_known if k.get("dev") in state.developments]
        if devs:
            dev = max(set(devs), key=devs.count)
            return corroboration(dev, sorted({k["src"] for k in top_known if k.get("dev") == dev})[:5],
                                 f"{top['k']} ({top['a']}) already alerted")
        judged_kinds.add(top["k"])
        # the unit's main fact is known (a lesser one beside it mostly describes it: "a contract for the supply of
        # drones"); a later sentence of the lead may still report something new
        first_known = first_known or [f"{top['k']} ({top['a']})"] + sorted({k["src"] for k in top_known})[:5]
    if first_known:
        return known(first_known[1:], f"{first_known[0]} already known")

    # 3. weak (actors only in the lead's context) done facts can join a development, never start one
    for e in sorted((e for e in events if e["m"] == "done"), key=lambda e: (e["i"], -_priority(topic, e))):
        ks = _matches(state, e, published)
        devs = [k["dev"] for k in ks if k.get("dev") in state.developments]
        if devs:
            return corroboration(max(set(devs), key=devs.count), sorted({k["src"] for k in ks})[:5],
                                 f"{e['k']} already alerted")

    # 4. only plans: an announcement nobody reported before is news, a known plan is not
    planned = sorted((e for e in strong if e["m"] == "planned"), key=lambda e: (e["i"], -_priority(topic, e)))
    if planned:
        for e in planned:
            if not _matches(state, e, published):
                return new_development(e, f"new announcement: {e['k']} ({e['a']})")
        return known([], "announced plans already known")

    # 5. general fallback: on topic, no listed kind in the lead; news when nothing known resembles it
    if not events and reading.cooperation_early:
        copied = copy_of()
        if copied is not None:
            return copied
        # the index's "same_story" is loose on short texts; only a close match makes a report known
        close = [m for m in story() if m.level in ("copy", "same_story") and m.score >= FALLBACK_SAME]
        for m in close:
            dev = state.doc_dev.get(m.doc_id)
            if dev and dev in state.developments:
                return corroboration(dev, [m.doc_id], f"same story as {m.doc_id}")
        if not close:
            coop_unit = reading.cooperation_early
            e = {"k": "development", "m": "done", "a": "+".join(topic.actors), "o": reading.object, "p": [],
                 "s": True, "ev": coop_unit, "i": 0}
            return raise_development(e, "on topic and unlike anything known")
        return known([m.doc_id for m in close][:5], "resembles known reports")
    return known([], "on topic, nothing new reported")
