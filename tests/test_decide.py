"""The decider: on topic or not, known or new, one alert per development, in any language.

The tests use the repo's Russia–Iran topic (topics/russia-iran, as `topic init` wrote it) and short hand-written
articles in languages the dev scenario does not use (pl, tr, el, fa, ar, uk, es, is, ro, bg).
"""
from __future__ import annotations

import json
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from consumers.decide import DeciderState, decide, load_topic
from schemas import ExtractedArticle, StateRecord
from tests.decide_util import run

ROOT = Path(__file__).resolve().parents[1]
TOPIC_DIR = ROOT / "topics" / "russia-iran"
LANGUAGES = ["en", "de", "nl", "fr", "es", "it", "pl", "ro", "bg", "ru", "uk", "tr", "el", "is", "fa", "ar"]


@pytest.fixture(scope="module")
def topic():
    return load_topic(TOPIC_DIR)


@pytest.fixture()
def state(topic):
    return DeciderState(topic)


def art(key: str, lang: str, title: str, text: str, day: str = "2025-01-17") -> ExtractedArticle:
    url = f"https://news.example/{key}"
    return ExtractedArticle(url=url, canonical_url=url, title=title, text=text, language=lang,
                            published=datetime.fromisoformat(day).replace(hour=12, tzinfo=timezone.utc))



# --------------------------------------------------------------------------------------------------- fixtures
PL_KNOWN = art("pl-lavrov-soon", "pl", "Ławrow: Rosja i Iran wkrótce podpiszą traktat",
               "Rosja i Iran w najbliższym czasie podpiszą traktat o kompleksowym partnerstwie strategicznym, "
               "powiedział minister spraw zagranicznych Rosji Siergiej Ławrow. Według niego dokument obejmie także "
               "współpracę obronną.", "2024-11-02")
ES_KNOWN = art("es-lavrov-soon", "es", "Rusia e Irán firmarán pronto un tratado de asociación estratégica",
               "El ministro de Exteriores ruso, Serguéi Lavrov, afirmó que Rusia e Irán firmarán en un futuro próximo "
               "un tratado de asociación estratégica integral que incluirá la cooperación en defensa.", "2024-11-02")
EL_KNOWN_VISIT = art("el-lavrov-tehran", "el", "Ρωσία και Ιράν ενισχύουν τους δεσμούς τους",
                     "Ο Ρώσος υπουργός Εξωτερικών Σεργκέι Λαβρόφ έγινε δεκτός από τον Ιρανό πρόεδρο Εμπραχίμ Ραΐσι "
                     "κατά τη διάρκεια επίσκεψης στην Τεχεράνη. Οι δύο πλευρές συζήτησαν την περαιτέρω ανάπτυξη της "
                     "ρωσο-ιρανικής συνεργασίας.", "2023-10-24")
FA_KNOWN_MEETING = art("fa-ashgabat", "fa", "دیدار پوتین و پزشکیان در عشق‌آباد",
                       "ولادیمیر پوتین، رئیس‌جمهور روسیه، و مسعود پزشکیان، رئیس‌جمهور ایران، در حاشیه یک مجمع "
                       "بین‌المللی در عشق‌آباد با یکدیگر دیدار کردند. دو رهبر درباره تحولات خاورمیانه گفتگو کردند.",
                       "2024-10-11")
TR_WILL_SIGN = art("tr-will-sign", "tr", "Rusya ve İran stratejik ortaklık antlaşmasını cuma günü imzalayacak",
                   "Rusya ve İran, kapsamlı stratejik ortaklık antlaşmasını cuma günü Moskova'da imzalayacak.",
                   "2025-01-13")
TR_SIGNED = art("tr-signed", "tr", "Putin ve Pezeşkiyan stratejik ortaklık antlaşmasını imzaladı",
                "Rusya Devlet Başkanı Vladimir Putin ve İran Cumhurbaşkanı Mesud Pezeşkiyan, Kremlin'de kapsamlı "
                "stratejik ortaklık antlaşmasını imzaladı. Antlaşma 20 yıl geçerli olacak.", "2025-01-17")
AR_SIGNED = art("ar-signed", "ar", "بوتين وبزشكيان يوقعان معاهدة الشراكة الاستراتيجية",
                "وقع الرئيس الروسي فلاديمير بوتين والرئيس الإيراني مسعود بزشكيان يوم الجمعة في الكرملين معاهدة "
                "الشراكة الاستراتيجية الشاملة بين روسيا وإيران. وقال بوتين إن المعاهدة تمثل اختراقا حقيقيا.",
                "2025-01-17")
