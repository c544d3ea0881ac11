"""A small scenario of our own, mostly in languages the dev scenario does not use (pl, tr, fa, ar, uk, es, el, is, bg, ro), with
kinds it does not have (a nuclear plant deal, a naval exercise, an arms delivery told from either side, a satellite
launch, a new visit long after the seeds) and look-alikes (Russia-China drills, an Iran-Pakistan pact, the
Russia-Belarus treaty, Iran-US talks, Russia-North Korea drills, an Iran-Saudi pact; recaps of what the seeds
report, in French and Greek). Decided in order through `replay`, the production
path."""
from newsmon.replay import replay
from newsmon.settings import DEFAULT_TOPIC_DIR

SCENARIO = [
    ({"url": "https://fr.example/k1", "published": "2023-10-24T10:00:00Z", "title": "Lavrov reçu par Raïssi à Téhéran", "text": "Le ministre russe des Affaires étrangères Sergueï Lavrov a été reçu lundi à Téhéran par le président iranien Ebrahim Raïssi. Les deux hommes ont évoqué le partenariat entre la Russie et l'Iran, selon le ministère russe des Affaires étrangères."},
     'known', None),
    ({"url": "https://el.example/k2", "published": "2024-10-20T10:00:00Z", "title": "Το Ιράν προμηθεύει τη Ρωσία με drones Shahed", "text": "Το Ιράν έχει στείλει στη Ρωσία εκατοντάδες drones Shahed που χρησιμοποιούνται σε επιθέσεις στην Ουκρανία, σύμφωνα με δυτικούς αξιωματούχους. Η Τεχεράνη αρνείται ότι προμηθεύει όπλα για τον πόλεμο."},
     'known', None),
    ({"url": "https://tr.example/r1", "published": "2025-05-21T10:00:00Z", "title": "İran Meclisi Rusya ile stratejik ortaklık anlaşmasını onayladı", "text": "İran Meclisi, Rusya ile imzalanan kapsamlı stratejik ortaklık anlaşmasını çarşamba günü onayladı. Anlaşma, Ocak ayında Moskova'da Putin ve Pezeşkiyan tarafından imzalanmıştı. Milletvekillerinin büyük çoğunluğu anlaşma lehine oy kullandı."},
     'new_development', 'iran-ratifies'),
    ({"url": "https://uk.example/r2", "published": "2025-05-22T10:00:00Z", "title": "Путін і Лукашенко підписали договір про гарантії безпеки", "text": "Президент Росії Володимир Путін і президент Білорусі Олександр Лукашенко підписали в Мінську договір про гарантії безпеки в рамках Союзної держави. Документ передбачає застосування ядерної зброї для захисту Білорусі."},
     'off_topic', None),
    ({"url": "https://ar.example/r3", "published": "2025-05-23T10:00:00Z", "title": "جولة جديدة من المحادثات بين إيران والولايات المتحدة في مسقط", "text": "عقدت إيران والولايات المتحدة جولة جديدة من المحادثات غير المباشرة في مسقط بوساطة عمانية حول البرنامج النووي الإيراني. وقال وزير الخارجية الإيراني عباس عراقجي إن المحادثات كانت بناءة."},
     'off_topic', None),
    ({"url": "https://nl.example/r4", "published": "2025-06-10T10:00:00Z", "title": "Poetin bezoekt Teheran voor gesprekken met Pezeshkian", "text": "De Russische president Vladimir Poetin is dinsdag in Teheran aangekomen voor gesprekken met zijn Iraanse ambtgenoot Masoud Pezeshkian. Het is zijn eerste bezoek aan Iran sinds 2022. De twee leiders bespreken onder meer energie en veiligheid."},
     'new_development', 'putin-visit'),
    ({"url": "https://el.example/r5", "published": "2025-06-11T10:00:00Z", "title": "Ο Πούτιν στην Τεχεράνη για συνομιλίες με τον Πεζεσκιάν", "text": "Ο Ρώσος πρόεδρος Βλαντιμίρ Πούτιν έφτασε την Τρίτη στην Τεχεράνη για συνομιλίες με τον Ιρανό ομόλογό του Μασούντ Πεζεσκιάν. Πρόκειται για την πρώτη του επίσκεψη στο Ιράν από το 2022."},
     'corroboration', 'putin-visit'),
    ({"url": "https://pl.example/1", "published": "2025-07-01T10:00:00Z", "title": "Rosja zbuduje w Iranie cztery nowe bloki jądrowe", "text": "Rosyjski Rosatom i irańska agencja energii atomowej podpisały we wtorek w Moskwie umowę o budowie czterech nowych bloków elektrowni jądrowej w Iranie. Wartość kontraktu szacuje się na 25 miliardów dolarów. Umowę podpisali szef Rosatomu Aleksiej Lichaczow i szef irańskiej agencji Mohammad Eslami."},
     'new_development', 'nuclear-deal'),
    ({"url": "https://tr.example/2", "published": "2025-07-02T10:00:00Z", "title": "Rusya ve Çin Pasifik'te ortak deniz tatbikatı düzenledi", "text": "Rusya ve Çin donanmaları Pasifik Okyanusu'nda ortak deniz tatbikatı düzenledi. Tatbikata iki ülkeden toplam on iki savaş gemisi katıldı. Rus Savunma Bakanlığı tatbikatın üç gün süreceğini açıkladı."},
     'off_topic', None),
    ({"url": "https://fa.example/3", "published": "2025-07-03T10:00:00Z", "title": "رزمایش مشترک دریایی ایران و روسیه در دریای خزر", "text": "نیروی دریایی جمهوری اسلامی ایران و نیروی دریایی روسیه روز دوشنبه رزمایش مشترکی را در دریای خزر آغاز کردند. در این رزمایش ده فروند شناور از دو کشور شرکت دارند. این رزمایش سه روز ادامه خواهد داشت."},
     'new_development', 'caspian-drill'),
    ({"url": "https://ar.example/4", "published": "2025-07-03T14:00:00Z", "title": "مناورات بحرية مشتركة بين إيران وروسيا في بحر قزوين", "text": "بدأت القوات البحرية الإيرانية والروسية يوم الاثنين مناورات بحرية مشتركة في بحر قزوين بمشاركة عشر سفن من البلدين. وقالت وسائل إعلام إيرانية إن المناورات ستستمر ثلاثة أيام."},
     'corroboration', 'caspian-drill'),
    ({"url": "https://uk.example/5", "published": "2025-07-05T10:00:00Z", "title": "Росія передала Ірану перші винищувачі Су-35", "text": "Росія передала Ірану першу партію винищувачів Су-35, повідомили іранські державні ЗМІ в суботу. Літаки прибули на авіабазу в Хамадані. Тегеран замовив ці винищувачі ще у 2023 році."},
     'new_development', 'su35'),
    ({"url": "https://es.example/6", "published": "2025-07-06T10:00:00Z", "title": "Lavrov: Rusia e Irán firmarán pronto un tratado", "text": "El ministro de Exteriores ruso, Serguéi Lavrov, afirmó que Rusia e Irán firmarán en un futuro próximo un tratado de asociación estratégica integral que incluirá la cooperación en defensa. Lavrov dijo que el presidente iraní Masud Pezeshkian visitará Moscú."},
     'known', None),
    ({"url": "https://el.example/7", "published": "2025-07-07T10:00:00Z", "title": "Ιράν και Πακιστάν υπέγραψαν συμφωνία ασφαλείας", "text": "Το Ιράν και το Πακιστάν υπέγραψαν την Τρίτη συμφωνία για τη συνεργασία στην ασφάλεια των συνόρων τους. Τη συμφωνία υπέγραψαν οι υπουργοί Εσωτερικών των δύο χωρών στην Ισλαμαμπάντ."},
     'off_topic', None),
    ({"url": "https://en.example/8", "published": "2025-07-08T10:00:00Z", "title": "Iran receives first batch of Su-35 fighter jets from Russia", "text": "Iran has received the first batch of Russian Su-35 fighter jets, Iranian state media reported on Saturday. The aircraft landed at an air base in Hamadan. Tehran ordered the jets in 2023."},
     'corroboration', 'su35'),
    ({"url": "https://fa.example/r6", "published": "2025-07-20T10:00:00Z", "title": "پرتاب ماهواره ایرانی ناهید-۳ با موشک روسی سایوز", "text": "ماهواره ایرانی ناهید-۳ روز جمعه با موشک روسی سایوز از پایگاه وستوچنی در روسیه به فضا پرتاب شد. این ماهواره توسط سازمان فضایی ایران ساخته شده است."},
     'new_development', 'nahid-launch'),
    ({"url": "https://pl.example/r7", "published": "2025-07-21T10:00:00Z", "title": "Szojgu w Teheranie podziwiał irańskie drony", "text": "Rosyjski minister obrony Siergiej Szojgu przebywał we wrześniu 2023 roku w Teheranie, gdzie obejrzał wystawę irańskich dronów i rakiet. Wizyta miała pogłębić współpracę wojskową Moskwy i Teheranu."},
     'known', None),
    ({"url": "https://de.example/k3", "published": "2025-08-01T10:00:00Z", "title": "Russland und Nordkorea halten gemeinsames Manöver ab", "text": "Russland und Nordkorea haben erstmals ein gemeinsames Militärmanöver im Japanischen Meer abgehalten. An der Übung nahmen Kriegsschiffe beider Länder teil, teilte das russische Verteidigungsministerium mit."},
     'off_topic', None),
    ({"url": "https://ro.example/k4", "published": "2025-08-03T10:00:00Z", "title": "Rusia a livrat Iranului sisteme S-400", "text": "Rusia a livrat Iranului primele sisteme de apărare antiaeriană S-400, a anunțat joi agenția iraniană de presă Tasnim. Sistemele au fost instalate în jurul capitalei Teheran."},
     'new_development', 's400'),
    ({"url": "https://bg.example/k5", "published": "2025-08-03T15:00:00Z", "title": "Иран получи руските системи С-400", "text": "Иран получи първите руски зенитни ракетни системи С-400, съобщи иранската агенция Тасним в четвъртък. Системите са разположени около столицата Техеран."},
     'corroboration', 's400'),
    ({"url": "https://it.example/k6", "published": "2025-08-05T10:00:00Z", "title": "Iran e Arabia Saudita firmano un accordo di sicurezza", "text": "L'Iran e l'Arabia Saudita hanno firmato martedì a Riad un accordo di cooperazione in materia di sicurezza. L'intesa è stata firmata dai ministri dell'Interno dei due paesi."},
     'off_topic', None),
    ({"url": "https://is.example/k7", "published": "2025-08-10T10:00:00Z", "title": "Rússar og Íranar halda sameiginlega heræfingu", "text": "Rússneski og íranski flotinn hófu á mánudag sameiginlega heræfingu í Persaflóa. Tíu herskip frá báðum ríkjum taka þátt í æfingunni sem stendur í fjóra daga."},
     'new_development', 'gulf-drill'),
    ({"url": "https://ar.example/k8", "published": "2025-09-01T10:00:00Z", "title": "روسيا وإيران توقعان اتفاقية لبناء محطة نووية جديدة", "text": "وقعت روسيا وإيران يوم الاثنين في موسكو اتفاقية لبناء محطة جديدة للطاقة النووية في إيران بتكلفة 25 مليار دولار. ووقع الاتفاقية رئيس شركة روساتوم ورئيس منظمة الطاقة الذرية الإيرانية."},
     'corroboration', 'nuclear-deal'),
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
    assert len(set(ids.values())) == len(ids) == 8
