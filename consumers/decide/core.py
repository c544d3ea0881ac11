"""The decider: off topic, known, announced, new or a corroboration; one alert per development.

`decide(article, state)` is pure and reads in three steps: read the lead (`reading.read_lead`), find what is known
of each event it reports (`knowledge.matches`), choose the outcome (`_choose`). The caller applies
`outcome.records` to the state and appends them to the compacted changelog keyed by `StateRecord.key`;
`DeciderState(topic)` plus `apply` of every stored record rebuilds exactly the state that made the decisions.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from consumers import catalogue
from consumers.catalogue import OTHER_KIND
from consumers.decide import feedback  # people's feedback (dismissed / raised developments)
from consumers.decide.event import DONE, NOT_FACTS, ONGOING, Event
from consumers.decide.headline import headline
from consumers.decide.knowledge import Knowledge, Known, announced_for, fact_event, matches
from consumers.decide.reading import Reading, analyses_from, read_lead
from consumers.language import detect_language
from consumers.matching import StoryIndex
from consumers.topics.model import Topic
from schemas import Alert, Decision, ExtractedArticle, Source, StateRecord

LEAD_NEWS_UNITS = 3  # the title and the first sentences tell the news; later sentences are context
SAME_OCCASION_DAYS = 1  # two measures reported this close together by one party are one act
FALLBACK_SAME = 0.6  # story-index score above which an article of an unlisted kind repeats what it resembles


# --------------------------------------------------------------------------------------------------- state
class DeciderState:
    """Everything the decider knows: the seeds' facts, every decided article and its events, every development."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self.knowledge = Knowledge()
        self.articles: dict[str, dict[str, Any]] = {}  # canonical url → stored decision
        self.developments: dict[str, dict[str, Any]] = {}  # development id → latest alert (JSON)
        self.doc_dev: dict[str, str | None] = {}  # story-index doc id → development id
        self.index = StoryIndex()
        self.feedback = feedback.FeedbackState()  # what people's feedback changed
        for fact in topic.known:
            self.knowledge.add(Known(fact_event(fact), f"seed:{fact.source}", None, "seed"))
        for seed in _seed_articles(topic):
            self.index.add(seed.url, StoryIndex.signature(seed.text, title=seed.title, lang=seed.language))
            self.doc_dev[seed.url] = None

    def apply(self, record: StateRecord) -> None:
        """The only way the state changes; applying a record twice changes nothing the second time."""
        data = record.data
        if record.kind == "article":
            url = data["url"]
            if url in self.articles:
                return
            self.articles[url] = {"decision": data["decision"], "dev": data.get("dev")}
            status = data.get("known_status", "known")
            for raw in data.get("events", []):
                self.knowledge.add(Known(Event.from_record(raw), url, data.get("dev"), status))
            part_status = "part" if data.get("dev") else "known"
            for raw in data.get("parts", []):
                self.knowledge.add(Known(Event.from_record(raw), url, data.get("dev"), part_status))
            for raw in data.get("context", []):
                self.knowledge.add(Known(Event.from_record(raw), url, None, "known"))
            if data.get("sig") is not None:
                self.index.add(url, data["sig"])
            self.doc_dev[url] = data.get("dev")
        elif record.kind == "development":
            alert = data["alert"]
            cur = self.developments.get(alert["alert_id"])
            if cur is None or alert["revision"] >= cur["revision"]:
                self.developments[alert["alert_id"]] = alert
        elif record.kind == "feedback":
            feedback.apply_record(self, data)


def _seed_articles(topic: Topic) -> list[ExtractedArticle]:
    if topic.seeds_dir is None:
        return []
    from consumers.seeds import load_seeds

    return load_seeds(topic.seeds_dir)


