"""The decider's general rules, each in at least six languages (Persian and Arabic among them).

Every article here is written for these tests; none is from a labelled scenario. The topic is Russia–Iran as
`topic init` would derive it (tests/decide_util.py), so what is tested is the general layer: the languages, the
catalogue of kinds and the rules that use them.
"""
from __future__ import annotations

import pytest

from consumers.decide import DeciderState
from consumers.decide.headline import headline
from consumers.decide.reading import read_lead
from tests.decide_util import article, fact, make_topic, run

# --------------------------------------------------------------------------------------------------- who takes part
THREE_COUNTRY_DRILL = [
    ("en", "Russia, Iran and China begin joint naval drill",
     "The navies of Russia, Iran and China began a joint exercise in the Gulf of Oman on Monday, the Iranian navy said."),
    ("de", "Russland, Iran und China beginnen gemeinsames Marinemanöver",
     "Die Marinen Russlands, Irans und Chinas haben am Montag im Golf von Oman ein gemeinsames Manöver begonnen."),
    ("ru", "Россия, Иран и Китай начали совместные военно-морские учения",
     "Военно-морские силы России, Ирана и Китая в понедельник начали совместные учения в Оманском заливе."),
    ("fa", "آغاز رزمایش دریایی مشترک ایران، روسیه و چین",
     "نیروهای دریایی ایران، روسیه و چین روز دوشنبه رزمایش مشترکی را در دریای عمان آغاز کردند."),
    ("ar", "انطلاق مناورات بحرية مشتركة بين إيران وروسيا والصين",
     "بدأت القوات البحرية لإيران وروسيا والصين يوم الاثنين مناورات مشتركة في خليج عمان."),
    ("tr", "Rusya, İran ve Çin ortak deniz tatbikatına başladı",
     "Rusya, İran ve Çin donanmaları pazartesi günü Umman Körfezi'nde ortak bir tatbikata başladı."),
    ("fr", "La Russie, l'Iran et la Chine lancent des manœuvres navales conjointes",
     "Les marines russe, iranienne et chinoise ont entamé lundi un exercice conjoint dans le golfe d'Oman."),
]

THIRD_STATE_TREATY = [
    ("en", "Russia and North Korea sign defence treaty",
     "Russia and North Korea signed a mutual defence treaty in Pyongyang on Wednesday."),
    ("de", "Russland und Nordkorea unterzeichnen Verteidigungsvertrag",
     "Russland und Nordkorea haben am Mittwoch in Pjöngjang einen Vertrag über gegenseitigen Beistand unterzeichnet."),
    ("ru", "Россия и Северная Корея подписали договор о взаимной обороне",
     "Россия и Северная Корея в среду подписали в Пхеньяне договор о взаимной обороне."),
    ("fa", "ایران و پاکستان توافقنامه امنیتی امضا کردند",
     "ایران و پاکستان روز چهارشنبه در اسلام‌آباد یک توافقنامه همکاری امنیتی امضا کردند."),
    ("ar", "إيران والسعودية توقعان اتفاقية أمنية",
     "وقعت إيران والمملكة العربية السعودية يوم الأربعاء في الرياض اتفاقية للتعاون الأمني."),
    ("es", "Irán y Pakistán firman un acuerdo de seguridad",
     "Irán y Pakistán firmaron el miércoles en Islamabad un acuerdo de cooperación en materia de seguridad."),
    ("pl", "Rosja i Białoruś podpisały traktat o gwarancjach bezpieczeństwa",
     "Prezydenci Rosji i Białorusi podpisali w piątek w Mińsku traktat o gwarancjach bezpieczeństwa."),
]

