"""topic.toml as `topic init` writes it: readable, with a comment on each derived item saying where it came from."""
from __future__ import annotations

import json
from datetime import date

from consumers.topics.model import Topic


def _q(text: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these)."""
    return json.dumps(text, ensure_ascii=False)


def _list(values) -> str:
    return "[" + ", ".join(_q(str(v)) for v in values) + "]"


def _seeds(files) -> str:
    files = sorted(files)
    return ", ".join(files) if len(files) <= 6 else f"{', '.join(files[:6])} and {len(files) - 6} more"


def render_topic(topic: Topic, seeds, found) -> str:
    from consumers.topics.init import party_names

    lines: list[str] = []
    add = lines.append
    files = [s.file for s in seeds]
    newest = max((s for s in seeds if s.published), key=lambda s: s.published, default=None)
    add(f"# newsmon topic, written by `newsmon topic init` from {len(seeds)} seed articles ({_seeds(files)}).")
    add("# Every item below was derived from the seeds; its comment says which seeds it came from. You may edit this")
    add("# file: the decider reads it as it stands. What is general (languages, the kinds of development and their")
    add("# words) ships with newsmon and is not repeated here.")
    add("")
    add("[topic]")
    add(f"id = {_q(topic.id)}")
    add(f"name = {_q(topic.name)}  # the parties below")
    add(f'description = """\n{topic.description}\n"""')
    if topic.known_as_of:
        src = f"the newest seed, {newest.file}" if newest else "the seeds"
        add(f"known_as_of = {topic.known_as_of.date().isoformat()}  # {src}: what the seeds report is known as of then")
    add(f"languages = {_list(topic.languages)}")
    add("lead_sentences = 4  # the lead: the title and this many sentences")
    add("repeat_after_days = 21  # another visit, drill or round of talks this long after a known one is a new one")
    add("")
    add("# The parties: the states the seeds are about (named in most of them, and most often). A development is on")
    add("# topic when they take part in it together, whoever else does.")
    by_code = {f.code: f for f in found}
    for party in topic.parties:
        f = by_code.get(party.id)
        add("[[parties]]")
        add(f"id = {_q(party.id)}")
        add(f"label = {_q(party.label)}")
        note = f"  # named {f.mentions:g} times in {_seeds(f.seeds)} (a capital counts half)" if f else ""
        add(f"territory = {_q(party.territory or party.id)}{note}")
        add("# Its name (and nationality adjective) in each language, from CLDR. Add a name here if the story uses")
        add("# one CLDR lacks; capitals, inflected forms and other scripts come from the general table.")
        add("[parties.names]")
        for lang, names in party_names(party.territory or party.id).items():
            add(f"{lang} = {_list(names)}")
        add("")
    if topic.people:
        add("# People the seeds name beside a state (\"Armenian Prime Minister ...\"): a mention of them is a mention of it.")
        for person in sorted(topic.people, key=lambda p: (p.party, p.name)):
            add("[[people]]")
            add(f"name = {_q(person.name)}")
            add(f"party = {_q(person.party)}")
            seen = person.seen_in
            add(f"forms = {_list(person.forms)}" + (f"  # {_seeds(seen)}" if seen else ""))
            add("")
    add("# Search queries per language for the producers (the parties' names as each language writes them).")
    add("[queries]")
    for lang, queries in topic.queries.items():
        add(f"{lang} = {_list(queries)}")
    add("")
    add("# What the seeds report: known as of known_as_of. A report of one of these is not news; a plan among them")
    add("# that comes true is.")
    for fact in topic.known:
        add("[[known]]")
        add(f"kind = {_q(fact.kind)}")
        add(f"modality = {_q(fact.modality)}")
        add(f"parties = {_list(fact.parties)}")
        if fact.agent:
            add(f"agent = {_q(fact.agent)}")
        if fact.object:
            add(f"object = {_q(fact.object)}")
        if fact.date:
            how = "the sentence dates it" if fact.date_from_text else "the seed's date"
            add(f"date = {fact.date.isoformat()}  # {how}")
            add(f"date_precision = {_q(fact.date_precision or 'day')}")
            add(f"date_from_text = {'true' if fact.date_from_text else 'false'}")
        if fact.people:
            add(f"people = {_list(fact.people)}")
        add(f"evidence = {_q(fact.evidence)}")
        add(f"source = {_q(fact.source)}")
        add("")
    return "\n".join(lines).rstrip() + "\n"


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""