# --------------------------------------------------------------------------------------------------- outcome
@dataclass(frozen=True)
class Outcome:
    decision: Decision
    alert: Alert | None
    records: list[StateRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """The outcome chosen for an article, before it is written down."""

    status: str  # a Decision status
    reason: str
    event: Event | None = None  # the event that decided
    development: str | None = None
    matched: tuple[str, ...] = ()
    announcement: Known | None = None  # the announcement a new development makes come true


def _published(article: ExtractedArticle) -> datetime | None:
    p = article.published
    if p is None:
        return None
    return p if p.tzinfo else p.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------------- decide
def decide(article: ExtractedArticle, state: DeciderState,
           carried: list | None = None) -> Outcome:
    """Pure: a function of (article, state); never mutates the state. `carried`: the article's carried lead
    analyses, decoded once for every topic (`carried_analyses`); read from the article when not given."""
    ident = article.canonical_url or article.url  # one article, however its URL was decorated
    stored = state.articles.get(ident)
    if stored is not None:  # a redelivery: the same decision, no second alert
        decision = Decision.model_validate(stored["decision"])
        return Outcome(decision.model_copy(update={"url": article.url}) if decision.url != article.url else decision,
                       None, [])
    lang = article.language or detect_language(f"{article.title}\n{article.text}")
    published = _published(article)
    day = published.date() if published else None
    if carried is None:
        carried = analyses_from(article.reading, lang, article.title, state.topic.lead_sentences)
    else:  # a topic's lead is a prefix of what the extract stage read
        carried = carried[:state.topic.lead_sentences + (1 if article.title else 0)]
    reading = read_lead(state.topic, article.title, article.text, lang, day, analyses=carried)
    context = _Context(article, state, lang, day)
    verdict = _choose(reading, context)
    verdict = feedback.quiet_if_dismissed(verdict, state)  # reports of a dismissed development stay quiet
    return _write(verdict, reading, context)


@dataclass
class _Context:
    """The article being decided, with what is costly computed once and only when needed."""

    article: ExtractedArticle
    state: DeciderState
    lang: str | None
    day: date | None
    _signature: dict | None = None
    _story: list | None = None

    @property
    def signature(self) -> dict:
        if self._signature is None:
            a = self.article
            self._signature = a.signature or StoryIndex.signature(a.text, title=a.title, lang=self.lang,
                                                                  published=a.published)
        return self._signature

    @property
    def story(self) -> list:
        if self._story is None:
            self._story = self.state.index.query(self.signature, limit=5)
        return self._story

    def copy_of(self, happened: bool = False) -> Verdict | None:
        """A copy of something already decided is decided the same way: never news. A near-copy of an announcement
        that reports the thing done is not a copy of it ("will sign" → "signed" changes two words)."""
        for m in self.story:
            if m.level == "copy":
                stored = self.state.articles.get(m.doc_id)
                if happened and stored and stored["decision"].get("status") == "announced":
                    continue
                dev = self.state.doc_dev.get(m.doc_id)
                if dev and dev in self.state.developments:
                    return Verdict("corroboration", f"a copy of {m.doc_id}", development=dev, matched=(m.doc_id,))
                return Verdict("known", f"a copy of {m.doc_id}", matched=(m.doc_id,))
        return None


def _choose(reading: Reading, ctx: _Context) -> Verdict:
    topic = ctx.state.topic
    if not reading.topical:
        return Verdict("off_topic", f"not about {' and '.join(topic.label(p) for p in topic.party_ids)} together")
    if _headline_elsewhere(reading):
        return Verdict("off_topic", "the lead's news is one party's dealing with a third state")
    # news is told in the title and the first sentences, of the parties by name; a sentence that names neither
    # further down is context ("the centre will coordinate responses to attacks")
    first = 1 if reading.has_title else 0
    current = [e for e in reading.on_topic_events if not e.background and (e.named or e.sentence <= first)]
    done = [e for e in current if e.happened and (e.sentence < LEAD_NEWS_UNITS or e.named)]
    plans = [e for e in current if e.planned]
    # the first sentence of the lead that tells something of the parties is the news (a done fact before a plan
    # within it): "the two military chiefs will talk on Monday", over a recap of the ceasefire below it
    told = [e for e in done + plans if e.sentence < LEAD_NEWS_UNITS]
    head = min((e.sentence for e in told), default=None)
    if head is not None and not any(e.happened for e in told if e.sentence == head) and \
            not any(e.sentence < LEAD_NEWS_UNITS and not matches(topic, ctx.state.knowledge, e) for e in done):
        # a plan heads the lead, and what the lead reports done is known (a recap of the ceasefire below "the
        # military chiefs will talk on Monday"); a new fact below a plan is the news ("an energy deal in Vienna:
        # the north will get its bills from ...")
        return _judge_plan([e for e in plans if e.sentence == head][0], done, ctx)
    if done:
        return _judge_done(done, ctx)
    if plans:
        return _judge_plan(plans[0], done, ctx)
    ongoing = [e for e in current if e.modality == ONGOING]
    context_only = [e for e in reading.on_topic_events if e.background] + ongoing
    for e in context_only:
        found = matches(topic, ctx.state.knowledge, e)
        dev = _alerted(found, ctx.state)
        if dev:
            return Verdict("corroboration", f"tells again of {e.kind} ({dev})", e, dev, _sources(found))
        if found:
            return Verdict("known", f"{e.kind} already known", e, matched=_sources(found))
    if context_only:
        return Verdict("known", "background or an ongoing process, nothing new happened", context_only[0])
    return _judge_unlisted(reading, ctx)


def _headline_elsewhere(reading: Reading) -> bool:
    """The title (or, without one, the first sentence) reports one party's dealing with a third state and nothing
    of the parties together, and the next sentence does not either: what the rest says of the parties is an
    aside ("Moscow had signed a similar treaty with Iran")."""
    head = [e for e in reading.events if e.sentence == 0]
    following = [e for e in reading.events if e.sentence == 1]
    if not head or any(e.on_topic for e in head) or any(e.on_topic for e in following):
        return False
    return any(len(e.parties) == 1 and e.others for e in head)


def _alerted(found: list[Known], state: DeciderState) -> str | None:
    for k in found:
        if k.development and k.development in state.developments:
            return k.development
    return None


def _sources(found: list[Known]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.source for k in found))[:5]