EL_RU_RATIFIES = art("el-duma", "el", "Η ρωσική Δούμα επικύρωσε τη συνθήκη με το Ιράν",
                     "Η Κρατική Δούμα της Ρωσίας επικύρωσε την Τρίτη τη συνθήκη ολοκληρωμένης στρατηγικής εταιρικής "
                     "σχέσης με το Ιράν. Το κείμενο θα εξεταστεί τώρα από το Συμβούλιο της Ομοσπονδίας.", "2025-04-08")
FA_IR_RATIFIES = art("fa-majlis", "fa", "مجلس ایران معاهده مشارکت راهبردی با روسیه را تصویب کرد",
                     "نمایندگان مجلس شورای اسلامی ایران روز چهارشنبه معاهده مشارکت راهبردی جامع میان ایران و روسیه را "
                     "تصویب کردند. این معاهده اکنون باید به تایید شورای نگهبان برسد.", "2025-05-21")
UK_NORTH_KOREA = art("uk-nk", "uk", "Путін ратифікував договір з КНДР",
                     "Президент Росії Володимир Путін підписав закон про ратифікацію договору про всеосяжне "
                     "стратегічне партнерство з КНДР. Документ передбачає взаємну військову допомогу.", "2024-11-09")
ES_IRAN_US = art("es-iran-us", "es", "Irán y Estados Unidos celebran conversaciones en Mascate",
                 "Delegaciones de Irán y Estados Unidos mantuvieron este sábado en Mascate una ronda de "
                 "conversaciones indirectas sobre el programa nuclear iraní.", "2025-04-12")
EN_KYIV = art("en-kyiv", "en", "Russian drones attack Kyiv overnight",
              "Russia launched a wave of Iranian-designed Shahed drones at Kyiv overnight, officials said. Air "
              "defences shot down most of them.", "2025-01-20")
PL_EXERCISE = art("pl-exercise", "pl", "Rosja i Iran rozpoczęły wspólne ćwiczenia na Morzu Kaspijskim",
                  "Okręty marynarki wojennej Rosji i Iranu rozpoczęły w poniedziałek wspólne ćwiczenia morskie na "
                  "Morzu Kaspijskim, poinformowało rosyjskie ministerstwo obrony.", "2025-02-24")
IS_SATELLITE = art("is-satellite", "is", "Rússar skutu írönskum gervihnetti á loft",
                   "Rússnesk Sojús-eldflaug skaut írönskum gervihnetti á sporbraut frá Vostochny-geimferðastöðinni í "
                   "dag, samkvæmt írönskum fjölmiðlum.", "2025-02-25")
RO_NUCLEAR = art("ro-nuclear", "ro", "Rusia și Iranul au semnat un acord pentru construirea unei noi centrale nucleare",
                 "Rosatom și Organizația pentru Energie Atomică a Iranului au semnat la Moscova un acord pentru "
                 "construirea a patru reactoare nucleare în Iran, a anunțat compania rusă.", "2025-02-26")
NL_DELIVERY = art("nl-delivery", "nl", "Rusland levert Su-35 gevechtsvliegtuigen aan Iran",
                  "Rusland heeft de eerste Su-35 gevechtsvliegtuigen aan Iran geleverd, meldt het Iraanse "
                  "staatspersbureau.", "2025-02-27")
EN_UNLISTED = art("en-cyber", "en", "Russia and Iran open joint cyber security cooperation centre",
                  "Russia and Iran opened a joint centre for cooperation on cyber security in Tehran on Monday, the two "
                  "governments said. The centre will coordinate responses to attacks on critical infrastructure.",
                  "2025-03-03")
UK_IN_FORCE = art("uk-in-force", "uk", "Договір між Росією та Іраном набув чинності",
                  "Договір про всеосяжне стратегічне партнерство між Росією та Іраном набув чинності, повідомило МЗС "
                  "Росії.", "2025-10-02")
BG_IN_FORCE = art("bg-in-force", "bg", "Договорът между Русия и Иран влезе в сила",
                  "Договорът за всеобхватно стратегическо партньорство между Русия и Иран влезе в сила, съобщи "
                  "руското външно министерство.", "2025-10-02")