THIRD_COUNTRY_HOST = [
    ("en", "Turkey hosts Russian and Iranian presidents for talks",
     "Turkey's president hosted Vladimir Putin and Masoud Pezeshkian for talks in Ankara on Tuesday."),
    ("de", "Türkei empfängt Putin und Peseschkian zu Gesprächen",
     "Der türkische Präsident hat am Dienstag in Ankara Wladimir Putin und Massud Peseschkian zu Gesprächen empfangen."),
    ("ru", "Президент Турции принял Путина и Пезешкиана в Анкаре",
     "Президент Турции во вторник принял в Анкаре Владимира Путина и Масуда Пезешкиана для переговоров."),
    ("fa", "دیدار پزشکیان و پوتین در آنکارا به میزبانی ترکیه",
     "مسعود پزشکیان و ولادیمیر پوتین روز سه‌شنبه در آنکارا به میزبانی رئیس‌جمهور ترکیه با یکدیگر گفتگو کردند."),
    ("ar", "تركيا تستضيف محادثات بين بوتين وبزشكيان",
     "استضاف الرئيس التركي يوم الثلاثاء في أنقرة محادثات بين الرئيس الروسي فلاديمير بوتين والرئيس الإيراني مسعود بزشكيان."),
    ("it", "La Turchia ospita Putin e Pezeshkian per colloqui",
     "Il presidente turco ha ospitato martedì ad Ankara Vladimir Putin e Masoud Pezeshkian per colloqui."),
]

TALKS_IN_THIRD_CAPITAL = [
    ("en", "Lavrov and Araghchi hold talks in Muscat",
     "Russian Foreign Minister Sergei Lavrov and his Iranian counterpart Abbas Araghchi held talks in Muscat on Sunday."),
    ("fr", "Lavrov et Araghchi se rencontrent à Mascate",
     "Le ministre russe des Affaires étrangères Sergueï Lavrov et son homologue iranien Abbas Araghchi se sont entretenus dimanche à Mascate."),
    ("ru", "Лавров и Аракчи провели переговоры в Маскате",
     "Министр иностранных дел России Сергей Лавров и его иранский коллега Аббас Аракчи в воскресенье провели переговоры в Маскате."),
    ("fa", "گفتگوی لاوروف و عراقچی در مسقط",
     "سرگئی لاوروف وزیر خارجه روسیه و عباس عراقچی وزیر خارجه ایران روز یکشنبه در مسقط گفتگو کردند."),
    ("ar", "لافروف وعراقجي يجريان محادثات في مسقط",
     "أجرى وزير الخارجية الروسي سيرغي لافروف ونظيره الإيراني عباس عراقجي محادثات في مسقط يوم الأحد."),
    ("es", "Lavrov y Araghchi se reúnen en Mascate",
     "El ministro de Exteriores ruso, Serguéi Lavrov, y su homólogo iraní, Abbas Araghchi, se reunieron el domingo en Mascate."),
]


def _decide_alone(lang: str, title: str, text: str, day: str = "2025-06-02"):
    state = DeciderState(make_topic())
    return run(state, article(f"{lang}-{abs(hash(title)) % 10**6}", lang, title, text, day))


@pytest.mark.parametrize("lang,title,text", THREE_COUNTRY_DRILL, ids=[c[0] for c in THREE_COUNTRY_DRILL])
def test_a_drill_with_a_third_country_is_on_topic(lang, title, text):
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.decision.kind == "joint_exercise"


@pytest.mark.parametrize("lang,title,text", THIRD_STATE_TREATY, ids=[c[0] for c in THIRD_STATE_TREATY])
def test_one_partys_treaty_with_a_third_state_is_off_topic(lang, title, text):
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "off_topic", out.decision.reason
    assert out.alert is None


@pytest.mark.parametrize("lang,title,text", THIRD_COUNTRY_HOST, ids=[c[0] for c in THIRD_COUNTRY_HOST])
def test_a_summit_hosted_by_a_third_countrys_leader_is_on_topic(lang, title, text):
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.decision.kind in ("talks", "visit")


@pytest.mark.parametrize("lang,title,text", TALKS_IN_THIRD_CAPITAL, ids=[c[0] for c in TALKS_IN_THIRD_CAPITAL])
def test_talks_in_a_third_capital_are_on_topic(lang, title, text):
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.decision.kind == "talks"