def _judge_done(done: list[Event], ctx: _Context) -> Verdict:
    """The lead's first reported fact decides: known, a report of an alerted development, the coming true of an
    announced one, or new."""
    topic, state = ctx.state.topic, ctx.state
    decisive = done[0]
    found = matches(topic, state.knowledge, decisive)
    dev = _alerted(found, state)
    if dev:
        return Verdict("corroboration", f"{decisive.kind} already alerted", decisive, dev, _sources(found))
    if found:
        # the lead's main fact is known; a later fact of the lead that an alerted development holds is a report of it
        for e in done[1:]:
            later = _alerted(matches(topic, state.knowledge, e), state)
            if later:
                return Verdict("corroboration", f"{e.kind} already alerted", e, later, _sources(found))
        return Verdict("known", f"{decisive.kind} already known", decisive, matched=_sources(found))
    copied = ctx.copy_of(happened=True)
    if copied is not None:
        return copied
    announcement = announced_for(topic, state.knowledge, decisive)
    if announcement is not None:
        return Verdict("new_development", f"{decisive.kind} happened as announced in {announcement.source}", decisive,
                       announcement.development, (announcement.source,), announcement)
    package = _same_occasion_development(decisive, done[1:], ctx) or _same_story_unlisted(ctx)
    if package is not None:
        return package
    return Verdict("new_development", f"new {decisive.kind}, not reported before", decisive,
                   _development_id(topic, decisive, ctx.article.canonical_url or ctx.article.url))


def _same_story_unlisted(ctx: _Context) -> Verdict | None:
    """A development of a kind the catalogue lacks was recognised by its story, not by an event: a report that tells
    the same story closely joins it, whichever was read first."""
    for m in ctx.story:
        if m.level not in ("copy", "same_story") or m.score < FALLBACK_SAME:
            continue
        dev = ctx.state.doc_dev.get(m.doc_id)
        alert = ctx.state.developments.get(dev) if dev else None
        if alert and alert.get("kind") == OTHER_KIND:
            return Verdict("corroboration", f"same story as {m.doc_id}, a development of an unlisted kind",
                           development=dev, matched=(m.doc_id,))
    return None