# --------------------------------------------------------------------------------------------------- topic
def test_the_default_topic_is_what_topic_init_writes(topic):
    """topics/russia-iran/topic.toml is regenerated by `newsmon topic init` from its seeds, unedited: no hand-written
    lexicon; the parties, people and known facts come from the seeds."""
    text = (TOPIC_DIR / "topic.toml").read_text(encoding="utf-8")
    assert text.startswith("# newsmon topic, written by `newsmon topic init`")
    cfg = tomllib.loads(text)
    assert "kinds" not in cfg and "actors" not in cfg and "modality" not in cfg
    assert {p["id"] for p in cfg["parties"]} == {"RU", "IR"}
    assert set(LANGUAGES) <= set(cfg["queries"])
    assert topic.known and topic.known_as_of.date().isoformat() == "2024-10-31"
    assert {p.party for p in topic.people} <= {"RU", "IR"} | {p["party"] for p in cfg.get("people", [])}


# --------------------------------------------------------------------------------------------------- known
@pytest.mark.parametrize("article", [PL_KNOWN, ES_KNOWN, EL_KNOWN_VISIT, FA_KNOWN_MEETING],
                         ids=lambda a: a.url.rsplit("/", 1)[-1])
def test_seed_repeats_in_other_languages_are_known(state, article):
    out = run(state, article)
    assert out.decision.on_topic
    assert out.decision.status == "known", out.decision.reason
    assert out.alert is None and not out.decision.alert


def test_will_sign_is_known_but_signed_is_new(state):
    planned = run(state, TR_WILL_SIGN)
    assert planned.decision.status in ("known", "announced") and planned.alert is None
    signed = run(state, TR_SIGNED)
    assert signed.decision.status == "new_development", signed.decision.reason
    assert signed.alert is not None and signed.alert.revision == 0
    assert "sign" in signed.alert.headline.lower()
    assert signed.alert.alert_id == signed.decision.development_id


def test_russia_ratifies_and_iran_ratifies_are_two_developments(state):
    run(state, TR_SIGNED)
    ru = run(state, EL_RU_RATIFIES)
    ir = run(state, FA_IR_RATIFIES)
    assert ru.decision.status == ir.decision.status == "new_development"
    assert ru.decision.development_id != ir.decision.development_id
    assert ru.alert.headline.startswith("Russia ratifies") and ir.alert.headline.startswith("Iran ratifies")
    assert ru.alert.kind == ir.alert.kind == "ratified"
    assert ru.alert.evidence_language == "el" and "Δούμα" in ru.alert.evidence


@pytest.mark.parametrize("article", [UK_NORTH_KOREA, ES_IRAN_US, EN_KYIV], ids=lambda a: a.url.rsplit("/", 1)[-1])
def test_look_alikes_are_off_topic(state, article):
    out = run(state, article)
    assert out.decision.status == "off_topic" and not out.decision.on_topic and out.alert is None


def test_corroboration_joins_the_development_without_a_new_alert(state):
    first = run(state, TR_SIGNED)
    later = run(state, AR_SIGNED)
    assert later.decision.status == "corroboration", later.decision.reason
    assert later.decision.development_id == first.decision.development_id
    assert not later.decision.alert
    assert later.alert is not None and later.alert.revision == 1
    assert later.alert.alert_id == first.alert.alert_id
    assert [(s.url, s.language) for s in later.alert.corroborations] == [(AR_SIGNED.url, "ar")]
    assert later.alert.first_source.url == TR_SIGNED.url
    third = run(state, art("ru-signed", "ru", "Путин и Пезешкиан подписали договор",
                           "Президент России Владимир Путин и президент Ирана Масуд Пезешкиан в пятницу подписали в "
                           "Кремле договор о всеобъемлющем стратегическом партнерстве."))
    assert third.decision.development_id == first.decision.development_id and third.alert.revision == 2
    assert len(third.alert.corroborations) == 2


def test_in_force_corroborated_across_languages(state):
    a = run(state, UK_IN_FORCE)
    b = run(state, BG_IN_FORCE)
    assert a.decision.status == "new_development" and b.decision.status == "corroboration"
    assert a.decision.development_id == b.decision.development_id


@pytest.mark.parametrize("article,kind", [(PL_EXERCISE, "joint_exercise"), (IS_SATELLITE, "launch"),
                                          (RO_NUCLEAR, "agreement_signed"), (NL_DELIVERY, "transfer")],
                         ids=["pl-exercise", "is-satellite", "ro-nuclear", "nl-delivery"])
def test_other_kinds_are_new_developments(state, article, kind):
    out = run(state, article)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.alert.kind == kind


def test_nuclear_deal_is_not_the_known_drone_contract(state):
    out = run(state, RO_NUCLEAR)
    assert out.decision.status == "new_development", out.decision.reason