# --------------------------------------------------------------------------------------------------- the whole lead
LAUNCH_OWNER_ELSEWHERE = [
    ("en", "Iran's Nahid-3 satellite reaches orbit",
     "The satellite was launched on Friday aboard a Soyuz rocket from Russia's Vostochny cosmodrome."),
    ("de", "Irans Satellit Nahid-3 erreicht die Umlaufbahn",
     "Der Satellit wurde am Freitag mit einer Sojus-Rakete vom russischen Weltraumbahnhof Wostotschny gestartet."),
    ("ru", "Иранский спутник «Нахид-3» выведен на орбиту",
     "Спутник был запущен в пятницу ракетой «Союз» с российского космодрома Восточный."),
    ("es", "El satélite iraní Nahid-3 alcanza la órbita",
     "El satélite fue lanzado el viernes a bordo de un cohete Soyuz desde el cosmódromo ruso de Vostochni."),
    ("fa", "ماهواره ناهید-۳ ایران به مدار رسید",
     "این ماهواره روز جمعه با موشک سایوز از پایگاه وستوچنی روسیه به فضا پرتاب شد."),
    ("ar", "القمر الصناعي الإيراني ناهيد-3 يصل إلى المدار",
     "أطلق القمر الصناعي يوم الجمعة على متن صاروخ سويوز من قاعدة فوستوتشني الروسية."),
]


@pytest.mark.parametrize("lang,title,text", LAUNCH_OWNER_ELSEWHERE, ids=[c[0] for c in LAUNCH_OWNER_ELSEWHERE])
def test_a_party_named_elsewhere_in_the_lead_takes_part(lang, title, text):
    """The satellite's owner is named in the title, the launcher in the launch sentence."""
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.decision.kind == "launch"
    assert set(out.alert.actors) == {"Russia", "Iran"}


# --------------------------------------------------------------------------------------------------- modality
# (language, "will sign next week", "signed on Friday", "have not yet signed")
SIGNING = [
    ("en", "Russia and Iran will sign the treaty next week", "Russia and Iran signed the treaty on Friday",
     "Russia and Iran have not yet signed the treaty"),
    ("de", "Russland und Iran werden den Vertrag nächste Woche unterzeichnen",
     "Russland und Iran haben den Vertrag am Freitag unterzeichnet",
     "Russland und Iran haben den Vertrag noch nicht unterzeichnet"),
    ("nl", "Rusland en Iran zullen het verdrag volgende week ondertekenen",
     "Rusland en Iran hebben het verdrag vrijdag ondertekend", "Rusland en Iran hebben het verdrag nog niet ondertekend"),
    ("fr", "La Russie et l'Iran signeront le traité la semaine prochaine",
     "La Russie et l'Iran ont signé le traité vendredi", "La Russie et l'Iran n'ont pas encore signé le traité"),
    ("es", "Rusia e Irán firmarán el tratado la próxima semana", "Rusia e Irán firmaron el tratado el viernes",
     "Rusia e Irán todavía no han firmado el tratado"),
    ("it", "Russia e Iran firmeranno il trattato la prossima settimana", "Russia e Iran hanno firmato il trattato venerdì",
     "Russia e Iran non hanno ancora firmato il trattato"),
    ("pl", "Rosja i Iran podpiszą traktat w przyszłym tygodniu", "Rosja i Iran podpisały traktat w piątek",
     "Rosja i Iran jeszcze nie podpisały traktatu"),
    ("ro", "Rusia și Iranul vor semna tratatul săptămâna viitoare", "Rusia și Iranul au semnat tratatul vineri",
     "Rusia și Iranul nu au semnat încă tratatul"),
    ("bg", "Русия и Иран ще подпишат договора следващата седмица", "Русия и Иран подписаха договора в петък",
     "Русия и Иран все още не са подписали договора"),
    ("ru", "Россия и Иран подпишут договор на следующей неделе", "Россия и Иран подписали договор в пятницу",
     "Россия и Иран еще не подписали договор"),
    ("uk", "Росія та Іран підпишуть договір наступного тижня", "Росія та Іран підписали договір у п'ятницю",
     "Росія та Іран ще не підписали договір"),
    ("tr", "Rusya ve İran anlaşmayı gelecek hafta imzalayacak", "Rusya ve İran anlaşmayı cuma günü imzaladı",
     "Rusya ve İran anlaşmayı henüz imzalamadı"),
    ("el", "Η Ρωσία και το Ιράν θα υπογράψουν τη συνθήκη την επόμενη εβδομάδα",
     "Η Ρωσία και το Ιράν υπέγραψαν τη συνθήκη την Παρασκευή",
     "Η Ρωσία και το Ιράν δεν έχουν υπογράψει ακόμη τη συνθήκη"),
    ("is", "Rússland og Íran munu undirrita sáttmálann í næstu viku",
     "Rússland og Íran undirrituðu sáttmálann á föstudag", "Rússland og Íran hafa ekki enn undirritað sáttmálann"),
    ("fa", "روسیه و ایران هفته آینده پیمان را امضا خواهند کرد", "روسیه و ایران روز جمعه پیمان را امضا کردند",
     "روسیه و ایران هنوز پیمان را امضا نکرده‌اند"),
    ("ar", "ستوقع روسيا وإيران المعاهدة الأسبوع المقبل", "وقعت روسيا وإيران المعاهدة يوم الجمعة",
     "لم توقع روسيا وإيران المعاهدة بعد"),
]


