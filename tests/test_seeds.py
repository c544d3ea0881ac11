"""The seed loader keeps each article and drops the page clutter around it."""
from consumers.seeds import clean_page_text, load_seeds
from newsmon.settings import DEFAULT_TOPIC_DIR

SEEDS = DEFAULT_TOPIC_DIR / "seeds"


def by_stem():
    return {a.url.split(":", 1)[1][:3]: a for a in load_seeds(SEEDS)}


def test_all_five_seeds_load_with_their_language():
    seeds = by_stem()
    assert {k: a.language for k, a in seeds.items()} == {"000": "is", "001": "nl", "002": "bg", "003": "ro",
                                                         "004": "de"}
    assert all(len(a.text) > 250 for a in seeds.values())


def test_headline_lists_and_navigation_are_dropped():
    seeds = by_stem()
    assert "Lavrov" in seeds["000"].text and "Mest lesið" not in seeds["000"].text
    assert "Gretu Thunberg" not in seeds["000"].text
    assert "Lavrov" in seeds["001"].text and "Meer uit Buitenland" not in seeds["001"].text
    assert "Kaja Kallas" not in seeds["001"].text and "El Mencho" not in seeds["001"].text
    assert "Лавров" in seeds["002"].text and "РЕКЛАМА" not in seeds["002"].text
    assert "Сингапур" not in seeds["002"].text and not seeds["002"].text.startswith("http")
    assert "Şoigu" in seeds["003"].text and "App Store" not in seeds["003"].text
    assert "Taiwanului" not in seeds["003"].text
    assert "producția propriilor drone" in seeds["003"].text  # the article goes on after a gap in the layout
    assert "Fii primul" not in seeds["003"].text
    assert "Pezeshkian" in seeds["004"].text and "Exit mobile version" not in seeds["004"].text


def test_a_subheading_inside_the_article_stays_and_a_more_news_list_goes():
    raw = "\n".join([
        "Menu Home World Sport",
        "Moscow and Tehran deepen ties",
        "Russian Foreign Minister Sergei Lavrov met Iranian officials in Tehran on Monday to discuss a treaty.",
        "Drones and missiles",
        "Iran has supplied Russia with Shahed drones, Western officials say, and Lavrov did not deny it.",
        "More news",
        "PARIS (AFP) - French farmers blocked roads around Paris on Monday in protest against new rules.",
        "BERLIN (DPA) - The German government approved a budget for next year after weeks of debate.",
    ])
    title, text = clean_page_text(raw)
    assert title == "Moscow and Tehran deepen ties"
    assert "Drones and missiles" in text and "Shahed" in text
    assert "farmers" not in text and "budget" not in text and "Menu" not in text
