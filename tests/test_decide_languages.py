"""Recaps of what the seeds already report, written in other languages and words: every one must stay quiet.

Each is decided on a fresh state (seeds only), so a pass means the seed facts themselves were recognised.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from consumers.decide import DeciderState, decide, load_topic
from schemas import ExtractedArticle

TOPIC_DIR = Path(__file__).resolve().parents[1] / "topics" / "russia-iran"

RECAPS = [
    ("it", "Lavrov: Russia e Iran firmeranno presto un trattato",
     "Russia e Iran firmeranno nel prossimo futuro un trattato di partenariato strategico globale che prevede anche una "
     "più stretta cooperazione nella difesa, ha detto il ministro degli Esteri russo Sergej Lavrov. Il presidente "
     "iraniano Masoud Pezeshkian potrebbe recarsi in Russia entro la fine dell'anno.", "2024-11-01"),
    ("fr", "La Russie et l'Iran signeront bientôt un traité de partenariat",
     "La Russie et l'Iran vont signer prochainement un traité de partenariat stratégique global, a déclaré le ministre "
     "russe des Affaires étrangères Sergueï Lavrov.", "2024-11-01"),
    ("tr", "Lavrov Tahran'da Reisi ile görüştü",
     "Rusya Dışişleri Bakanı Sergey Lavrov, Tahran'da İran Cumhurbaşkanı İbrahim Reisi ile görüştü. Rusya Dışişleri "
     "Bakanlığı, iki ülkenin ikili ilişkilerini güçlendirdiğini açıkladı.", "2023-10-23"),
    ("fa", "سفر شویگو به تهران",
     "سرگئی شویگو، وزیر دفاع روسیه، روز سه‌شنبه برای دیدار با همتای ایرانی خود محمدرضا آشتیانی وارد تهران شد. هدف این "
     "سفر تعمیق همکاری نظامی میان مسکو و تهران اعلام شده است.", "2023-09-19"),
    ("uk", "Путін і Пезешкіан зустрілися в Ашгабаті",
     "Президент Росії Володимир Путін уперше особисто зустрівся з президентом Ірану Масудом Пезешкіаном на полях "
     "міжнародного форуму в Ашгабаті.", "2024-10-11"),
    ("el", "Το Ιράν προμήθευσε τη Ρωσία με drones",
     "Σύμφωνα με δυτικές κυβερνήσεις, το Ιράν έχει προμηθεύσει τη Ρωσία με drones Shahed και βαλλιστικούς πυραύλους "
     "μικρού βεληνεκούς. Η Τεχεράνη το αρνείται.", "2024-10-20"),
    ("ro", "Putin și Pezeshkian s-au întâlnit la Așgabat",
     "Președintele rus Vladimir Putin s-a întâlnit vineri cu omologul său iranian Masoud Pezeshkian la Așgabat, în "
     "marja unui forum internațional.", "2024-10-11"),
    ("bg", "Шойгу пристигна в Техеран",
     "Руският министър на отбраната Сергей Шойгу пристигна във вторник в Техеран, където се срещна с иранския си "
     "колега Мохамед Реза Ащиани.", "2023-09-19"),
    ("nl", "Poetin ontmoet Pezeshkian in Asjchabad",
     "De Russische president Vladimir Poetin heeft vrijdag in Asjchabad voor het eerst de Iraanse president Masoud "
     "Pezeshkian ontmoet.", "2024-10-11"),
    ("es", "Rusia e Irán firmaron un contrato de drones",
     "Moscú y Teherán firmaron un contrato de 1.700 millones de dólares para el suministro de drones iraníes a Rusia "
     "tras la invasión de Ucrania en 2022.", "2024-10-12"),
    ("ar", "لافروف: روسيا وإيران ستوقعان قريبا معاهدة شاملة",
     "قال وزير الخارجية الروسي سيرغي لافروف إن روسيا وإيران ستوقعان في المستقبل القريب معاهدة للشراكة الاستراتيجية "
     "الشاملة تشمل تعزيز التعاون الدفاعي.", "2024-10-31"),
    ("pl", "Szojgu z wizytą w Teheranie",
     "Rosyjski minister obrony Siergiej Szojgu przybył we wtorek do Teheranu, gdzie spotkał się z irańskim "
     "odpowiednikiem. Wizyta ma pogłębić współpracę wojskową Moskwy i Teheranu.", "2023-09-19"),
    ("is", "Lavrov hitti Raisi í Teheran",
     "Sergei Lavrov, utanríkisráðherra Rússlands, hitti Ebrahim Raisi, forseta Írans, í Teheran í dag.", "2023-10-23"),
]


@pytest.fixture(scope="module")
def topic():
    return load_topic(TOPIC_DIR)


@pytest.mark.parametrize("lang,title,text,day", RECAPS, ids=[r[0] for r in RECAPS])
def test_recap_of_a_seed_is_known(topic, lang, title, text, day):
    url = f"https://recap.example/{lang}"
    article = ExtractedArticle(url=url, canonical_url=url, title=title, text=text, language=lang,
                               published=datetime.fromisoformat(day).replace(hour=9, tzinfo=timezone.utc))
    out = decide(article, DeciderState(topic))
    assert out.decision.on_topic, out.decision.reason
    assert out.decision.status == "known", out.decision.reason
    assert out.alert is None


def test_a_word_that_normalises_to_nothing_reads_as_nothing_instead_of_failing():
    """A capitalised word made of an apostrophe-like letter only ("Ꞌ", "ʼ") is empty once normalised; simplemma
    refuses an empty string, and the page must not be lost for it."""
    from consumers.languages.text import lemma_of, tokenize

    for lang in ("en", "de", "uk", "tr"):
        assert lemma_of("ʼ", lang) == ""
        assert [t.text for t in tokenize("Sie sagten ʼ heute", lang)][:2] == ["Sie", "sagten"]