def _lead_event(lang: str, sentence: str, kind: str = "agreement_signed"):
    reading = read_lead(make_topic(), sentence, "", lang, None)
    found = [e for e in reading.events if e.kind == kind]
    assert found, f"no {kind} read in {sentence!r}"
    return found[0]


@pytest.mark.parametrize("lang,planned,done,negated", SIGNING, ids=[c[0] for c in SIGNING])
def test_modality_is_read_per_language(lang, planned, done, negated):
    assert _lead_event(lang, planned).modality != "done"
    assert _lead_event(lang, done).modality == "done"
    reading = read_lead(make_topic(), negated, "", lang, None)
    assert not [e for e in reading.events if e.kind == "agreement_signed" and e.modality == "done"]


# Other ways of marking what has not happened: "is scheduled to", "intends to", "soon", "tomorrow".
NOT_YET = [
    ("en", "Russia and Iran are scheduled to sign the treaty on Friday"),
    ("en", "Russia and Iran intend to sign the treaty"),
    ("en", "Russia and Iran to sign treaty soon"),
    ("de", "Russland und Iran wollen den Vertrag morgen unterzeichnen"),
    ("de", "Der Vertrag zwischen Russland und Iran soll bald unterzeichnet werden"),
    ("fr", "La Russie et l'Iran doivent signer le traité demain"),
    ("fr", "La Russie et l'Iran ont l'intention de signer le traité"),
    ("ru", "Россия и Иран намерены подписать договор"),
    ("ru", "Россия и Иран планируют подписать договор в ближайшее время"),
    ("tr", "Rusya ile İran arasındaki anlaşmanın yarın imzalanması planlanıyor"),
    ("fa", "قرار است پیمان روسیه و ایران فردا امضا شود"),
    ("fa", "روسیه و ایران قصد دارند پیمان را به زودی امضا کنند"),
    ("ar", "من المقرر توقيع المعاهدة بين روسيا وإيران غدا"),
    ("ar", "تعتزم روسيا وإيران توقيع المعاهدة قريبا"),
    ("es", "Rusia e Irán tienen previsto firmar el tratado mañana"),
    ("it", "Russia e Iran intendono firmare il trattato a breve"),
]