def _same_occasion_development(decisive: Event, others: list[Event], ctx: _Context) -> Verdict | None:
    """One act told by its other measures: the lead's news is new, but beside it, on the same days and by the same
    party, it tells a measure an alerted development already reported (India "freezes the treaty and closes the
    border"; the first report led with the treaty)."""
    for e in others:
        if e.sentence >= LEAD_NEWS_UNITS or e.agent != decisive.agent:
            continue
        for k in matches(ctx.state.topic, ctx.state.knowledge, e):
            if k.development in ctx.state.developments and k.event.date and decisive.date \
                    and abs((k.event.date - decisive.date).days) <= SAME_OCCASION_DAYS:
                return Verdict("corroboration", f"{e.kind} told with it already alerted", e, k.development,
                               (k.source,))
    return None


def _judge_plan(plan: Event, done: list[Event], ctx: _Context) -> Verdict:
    """A plan is not news until it happens; the first report of one opens an announced development that its coming
    true will alert. A known plan told beside a fact of an alerted development is a report of that development."""
    topic, state = ctx.state.topic, ctx.state
    found = matches(topic, state.knowledge, plan)
    pending = next((k for k in found if k.status == "announced" and k.development), None)
    if pending is not None:
        return Verdict("announced", f"{plan.kind} already announced", plan, pending.development, _sources(found))
    if found:
        for e in done:
            later = matches(topic, state.knowledge, e)
            dev = _alerted(later, state)
            if dev:
                return Verdict("corroboration", f"{e.kind} already alerted", e, dev, _sources(later))
        return Verdict("known", f"{plan.kind} ({plan.modality}) already known", plan, matched=_sources(found))
    copied = ctx.copy_of()
    if copied is not None:
        return copied
    return Verdict("announced", f"{plan.kind} announced ({plan.modality}), not yet happened", plan,
                   _development_id(topic, plan, ctx.article.canonical_url or ctx.article.url))


def _judge_unlisted(reading: Reading, ctx: _Context) -> Verdict:
    """On topic, but no kind of the catalogue in the lead: new when nothing known resembles it."""
    copied = ctx.copy_of()
    if copied is not None:
        return copied
    close = [m for m in ctx.story if m.level in ("copy", "same_story") and m.score >= FALLBACK_SAME]
    for m in close:
        dev = ctx.state.doc_dev.get(m.doc_id)
        if dev and dev in ctx.state.developments:
            return Verdict("corroboration", f"same story as {m.doc_id}", development=dev, matched=(m.doc_id,))
    if close:
        return Verdict("known", "resembles known reports", matched=tuple(m.doc_id for m in close))
    from consumers.decide.reading import analyse_sentence, other_kind_event

    parties = reading.lead_parties
    index = 0 if reading.has_title else 0
    unit = reading.units[index] if reading.units else ""
    event = other_kind_event(analyse_sentence(unit, ctx.lang), parties, index, reading.has_title,
                             ctx.day or date.today())
    return Verdict("new_development", "on topic and unlike anything known", event,
                   _development_id(ctx.state.topic, event, ctx.article.canonical_url or ctx.article.url))


def _development_id(topic: Topic, e: Event, url: str) -> str:
    raw = f"{topic.id}|{e.kind}|{'+'.join(e.parties)}|{e.agent}|{e.object}|{url}"
    return "dev-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------- write down
