"""`topic init` finds the people the seeds name beside a state, and not the words that only look like names."""
from __future__ import annotations

from consumers.decide.reading import analyse_sentence
from consumers.topics.init import Seed, find_people


def _seed(name: str, lang: str, sentences: list[str]) -> Seed:
    seed = Seed(name, sentences[0], " ".join(sentences[1:]), "", lang, None)
    seed.analyses = [analyse_sentence(s, lang) for s in sentences]
    return seed


SEEDS = [
    _seed("ro.txt", "ro", [
        "Şoigu a sosit la Teheran",
        "Ministrul rus al Apărării, Serghei Şoigu, a zburat marţi la Teheran.",
        "Ministrul rus al Apărării, Serghei Şoigu, s-a întâlnit cu omologul său Mohammad Reza Ashtiani.",
        "Ministrul iranian al Apărării, Mohammad Reza Ashtiani, a vorbit despre cooperare.",
    ]),
    _seed("de.txt", "de", [
        "Schoigu besucht Teheran",
        "Am Freitag traf der russische Verteidigungsminister Sergej Schoigu in Teheran ein.",
        "Am Freitag sprach der iranische Verteidigungsminister Mohammad Reza Ashtiani mit Schoigu.",
        "Die Kennzeichen der russischen Flugzeuge waren am Freitag zu sehen.",
        "Die Kennzeichen der russischen Delegation fielen am Freitag auf.",
    ]),
]


def test_people_are_found_beside_their_state_across_languages():
    people = {p.name: p.party for p in find_people(SEEDS, ["RU", "IR"])}
    assert people.get("Serghei Şoigu") == "RU" or people.get("Sergej Schoigu") == "RU", people
    assert "Mohammad Reza Ashtiani" in people and people["Mohammad Reza Ashtiani"] == "IR", people


def test_titles_weekdays_and_nouns_are_not_people():
    names = " ".join(p.name for p in find_people(SEEDS, ["RU", "IR"]))
    for word in ("Apărării", "Freitag", "Kennzeichen", "Verteidigungsminister"):
        assert word not in names, names