@pytest.mark.parametrize("lang,sentence", NOT_YET, ids=[f"{c[0]}-{i}" for i, c in enumerate(NOT_YET)])
def test_plans_schedules_and_intentions_are_not_done(lang, sentence):
    assert _lead_event(lang, sentence).modality != "done"


# --------------------------------------------------------------------------------------------------- plans
PLAN_THEN_FACT = [
    ("en", "Putin and Pezeshkian to sign treaty in Moscow on Friday",
     "Vladimir Putin and Masoud Pezeshkian will sign a comprehensive strategic partnership treaty in Moscow on Friday, the Kremlin said.",
     "Putin and Pezeshkian sign strategic partnership treaty",
     "Vladimir Putin and Masoud Pezeshkian signed a comprehensive strategic partnership treaty in Moscow on Friday."),
    ("de", "Putin und Peseschkian wollen am Freitag Vertrag unterzeichnen",
     "Wladimir Putin und Massud Peseschkian werden am Freitag in Moskau einen Partnerschaftsvertrag unterzeichnen.",
     "Putin und Peseschkian unterzeichnen Partnerschaftsvertrag",
     "Wladimir Putin und Massud Peseschkian haben am Freitag in Moskau einen Partnerschaftsvertrag unterzeichnet."),
    ("ru", "Путин и Пезешкиан подпишут договор в пятницу",
     "Владимир Путин и Масуд Пезешкиан подпишут в пятницу в Москве договор о стратегическом партнерстве.",
     "Путин и Пезешкиан подписали договор",
     "Владимир Путин и Масуд Пезешкиан в пятницу подписали в Москве договор о стратегическом партнерстве."),
    ("fa", "پوتین و پزشکیان روز جمعه پیمان را امضا خواهند کرد",
     "ولادیمیر پوتین و مسعود پزشکیان روز جمعه در مسکو پیمان مشارکت راهبردی را امضا خواهند کرد.",
     "پوتین و پزشکیان پیمان را امضا کردند",
     "ولادیمیر پوتین و مسعود پزشکیان روز جمعه در مسکو پیمان مشارکت راهبردی را امضا کردند."),
    ("ar", "بوتين وبزشكيان سيوقعان المعاهدة يوم الجمعة",
     "سيوقع فلاديمير بوتين ومسعود بزشكيان يوم الجمعة في موسكو معاهدة الشراكة الاستراتيجية.",
     "بوتين وبزشكيان يوقعان المعاهدة",
     "وقع فلاديمير بوتين ومسعود بزشكيان يوم الجمعة في موسكو معاهدة الشراكة الاستراتيجية."),
    ("es", "Putin y Pezeshkian firmarán el tratado el viernes",
     "Vladímir Putin y Masud Pezeshkian firmarán el viernes en Moscú un tratado de asociación estratégica.",
     "Putin y Pezeshkian firman el tratado",
     "Vladímir Putin y Masud Pezeshkian firmaron el viernes en Moscú un tratado de asociación estratégica."),
]


@pytest.mark.parametrize("lang,t1,b1,t2,b2", PLAN_THEN_FACT, ids=[c[0] for c in PLAN_THEN_FACT])
def test_a_plan_that_comes_true_alerts_and_is_never_absorbed(lang, t1, b1, t2, b2):
    state = DeciderState(make_topic())
    plan = run(state, article("plan", lang, t1, b1, "2025-01-13"))
    assert plan.decision.status == "announced", plan.decision.reason
    assert not plan.decision.alert and plan.alert is None
    done = run(state, article("done", lang, t2, b2, "2025-01-17"))
    assert done.decision.status == "new_development", done.decision.reason
    assert done.decision.alert and done.alert is not None and done.alert.revision == 0
    assert done.alert.modality == "done"


