"""The decider's thin Kafka loop: extracted articles (and feedback) → decisions, alerts and each topic's changelog.

A deployment follows several topics (newsmon.registry), and the decide stage scales out along them:

- Every decide instance reads every partition of the articles and the feedback: its group's assignor
  (TopicSharingAssignor) gives all of them to every member, and shares out the *topics* instead, round-robin over
  the members in a stable order, so each topic is active in exactly one instance per group generation.
- A topic's state lives on the compacted changelog `state.decider`, keys "<topic>|<kind>:<id>", all of one topic
  on one partition (newsmon.stream.partition_of), with the topic's progress: per input partition, the offset up to
  which the topic has decided. The group commits no offsets: an instance that takes a topic over reads the topic's
  changelog partition, rebuilds its state, and goes on from the topic's own progress, skipping what it decided.
- The progress is written after the batch's outputs are flushed (quix-streams' order), so a kill between the two
  only replays articles the state already holds: they are decided the same way again and alert nothing twice.
- A topic added or removed while running (`newsmon topic add/remove`) makes every instance rejoin the group, and
  the assignor shares the new set out.

What does not depend on the topic (the language, the lead's reading, the story-index signature) is computed once
per article, in the extract stage or here before the topics' loop (`prepared`).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Iterable

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.coordinator.assignors.abstract import (
    AbstractPartitionAssignor,
    ConsumerProtocolAssignment,
    ConsumerProtocolSubscription,
)

from consumers.decide import DeciderState, decide, load_topic
from consumers.topics.model import Topic
from consumers.decide.feedback import apply_feedback
from consumers.decide.reading import CARRIED_SENTENCES, analyses_from
from consumers.language import detect_language
from consumers.matching import StoryIndex
from newsmon.registry import Followed, TopicRegistry
from newsmon.settings import Settings
from newsmon.stream import Output, StopFlag, Transient, create_topics, make_producer, partition_of, run_loop
from schemas import ExtractedArticle, Feedback, StateRecord, Topics, decode

log = logging.getLogger(__name__)
PROGRESS = "progress"


# --------------------------------------------------------------------------------------------------- one topic
@dataclass
class TopicState:
    """One followed topic in the decider: its state and how far it has decided each input partition."""

    id: str
    state: DeciderState
    progress: dict[str, int] = field(default_factory=dict)  # "<input topic>:<partition>" → next offset to decide
    written: dict[str, int] = field(default_factory=dict)  # the progress last written to the changelog

    def done(self, topic: str, partition: int, offset: int) -> bool:
        return offset < self.progress.get(f"{topic}:{partition}", 0)


def changelog_partitions(consumer: KafkaConsumer, settings: Settings) -> int:
    return len(consumer.partitions_for_topic(settings.topic(Topics.DECIDER_STATE)) or {0})


def restore_topic(settings: Settings, followed: Followed, consumer: KafkaConsumer | None = None,
                  topic_model: Topic | None = None) -> TopicState:
    """A topic's state from its seeds and its changelog records (one partition of the changelog, read to its end).

    The records are applied without pydantic's validation: the decider wrote them itself, and validating every
    one is 40% of a rebuild (100,000 articles must hand over well within 30 s)."""
    own = consumer is None
    # No CRC check of each batch here: kafka-python computes CRC-32C in Python, which is more than half of a
    # rebuild's time; the broker checked every batch when it was appended, and the decider wrote them itself.
    consumer = consumer or KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                         enable_auto_commit=False, client_id="newsmon-decide-restore",
                                         check_crcs=False, max_partition_fetch_bytes=8 * 1024 * 1024,
                                         fetch_max_bytes=64 * 1024 * 1024)
    began = time.monotonic()
    topic = TopicState(followed.id, DeciderState(topic_model or load_topic(followed.folder)))
    name = settings.topic(Topics.DECIDER_STATE)
    tp = TopicPartition(name, partition_of(followed.id, changelog_partitions(consumer, settings)))
    prefix = f"{followed.id}|".encode("utf-8")
    count = 0
    try:
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        end = consumer.end_offsets([tp])[tp]
        latest: dict[bytes, bytes | None] = {}  # compaction may lag: the last record per key is the state
        while consumer.position(tp) < end:
            for records in consumer.poll(timeout_ms=500, max_records=5000).values():
                for r in records:
                    if r.key is not None and r.key.startswith(prefix):
                        latest.pop(r.key, None)
                        latest[r.key] = r.value  # re-inserted: the order is the order of the latest writes
        for value in latest.values():
            if value is None:
                continue
            record = StateRecord.model_construct(**json.loads(value))
            if record.kind == PROGRESS:
                topic.progress[record.data["input"]] = int(record.data["offset"])
            else:
                topic.state.apply(record)
                count += 1
    finally:
        if own:
            consumer.close()
    topic.written = dict(topic.progress)
    log.info("decide: %s restored from %d changelog records in %.1fs (%d articles, %d developments)", followed.id,
             count, time.monotonic() - began, len(topic.state.articles), len(topic.state.developments))
    return topic


# --------------------------------------------------------------------------------------------------- the pure steps
def prepared(article: ExtractedArticle) -> ExtractedArticle:
    """The article with what every topic needs computed once: its language and story-index signature."""
    lang = article.language or detect_language(f"{article.title}\n{article.text}")
    signature = article.signature or StoryIndex.signature(article.text, title=article.title, lang=lang,
                                                          published=article.published)
    if lang == article.language and signature is article.signature:
        return article
    return article.model_copy(update={"language": lang, "signature": signature})


def decide_outputs(settings: Settings, topics: Iterable[TopicState], article: ExtractedArticle,
                   partitions: int = 1) -> list[Output]:
    """The article decided against each topic: a decision per topic, an alert where one is due, the changelog.

    Every topic is decided before any state changes, so an error half-way leaves every state as it was and the
    retry decides the whole article again."""
    article = prepared(article)
    topics = list(topics)
    # the lead's general reading, decoded once: every topic reads a prefix of it (SentenceAnalysis objects keep
    # their own caches, which hold nothing of a topic)
    carried = analyses_from(article.reading, article.language, article.title, CARRIED_SENTENCES) \
        if len(topics) > 1 else None
    outcomes = [(t, decide(article, t.state, carried)) for t in topics]
    outputs: list[Output] = []
    for topic, outcome in outcomes:
        outputs.extend(_changelog(settings, topic, outcome.records, partitions))
        decision = outcome.decision.model_copy(update={"topic": topic.id})
        outputs.append(Output(settings.topic(Topics.DECISIONS), article.canonical_url, decision))
        if outcome.alert is not None:
            outputs.append(Output(settings.topic(Topics.ALERTS), outcome.alert.alert_id, outcome.alert))
        # most articles are off topic for most stories: those lines only at DEBUG, or ten stories make ten lines
        log.log(logging.DEBUG if decision.status == "off_topic" else logging.INFO, "decide: %s: %s %s %s", topic.id,
                decision.status, decision.development_id or "-", article.url)
    for topic, outcome in outcomes:
        for record in outcome.records:
            topic.state.apply(record)
    return outputs


def feedback_outputs(settings: Settings, topics: Iterable[TopicState], feedback: Feedback,
                     partitions: int = 1) -> list[Output]:
    """Feedback applied to the topic it names, or (naming none) to each topic it concerns."""
    outputs: list[Output] = []
    for topic in topics:
        if not _concerns(topic, feedback):
            continue
        outcome = apply_feedback(topic.state, feedback)
        outputs.extend(_changelog(settings, topic, outcome.records, partitions))
        if outcome.decision is not None:
            decision = outcome.decision.model_copy(update={"topic": topic.id})
            outputs.append(Output(settings.topic(Topics.DECISIONS), outcome.records[0].data["url"], decision))
        if outcome.alert is not None:
            outputs.append(Output(settings.topic(Topics.ALERTS), outcome.alert.alert_id, outcome.alert))
        for record in outcome.records:
            topic.state.apply(record)
        log.info("decide: %s: feedback %s: %s", topic.id, feedback.verdict, outcome.note)
    return outputs


def _concerns(topic: TopicState, feedback: Feedback) -> bool:
    if feedback.topic is not None:
        return feedback.topic == topic.id
    state = topic.state
    if feedback.target == "development":
        return feedback.development_id in state.developments or feedback.development_id in state.feedback.dismissed
    from newsmon.urls import canonical_url

    stored = state.articles.get(canonical_url(feedback.url or "")) or state.articles.get(feedback.url or "")
    # "this was new" raises a development only where the article was decided on topic
    return stored is not None and bool(stored["decision"].get("on_topic"))


def _changelog(settings: Settings, topic: TopicState, records: list[StateRecord], partitions: int) -> list[Output]:
    name = settings.topic(Topics.DECIDER_STATE)
    at = partition_of(topic.id, partitions)
    out = []
    for record in records:
        record = record.model_copy(update={"topic": topic.id})
        out.append(Output(name, record.log_key, record, partition=at))
    return out


def progress_record(topic_id: str, input_key: str, offset: int) -> StateRecord:
    return StateRecord(key=f"{PROGRESS}:{input_key}", kind=PROGRESS, data={"input": input_key, "offset": offset},
                       topic=topic_id)


# --------------------------------------------------------------------------------------------------- the group
class TopicSharingAssignor(AbstractPartitionAssignor):
    """Every partition to every member; the topics shared out between the members.

    Each member's subscription carries the topic ids it follows; the leader takes their union (a member that has
    not yet read a `topic add` learns the topic from the others), orders the members by their static id (else
    member id) and gives topic i of the sorted ids to member i mod n. The answer travels in the assignment's
    user data: the topic ids this member decides."""

    name = "newsmon-topics"
    version = 0

    def __init__(self, known_topics):
        self.known_topics = known_topics  # () → the topic ids this member follows
        self.owned: list[str] = []
        self.generation = -1

    def metadata(self, topics):
        data = json.dumps({"topics": sorted(self.known_topics())}).encode("utf-8")
        return ConsumerProtocolSubscription(self.version, list(topics), data)

    def assign(self, cluster, members):
        ordered = sorted(members, key=lambda m: (getattr(m, "group_instance_id", None) or m.member_id))
        topics: set[str] = set()
        subscribed: set[str] = set()
        for m in ordered:
            subscribed.update(m.metadata.topics)
            try:
                topics.update(json.loads(m.metadata.user_data or b"{}").get("topics", []))
            except (ValueError, AttributeError):
                log.warning("decide: a member's subscription carries no topic list")
        partitions = [(t, sorted(cluster.partitions_for_topic(t) or ())) for t in sorted(subscribed)]
        shares: dict[str, list[str]] = {m.member_id: [] for m in ordered}
        for i, topic in enumerate(sorted(topics)):
            shares[ordered[i % len(ordered)].member_id].append(topic)
        return {m.member_id: ConsumerProtocolAssignment(
            self.version, partitions, json.dumps({"owned": shares[m.member_id]}).encode("utf-8")) for m in ordered}

    def on_assignment(self, assignment, generation):
        try:
            self.owned = list(json.loads(assignment.user_data or b"{}").get("owned", []))
        except ValueError:
            self.owned = []
        self.generation = generation


class TopicDecider(ConsumerRebalanceListener):
    """The topics this instance decides, their states, and the loop's hooks (handler, tick, commit).

    Rebuilding happens in the stage's own thread (tick), never in the rebalance callback: kafka-python runs that
    callback on its network thread, where a long rebuild would hold back the heartbeats. Until the owned topics
    are rebuilt and the input positions set from their progress, the input partitions are paused."""

    takes_record = True

    def __init__(self, settings: Settings, registry: TopicRegistry, producer):
        self.settings = settings
        self.registry = registry
        self.producer = producer
        self.assignor = TopicSharingAssignor(registry.ids)
        self.topics: dict[str, TopicState] = {}
        self.pending = False  # an assignment waits for its rebuild and seek
        self.consumer: KafkaConsumer | None = None
        self.partitions = 1
        self._kept_generation = -1

    # ---------------------------------------------------------------------------------- rebalance (network thread)
    def bind(self, consumer: KafkaConsumer) -> None:
        self.consumer = consumer

    def on_partitions_revoked(self, revoked) -> None:
        pass  # the states are kept until the next assignment says which topics stay here

    def on_partitions_assigned(self, assigned) -> None:
        self.pending = True
        if self.consumer is not None and assigned:
            self.consumer.pause(*assigned)  # no record until the owned topics are rebuilt and positioned
        log.info("decide: generation %d: deciding %s", self.assignor.generation,
                 ", ".join(self.assignor.owned) or "no topic (the other instances have them all)")

    # ---------------------------------------------------------------------------------- the loop's thread
    def tick(self) -> None:
        if self.registry.poll() and self.consumer is not None:
            log.info("decide: the followed topics changed (%s); rejoining the group", ", ".join(self.registry.ids()))
            self.consumer._coordinator.request_rejoin()  # the assignor shares the new set out
        if self.pending and self.consumer is not None:
            try:
                self._take_assignment()
            except Exception as exc:  # noqa: BLE001 - Kafka's problem, not a record's: try again next turn
                log.warning("decide: the owned topics could not be rebuilt yet: %s", exc)

    def _take_assignment(self) -> None:
        consumer, owned = self.consumer, list(self.assignor.owned)
        generation = self.assignor.generation
        # States survive a rebalance only from the generation right before: in between, nobody else decided them.
        keep = generation == self._kept_generation + 1
        self._kept_generation = generation
        self.partitions = changelog_partitions(consumer, self.settings)
        followed = {f.id: f for f in self.registry.followed()}
        if any(t not in followed for t in owned):
            self.registry.poll()
            followed = {f.id: f for f in self.registry.followed()}
        states: dict[str, TopicState] = {}
        for tid in owned:
            if tid not in followed:
                log.warning("decide: %s was assigned here but this instance does not know its folder", tid)
                continue
            if keep and tid in self.topics:
                states[tid] = self.topics[tid]
                continue
            try:
                model = load_topic(followed[tid].folder)
            except Exception as exc:  # noqa: BLE001 - one broken folder must not stop the other topics
                log.error("decide: %s is not decided: its folder %s cannot be read (%s: %s); fix it and add it again",
                          tid, followed[tid].folder, type(exc).__name__, exc)
                continue
            # Kafka's failures propagate: the assignment is taken again at the next turn
            states[tid] = restore_topic(self.settings, followed[tid], topic_model=model)
        self.topics = states
        assigned = consumer.assignment()
        for tp in assigned:
            key = f"{tp.topic}:{tp.partition}"
            # from the least advanced owned topic on; the others skip what they already decided
            start = min((t.progress.get(key, 0) for t in states.values()), default=None)
            if start is None:
                continue  # no topic here: the partitions stay paused
            consumer.seek(tp, start)
        if states:
            consumer.resume(*assigned)
        self.pending = False

    def __call__(self, record) -> list[Output]:
        if self.pending:  # an assignment came during this batch: the topics here change before this record
            try:
                self._take_assignment()
            except Exception as exc:  # noqa: BLE001 - Kafka's problem, not the record's: wait, never dead-letter
                raise Transient(f"the topics assigned here could not be rebuilt yet: {exc}") from exc
        key = f"{record.topic}:{record.partition}"
        due = [t for t in self.topics.values() if not t.done(record.topic, record.partition, record.offset)]
        if not due:
            return []
        if record.topic == self.settings.topic(Topics.FEEDBACK):
            outputs = feedback_outputs(self.settings, due, decode(Feedback, record.value), self.partitions)
        else:
            outputs = decide_outputs(self.settings, due, decode(ExtractedArticle, record.value), self.partitions)
        for topic in due:
            topic.progress[key] = record.offset + 1
        return outputs

    def commit(self, offsets: dict) -> None:
        """Each owned topic's progress, after the batch's outputs are flushed (run_loop flushed them)."""
        producer = self.producer
        name = self.settings.topic(Topics.DECIDER_STATE)
        for topic in self.topics.values():
            for key, offset in topic.progress.items():
                if topic.written.get(key) == offset:
                    continue
                record = progress_record(topic.id, key, offset)
                producer.send(name, key=record.log_key, value=record.model_dump_json().encode("utf-8"),
                              partition=partition_of(topic.id, self.partitions))
                topic.written[key] = offset
        producer.flush()
        self._commit_low_water()

    def _commit_low_water(self) -> None:
        """The group's committed offsets, for the lag the page, status and metrics show: per input partition, the
        least progress of the topics here. Nothing reads them back (an instance starts from its topics' progress),
        and with several instances the last one to commit is shown, which is close enough for a lag."""
        if self.consumer is None or not self.topics:
            return
        low: dict[TopicPartition, OffsetAndMetadata] = {}
        for tp in self.consumer.assignment():
            key = f"{tp.topic}:{tp.partition}"
            offsets = [t.progress.get(key, 0) for t in self.topics.values()]
            if offsets and min(offsets) > 0:
                low[tp] = OffsetAndMetadata(min(offsets), "", -1)
        if not low:
            return
        try:
            self.consumer.commit(low)
        except Exception as exc:  # noqa: BLE001 - a display figure: a refused commit (a rebalance) changes nothing
            log.debug("decide: low-water offsets not committed: %s", exc)


def run_decider(settings: Settings, stop: StopFlag, on_start=None) -> None:
    """`on_start`: given the TopicDecider before the loop starts (tests look at the topics it holds)."""
    create_topics(settings)
    registry = TopicRegistry(settings)
    if not registry.ids():
        log.warning("decide: no topic followed (no folder with a topic.toml under %s; newsmon topic add DIR)",
                    settings.topics_dir)
    producer = make_producer(settings)
    decider = TopicDecider(settings, registry, producer)
    if on_start is not None:
        on_start(decider)
    inputs = settings.topic(Topics.EXTRACTED)
    try:
        run_loop(settings, stage="decide", topic=inputs, handler=decider, producer=producer, stop=stop,
                 listener=decider, more={settings.topic(Topics.FEEDBACK): decider}, tick=decider.tick,
                 assignor=decider.assignor, commit=decider.commit, on_consumer=decider.bind,
                 started=f"topics: {', '.join(registry.ids()) or 'none'}")
    finally:
        registry.close()
