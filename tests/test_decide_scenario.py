"""A small scenario of our own in languages the dev scenario does not use (pl, tr, fa, ar, uk, es, el), with kinds
it does not have (a nuclear plant deal, a naval exercise, an arms delivery told from either side) and look-alikes
(Russia-China drills, an Iran-Pakistan pact). Decided in order through `replay`, the same path as production."""
from consumers.decide import load_topic  # noqa: F401 - the topic must load for the replay below
from newsmon.replay import replay
from newsmon.settings import DEFAULT_TOPIC_DIR

SCENARIO = [
    ({"url": "https://pl.example/1", "published": "2025-07-01T10:00:00Z", "title": "Rosja zbuduje w Iranie cztery nowe bloki jądrowe", "text": "Rosyjski Rosatom i irańska agencja energii atomowej podpisały we wtorek w Moskwie umowę o budowie czterech nowych bloków elektrowni jądrowej w Iranie. Wartość kontraktu szacuje się na 25 miliardów dolarów. Umowę podpisali szef Rosatomu Aleksiej Lichaczow i szef irańskiej agencji Mohammad Eslami."},
     'new_development', 'A'),
    ({"url": "https://tr.example/2", "published": "2025-07-02T10:00:00Z", "title": "Rusya ve Çin Pasifik'te ortak deniz tatbikatı düzenledi", "text": "Rusya ve Çin donanmaları Pasifik Okyanusu'nda ortak deniz tatbikatı düzenledi. Tatbikata iki ülkeden toplam on iki savaş gemisi katıldı. Rus Savunma Bakanlığı tatbikatın üç gün süreceğini açıkladı."},
     'off_topic', None),
    ({"url": "https://fa.example/3", "published": "2025-07-03T10:00:00Z", "title": "رزمایش مشترک دریایی ایران و روسیه در دریای خزر", "text": "نیروی دریایی جمهوری اسلامی ایران و نیروی دریایی روسیه روز دوشنبه رزمایش مشترکی را در دریای خزر آغاز کردند. در این رزمایش ده فروند شناور از دو کشور شرکت دارند. این رزمایش سه روز ادامه خواهد داشت."},
     'new_development', 'B'),
    ({"url": "https://ar.example/4", "published": "2025-07-03T14:00:00Z", "title": "مناورات بحرية مشتركة بين إيران وروسيا في بحر قزوين", "text": "بدأت القوات البحرية الإيرانية والروسية يوم الاثنين مناورات بحرية مشتركة في بحر قزوين بمشاركة عشر سفن من البلدين. وقالت وسائل إعلام إيرانية إن المناورات ستستمر ثلاثة أيام."},
     'corroboration', 'B'),
    ({"url": "https://uk.example/5", "published": "2025-07-05T10:00:00Z", "title": "Росія передала Ірану перші винищувачі Су-35", "text": "Росія передала Ірану першу партію винищувачів Су-35, повідомили іранські державні ЗМІ в суботу. Літаки прибули на авіабазу в Хамадані. Тегеран замовив ці винищувачі ще у 2023 році."},
     'new_development', 'C'),
    ({"url": "https://es.example/6", "published": "2025-07-06T10:00:00Z", "title": "Lavrov: Rusia e Irán firmarán pronto un tratado", "text": "El ministro de Exteriores ruso, Serguéi Lavrov, afirmó que Rusia e Irán firmarán en un futuro próximo un tratado de asociación estratégica integral que incluirá la cooperación en defensa. Lavrov dijo que el presidente iraní Masud Pezeshkian visitará Moscú."},
     'known', None),
    ({"url": "https://el.example/7", "published": "2025-07-07T10:00:00Z", "title": "Ιράν και Πακιστάν υπέγραψαν συμφωνία ασφαλείας", "text": "Το Ιράν και το Πακιστάν υπέγραψαν την Τρίτη συμφωνία για τη συνεργασία στην ασφάλεια των συνόρων τους. Τη συμφωνία υπέγραψαν οι υπουργοί Εσωτερικών των δύο χωρών στην Ισλαμαμπάντ."},
     'off_topic', None),
    ({"url": "https://en.example/8", "published": "2025-07-08T10:00:00Z", "title": "Iran receives first batch of Su-35 fighter jets from Russia", "text": "Iran has received the first batch of Russian Su-35 fighter jets, Iranian state media reported on Saturday. The aircraft landed at an air base in Hamadan. Tehran ordered the jets in 2023."},
     'corroboration', 'C'),
]


def test_our_scenario_in_other_languages_is_decided_and_grouped():
    decisions = list(replay([row for row, _, _ in SCENARIO], DEFAULT_TOPIC_DIR))
    assert [d.status for d in decisions] == [status for _, status, _ in SCENARIO]
    assert [d.alert for d in decisions] == [status == "new_development" for _, status, _ in SCENARIO]
    ids: dict[str, str] = {}
    for decision, (_, _, group) in zip(decisions, SCENARIO):
        if group is None:
            assert decision.development_id is None
        else:
            assert ids.setdefault(group, decision.development_id) == decision.development_id
    assert len(set(ids.values())) == 3