def test_a_plan_the_seeds_know_stays_known_until_it_happens():
    state = DeciderState(make_topic([fact("agreement_signed", "planned", obj="treaty")]))
    again = run(state, article("again", "en", "Russia and Iran to sign treaty soon, Lavrov says",
                               "Russia and Iran will sign a strategic partnership treaty soon, Sergei Lavrov said.",
                               "2024-11-01"))
    assert again.decision.status == "known", again.decision.reason
    signed = run(state, article("signed", "en", "Russia and Iran sign strategic partnership treaty",
                                "Russia and Iran signed a strategic partnership treaty in Moscow on Friday.",
                                "2025-01-17"))
    assert signed.decision.status == "new_development" and signed.decision.alert


# --------------------------------------------------------------------------------------------------- repeats
# A visit the seeds report (September 2023); another one in June 2025 is new, a dated recap of the first is known.
REPEATS = [
    ("en", "Lavrov arrives in Tehran for talks", "Russian Foreign Minister Sergei Lavrov arrived in Tehran on Monday for talks.",
     "Lavrov's visit to Tehran in September 2023", "In September 2023 Russian Foreign Minister Sergei Lavrov visited Tehran."),
    ("de", "Lawrow zu Gesprächen in Teheran eingetroffen", "Der russische Außenminister Sergej Lawrow ist am Montag zu Gesprächen in Teheran eingetroffen.",
     "Lawrows Besuch in Teheran im September 2023", "Im September 2023 besuchte der russische Außenminister Sergej Lawrow Teheran."),
    ("fr", "Lavrov en visite à Téhéran", "Le ministre russe des Affaires étrangères Sergueï Lavrov est arrivé lundi à Téhéran.",
     "La visite de Lavrov à Téhéran en septembre 2023", "En septembre 2023, le ministre russe des Affaires étrangères Sergueï Lavrov s'était rendu à Téhéran."),
    ("ru", "Лавров прибыл в Тегеран", "Министр иностранных дел России Сергей Лавров в понедельник прибыл в Тегеран.",
     "Визит Лаврова в Тегеран в сентябре 2023 года", "В сентябре 2023 года министр иностранных дел России Сергей Лавров посетил Тегеран."),
    ("fa", "لاوروف وارد تهران شد", "سرگئی لاوروف وزیر خارجه روسیه روز دوشنبه وارد تهران شد.",
     "سفر لاوروف به تهران در سپتامبر ۲۰۲۳", "سرگئی لاوروف وزیر خارجه روسیه در سپتامبر ۲۰۲۳ به تهران سفر کرد."),
    ("ar", "لافروف يصل إلى طهران", "وصل وزير الخارجية الروسي سيرغي لافروف إلى طهران يوم الاثنين.",
     "زيارة لافروف إلى طهران في سبتمبر 2023", "في سبتمبر 2023 زار وزير الخارجية الروسي سيرغي لافروف طهران."),
]


@pytest.mark.parametrize("lang,t_new,b_new,t_recap,b_recap", REPEATS, ids=[c[0] for c in REPEATS])
def test_another_visit_is_new_and_a_dated_recap_stays_known(lang, t_new, b_new, t_recap, b_recap):
    known = [fact("visit", day="2023-09-19", agent="RU", people=("lfrf",))]
    state = DeciderState(make_topic(known))
    recap = run(state, article("recap", lang, t_recap, b_recap, "2025-06-09"))
    assert recap.decision.status == "known", recap.decision.reason
    new = run(state, article("new", lang, t_new, b_new, "2025-06-09"))
    assert new.decision.status == "new_development", new.decision.reason