def test_unlisted_kind_falls_back_to_a_general_new_development(state):
    out = run(state, EN_UNLISTED)
    assert out.decision.status == "new_development", out.decision.reason
    again = run(state, EN_UNLISTED.model_copy(update={"url": "https://mirror.example/en-cyber",
                                                      "canonical_url": "https://mirror.example/en-cyber"}))
    assert again.decision.status in ("corroboration", "known") and not again.decision.alert


# --------------------------------------------------------------------------------------------------- event sourcing
def test_redelivery_returns_the_stored_decision_and_no_alert(state):
    first = run(state, TR_SIGNED)
    again = decide(TR_SIGNED, state)
    assert again.decision == first.decision
    assert again.alert is None and again.records == []


def test_decide_is_pure(state):
    before = (len(state.articles), state.knowledge.count, dict(state.developments))
    out1 = decide(TR_SIGNED, state)
    out2 = decide(TR_SIGNED, state)
    assert (len(state.articles), state.knowledge.count, dict(state.developments)) == before
    assert out1.decision == out2.decision and out1.alert.alert_id == out2.alert.alert_id


def test_apply_is_idempotent(state):
    out = decide(TR_SIGNED, state)
    for r in out.records:
        state.apply(r)
    snapshot = (len(state.articles), state.knowledge.count, dict(state.developments))
    for r in out.records:
        state.apply(r)
    assert (len(state.articles), state.knowledge.count, dict(state.developments)) == snapshot


def test_state_rebuilt_from_records_decides_identically(topic):
    first_half = [PL_KNOWN, TR_WILL_SIGN, TR_SIGNED, UK_NORTH_KOREA, EL_RU_RATIFIES]
    second_half = [AR_SIGNED, FA_IR_RATIFIES, PL_EXERCISE, EN_UNLISTED, UK_IN_FORCE, BG_IN_FORCE]
    live = DeciderState(topic)
    log: list[StateRecord] = []
    for a in first_half:
        out = decide(a, live)
        log.extend(out.records)
        for r in out.records:
            live.apply(r)
    # a compacted changelog keeps the latest record per key; it travels as JSON
    latest = {r.key: r for r in log}
    restored = DeciderState(topic)
    for r in latest.values():
        restored.apply(StateRecord.model_validate_json(r.model_dump_json()))
        restored.apply(StateRecord.model_validate_json(r.model_dump_json()))  # a replayed record changes nothing
    for a in first_half:  # redeliveries after the restart: same decisions, no alerts
        assert decide(a, restored).decision == decide(a, live).decision
        assert decide(a, restored).alert is None
    for a in second_half:
        x, y = decide(a, live), decide(a, restored)
        assert x.decision == y.decision
        assert (x.alert and x.alert.model_dump(exclude={"created_at"})) == (y.alert and y.alert.model_dump(
            exclude={"created_at"}))
        for r in x.records:
            live.apply(r)
        for r in y.records:
            restored.apply(r)


def test_development_id_is_deterministic(topic):
    ids = []
    for _ in range(2):
        s = DeciderState(topic)
        run(s, TR_SIGNED)
        ids.append(run(s, EL_RU_RATIFIES).decision.development_id)
    assert ids[0] == ids[1] and ids[0].startswith("dev-")


def test_records_are_small(state):
    out = run(state, TR_SIGNED)
    for r in out.records:
        assert TR_SIGNED.text not in json.dumps(r.data, ensure_ascii=False)
        assert len(r.model_dump_json()) < 20_000


# --------------------------------------------------------------------------------------------------- more cases
def test_later_formal_steps_join_their_ratification(state):
    run(state, TR_SIGNED)
    ru = run(state, EL_RU_RATIFIES)
    law = run(state, art("en-putin-law", "en", "Putin signs law ratifying Iran treaty",
                         "President Vladimir Putin on Monday signed a law ratifying Russia's comprehensive strategic "
                         "partnership treaty with Iran, the Kremlin said.", "2025-04-21"))
    assert law.decision.status == "corroboration", law.decision.reason
    assert law.decision.development_id == ru.decision.development_id
    ir = run(state, FA_IR_RATIFIES)
    guardians = run(state, art("ar-guardians", "ar", "مجلس صيانة الدستور في إيران يصادق على المعاهدة مع روسيا",
                               "صادق مجلس صيانة الدستور في إيران على معاهدة الشراكة الاستراتيجية الشاملة مع روسيا، "
                               "بعد أن أقرها البرلمان الإيراني الشهر الماضي.", "2025-06-10"))
    assert guardians.decision.status == "corroboration", guardians.decision.reason
    assert guardians.decision.development_id == ir.decision.development_id