def _write(verdict: Verdict, reading: Reading, ctx: _Context) -> Outcome:
    article, state = ctx.article, ctx.state
    url = article.url
    ident = article.canonical_url or url
    alert = _alert(verdict, reading, ctx)
    decision = Decision(url=url, language=ctx.lang, on_topic=verdict.status != "off_topic",
                        status=verdict.status,  # type: ignore[arg-type]
                        development_id=verdict.development, alert=alert is not None and alert.revision == 0
                        and verdict.status == "new_development", matched=list(verdict.matched),
                        reason=verdict.reason, kind=verdict.event.kind if verdict.event else None,
                        modality=verdict.event.modality if verdict.event else None)
    events = [e for e in reading.on_topic_events if e.modality not in NOT_FACTS] if decision.on_topic else []
    if verdict.event is not None and verdict.event not in events and verdict.status != "off_topic":
        events.append(verdict.event)
    known_status = {"new_development": "alerted", "corroboration": "alerted", "announced": "announced"}.get(
        verdict.status, "known")
    # the reports of what decided belong to its development; what the lead tells beside it on the same occasion
    # is a part of it (the talks of a visit), joined only by reports of the same days; background joins nothing
    # ("the treaty signed in January" in a report of its ratification)
    kind = verdict.event.kind if verdict.event is not None else None
    news = [e for e in events if not e.background and e.kind == kind]
    parts = [e for e in events if not e.background and e.kind != kind]
    background = [e for e in events if e.background]
    needs_sig = decision.on_topic  # off-topic articles need not be found again
    data = {"url": ident, "decision": decision.model_dump(mode="json"), "dev": verdict.development,
            "known_status": known_status, "published": article.published.isoformat() if article.published else None,
            "events": [e.to_record() for e in news], "parts": [e.to_record() for e in parts],
            "context": [e.to_record() for e in background],
            "sig": ctx.signature if needs_sig else None}
    records = [StateRecord(key=f"article:{ident}", kind="article", data=data)]
    if alert is not None:
        records.append(StateRecord(key=f"development:{alert.alert_id}", kind="development",
                                   data={"alert": alert.model_dump(mode="json")}))
    return Outcome(decision, alert if decision.alert or verdict.status == "corroboration" else None, records)


def _source(ctx: _Context) -> Source:
    a = ctx.article
    return Source(url=a.url, title=a.title, language=ctx.lang, published=a.published)


def _dated(e: Event, reading: Reading) -> Event:
    """The event with the date its lead gives it: a title seldom dates what its first sentence does."""
    if e.date_from_text:
        return e
    for x in reading.events:
        if x.kind == e.kind and x.modality == e.modality and x.date_from_text and not x.background:
            return e.with_(date=x.date, date_precision=x.date_precision, date_from_text=True)
    return e


def _evidence(e: Event, reading: Reading) -> str:
    """The body sentence that shows the development (the title only when the body has none)."""
    same = [x for x in reading.events if x.kind == e.kind and x.modality == e.modality and not x.background]
    body = [x for x in same if not x.in_title]
    return (body or same or [e])[0].evidence


def _alert(verdict: Verdict, reading: Reading, ctx: _Context) -> Alert | None:
    state, topic = ctx.state, ctx.state.topic
    if verdict.status == "corroboration" and verdict.development in state.developments:
        prev = Alert.model_validate(state.developments[verdict.development])
        return prev.model_copy(update={"revision": prev.revision + 1,
                                       "corroborations": [*prev.corroborations, _source(ctx)]})
    if verdict.status != "new_development" or verdict.event is None or verdict.development is None:
        return None
    e = _dated(verdict.event, reading)
    published = _published(ctx.article)
    announced = None
    if verdict.announcement is not None:
        announced = Source(url=verdict.announcement.source, title="", language=None,
                           published=None)
    spec = catalogue.kind(e.kind)
    order = sorted(e.parties, key=lambda c: (c != e.agent, topic.party_ids.index(c) if c in topic.party_ids else 9))
    return Alert(alert_id=verdict.development, revision=0, headline=headline(topic, e), kind=spec.id,
                 kind_label=spec.label, modality=e.modality, actors=[topic.label(c) for c in order],
                 event_date=datetime(e.date.year, e.date.month, e.date.day, tzinfo=timezone.utc) if e.date else None,
                 date_from_text=e.date_from_text, evidence=_evidence(e, reading), evidence_language=ctx.lang,
                 first_source=_source(ctx), announced_by=announced, topic=topic.id,
                 created_at=published or datetime(1970, 1, 1, tzinfo=timezone.utc))