# --------------------------------------------------------------------------------------------------- the alert
IN_FORCE_ON_A_DATE = [
    ("en", "Russia-Iran treaty in force", "The strategic partnership treaty between Russia and Iran entered into force on 2 October."),
    ("de", "Vertrag zwischen Russland und Iran in Kraft", "Der Partnerschaftsvertrag zwischen Russland und Iran ist am 2. Oktober in Kraft getreten."),
    ("ru", "Договор России и Ирана вступил в силу", "Договор о стратегическом партнерстве между Россией и Ираном вступил в силу 2 октября."),
    ("fr", "Le traité russo-iranien est entré en vigueur", "Le traité de partenariat stratégique entre la Russie et l'Iran est entré en vigueur le 2 octobre."),
    ("fa", "پیمان ایران و روسیه لازم‌الاجرا شد", "پیمان مشارکت راهبردی ایران و روسیه از ۲ اکتبر لازم‌الاجرا شد."),
    ("ar", "دخول المعاهدة الروسية الإيرانية حيز التنفيذ", "دخلت معاهدة الشراكة الاستراتيجية بين روسيا وإيران حيز التنفيذ في 2 أكتوبر."),
]


@pytest.mark.parametrize("lang,title,text", IN_FORCE_ON_A_DATE, ids=[c[0] for c in IN_FORCE_ON_A_DATE])
def test_the_alert_dates_the_event_as_the_text_does(lang, title, text):
    out = _decide_alone(lang, title, text, day="2025-10-03")
    assert out.decision.status == "new_development", out.decision.reason
    assert out.alert.kind == "entered_into_force"
    assert out.alert.event_date.date().isoformat() == "2025-10-02" and out.alert.date_from_text
    assert "date in the text" in out.alert.headline


RECEIVED_VISITOR = [
    ("en", "Putin receives Iran's foreign minister", "Vladimir Putin received Iranian Foreign Minister Abbas Araghchi in the Kremlin on Friday."),
    ("de", "Putin empfängt Irans Außenminister", "Wladimir Putin hat am Freitag den iranischen Außenminister Abbas Araghtschi im Kreml empfangen."),
    ("ru", "Путин принял главу МИД Ирана", "Владимир Путин в пятницу принял в Кремле министра иностранных дел Ирана Аббаса Аракчи."),
    ("es", "Putin recibe al canciller iraní", "Vladímir Putin recibió el viernes en el Kremlin al ministro de Exteriores iraní, Abbas Araghchi."),
    ("fa", "پوتین عراقچی را به حضور پذیرفت", "ولادیمیر پوتین روز جمعه عباس عراقچی وزیر امور خارجه ایران را در کرملین به حضور پذیرفت."),
    ("ar", "بوتين يستقبل وزير الخارجية الإيراني", "استقبل فلاديمير بوتين يوم الجمعة وزير الخارجية الإيراني عباس عراقجي في الكرملين."),
]


@pytest.mark.parametrize("lang,title,text", RECEIVED_VISITOR, ids=[c[0] for c in RECEIVED_VISITOR])
def test_a_visit_names_who_travelled_and_who_hosted(lang, title, text):
    out = _decide_alone(lang, title, text)
    assert out.decision.status == "new_development", out.decision.reason
    assert out.alert.kind == "visit"
    assert "Visit: Iran to Russia" in out.alert.headline


@pytest.mark.parametrize("lang,planned,done,negated", SIGNING[:8] + SIGNING[-2:], ids=[c[0] for c in SIGNING[:8] + SIGNING[-2:]])
def test_a_headline_never_says_done_of_a_plan(lang, planned, done, negated):
    topic = make_topic()
    plan = _lead_event(lang, planned)
    assert headline(topic, plan).startswith(("Planned", "Scheduled", "Expected", "Possible", "Announced"))
    assert not headline(topic, _lead_event(lang, done)).startswith(("Planned", "Scheduled", "Announced"))


@pytest.mark.parametrize("lang,title,text", THREE_COUNTRY_DRILL, ids=[c[0] for c in THREE_COUNTRY_DRILL])
def test_the_alert_is_the_reading_that_decided(lang, title, text):
    state = DeciderState(make_topic())
    out = run(state, article("drill", lang, title, text))
    assert out.alert.alert_id == out.decision.development_id
    assert out.alert.kind == out.decision.kind == "joint_exercise"
    assert out.alert.modality == out.decision.modality == "done"
    assert sorted(out.alert.actors) == ["Iran", "Russia"]