def test_background_year_is_not_news(state):
    out = run(state, art("en-khayyam", "en", "Iran and Russia: a look back at space ties",
                         "In August 2022 a Russian Soyuz rocket launched Iran's Khayyam satellite from Baikonur. "
                         "Since then the two countries have deepened their space cooperation.", "2025-03-01"))
    assert not out.decision.alert, out.decision.reason


def test_an_announcement_is_quiet_and_the_event_alerts(state):
    plan = run(state, art("ar-drills-plan", "ar", "روسيا وإيران ستجريان مناورات بحرية مشتركة الأسبوع المقبل",
                          "أعلنت وزارة الدفاع الروسية أن روسيا وإيران ستجريان مناورات بحرية مشتركة في بحر قزوين "
                          "الأسبوع المقبل.", "2025-03-10"))
    done = run(state, art("uk-drills", "uk", "Росія та Іран провели спільні військово-морські навчання",
                          "Військово-морські сили Росії та Ірану провели спільні навчання в Каспійському морі, "
                          "повідомило міністерство оборони Росії.", "2025-03-17"))
    assert plan.decision.status == "announced" and plan.alert is None and not plan.decision.alert
    assert done.decision.status == "new_development" and done.decision.alert, done.decision.reason
    again = run(state, art("tr-drills", "tr", "Rusya ve İran Hazar Denizi'nde ortak deniz tatbikatı düzenledi",
                           "Rusya ve İran donanmaları Hazar Denizi'nde ortak tatbikat düzenledi, Rusya Savunma "
                           "Bakanlığı açıkladı.", "2025-03-17"))
    assert again.decision.development_id == done.decision.development_id and not again.decision.alert


def test_a_new_visitor_is_news_and_a_known_visit_is_not(state):
    fr = run(state, art("fr-araghchi", "fr", "Le chef de la diplomatie iranienne Abbas Araghchi est arrivé à Moscou",
                        "Le ministre iranien des Affaires étrangères, Abbas Araghchi, est arrivé mardi à Moscou pour des "
                        "entretiens avec son homologue russe Sergueï Lavrov.", "2025-02-04"))
    pl = run(state, art("pl-araghchi", "pl", "Szef irańskiej dyplomacji przybył do Moskwy",
                        "Minister spraw zagranicznych Iranu Abbas Arakczi przybył we wtorek do Moskwy na rozmowy z "
                        "Siergiejem Ławrowem.", "2025-02-04"))
    assert fr.decision.status == "new_development", fr.decision.reason
    assert pl.decision.status == "corroboration" and pl.decision.development_id == fr.decision.development_id
    shoigu = run(state, art("ar-shoigu", "ar", "شويغو يزور طهران لتعزيز التعاون العسكري",
                            "وصل وزير الدفاع الروسي سيرغي شويغو إلى طهران يوم الثلاثاء في زيارة تهدف إلى تعميق التعاون "
                            "العسكري بين روسيا وإيران، والتقى نظيره الإيراني محمد رضا أشتياني.", "2023-09-19"))
    assert shoigu.decision.status == "known", shoigu.decision.reason


def test_elided_articles_and_relative_clauses(state):
    it = run(state, art("it-su35", "it", "La Russia ha consegnato all'Iran i primi caccia Su-35",
                        "La Russia ha consegnato all'Iran i primi caccia Su-35, secondo l'agenzia iraniana Tasnim.",
                        "2025-02-01"))
    assert it.decision.status == "new_development" and it.alert.headline.startswith("Russia delivers")
    ru = run(state, art("ru-npp", "ru", "Россия и Иран подписали соглашение о строительстве АЭС",
                        "Россия и Иран подписали соглашение, которое будет действовать 20 лет, о строительстве новых "
                        "энергоблоков атомной электростанции в Иране.", "2025-02-02"))
    assert ru.decision.status == "new_development" and ru.alert.kind == "agreement_signed"


def test_a_third_partys_treaty_mentioning_iran_in_passing_is_off_topic(state):
    out = run(state, art("de-nk-in-force", "de", "Vertrag zwischen Russland und Nordkorea in Kraft getreten",
                         "Der Vertrag über eine umfassende strategische Partnerschaft zwischen Russland und Nordkorea ist "
                         "in Kraft getreten, teilte das Außenministerium in Moskau mit. Auch mit dem Iran hatte Moskau "
                         "einen ähnlichen Vertrag unterzeichnet.", "2024-12-04"))
    assert out.decision.status == "off_topic" and out.alert is None
