"""Bylines and datelines: read next to where the article starts, never from furniture."""
import datetime as dt

import pytest

from flows.config import Settings
from flows.records import LineDecision
from flows.stages.clean.byline import (
    find_byline, find_dateline, load_byline_rules, site_author, text_author_and_date,
)

TODAY = dt.date(2026, 11, 25)
BODY = [
    "The council voted on Tuesday to close the old bridge for repairs, the mayor said, "
    "after engineers found cracks in two of its supports.",
    "Traffic will be diverted through the town centre until the work ends in spring.",
]


@pytest.fixture(scope="module")
def rules():
    return load_byline_rules(Settings().reference_dir)


def _page(*head, body=BODY, first="Bridge closed for repairs | The Daily Example"):
    """Decisions of a page: the title line, removed head lines, then kept body lines."""
    lines = [first, *head]
    out = [LineDecision(i + 1, t, False, "outside_main_block") for i, t in enumerate(lines)]
    out += [LineDecision(len(out) + i + 1, t, True, "kept") for i, t in enumerate(body)]
    return out


@pytest.mark.parametrize("line,author", [
    ("By Jon Dougherty", "Jon Dougherty"),
    ("Von Anna Muster, Redakteurin für Finanzen", "Anna Muster"),
    ("Par Denis Loctier", "Denis Loctier"),
    ("Por María R. Sahuquillo", "María R. Sahuquillo"),
    ("di Viviana Mazza", "Viviana Mazza"),
    ("Von Anna Martel und Lea Wagner, Nairobi", "Anna Martel, Lea Wagner"),
    ("By Samya Kullab and Vasilisa Stepanenko The Associated Press", "Samya Kullab, Vasilisa Stepanenko The Associated Press"),
    ("Von: JÖRG ZSCHOCHE", "JÖRG ZSCHOCHE"),
    ("Geingob, News | Published: 5 hours ago | Written by Eliaser Ndeyanale", "Eliaser Ndeyanale"),
    ("By Associated Press", "Associated Press"),
    ("Ein Kommentar von Jan Sellner", "Jan Sellner"),
])
def test_byline_words_in_many_languages(rules, line, author):
    found, _ = find_byline(_page("Bridge closed for repairs", line), rules, None, TODAY)
    assert found == author


def test_a_lone_byline_word_labels_the_next_line(rules):
    found, _ = find_byline(_page("Author of the article:", "By Ben Andrews"), rules, None, TODAY)
    assert found == "Ben Andrews"
    found, _ = find_byline(_page("von", "Anne-Marie Slaughter"), rules, None, TODAY)
    assert found == "Anne-Marie Slaughter"


def test_a_bare_name_needs_a_date_beside_it(rules):
    assert find_byline(_page("Dirk Knop", "03.05.2024 15:42 Uhr"), rules, None, TODAY)[0] == "Dirk Knop"
    assert find_byline(_page("Nizaar Kinsella2 minutes ago"), rules, None, TODAY)[0] == "Nizaar Kinsella"
    assert find_byline(_page("Stefan Trunzik, 26.04.2024 10:00 Uhr"), rules, None, TODAY)[0] == "Stefan Trunzik"
    # no date nearby: a capitalised pair of words is not a byline
    assert find_byline(_page("Marais Bistro"), rules, None, TODAY)[0] is None


@pytest.mark.parametrize("line", [
    "Foto: Renata Matějková",            # photo credit
    "(Photos by Associated Press; photo illustration by Tim Hubbard)",
    "Published November 18, 2024",       # a dateline is not a name
    "SUSCRÍBETE PARA ESCUCHAR",           # a row of capitals is a button
    "Getty Images",
    "Mamertus (Erzbischof von Vienne, 11. Mai)",
])
def test_credits_datelines_and_buttons_are_not_authors(rules, line):
    found, _ = find_byline(_page(line, "03.05.2024 15:42 Uhr"), rules, None, TODAY)
    assert found is None


def test_the_sites_own_name_is_not_an_author(rules):
    found, _ = find_byline(_page("The Daily Example", "May 2, 2024"), rules, None, TODAY)
    assert found is None
    # a site-signed piece: no caption name beside it becomes the author
    found, _ = find_byline(_page("von The Daily Example 30. Juni 2025", "Rainer de Meijer, Irene Lingg"),
                           rules, None, TODAY)
    assert found is None


def test_the_dateline_next_to_the_byline_wins(rules):
    decisions = _page("Updated 01.01.2024", "Bridge closed", "By Jon Dougherty",
                      "Published 12 February 2024")
    author, at = find_byline(decisions, rules, None, TODAY)
    assert author == "Jon Dougherty"
    assert find_dateline(decisions, rules, at, TODAY) == "2024-02-12"


def test_text_author_and_date_without_rules_is_empty():
    assert text_author_and_date(["x"], [], None, None) == (None, None)


@pytest.mark.parametrize("author,sites,is_site", [
    ("Deutsche Welle", ["Deutsche Welle"], True),
    ("N-Tv Nachrichten", ["n-tv.de"], True),
    ("Sportschau De", ["www.sportschau.de"], True),
    ("Le Figaro et AFP", ["Le Figaro"], False),
    ("Jan Michael Marchart", ["derStandard.at", "art"], False),
    ("Anna Sleegers", [None, "Börsen-Zeitung"], False),
])
def test_site_author(rules, author, sites, is_site):
    assert site_author(author, sites, rules.agencies) is is_site


def test_a_date_standing_alone_after_the_start_is_the_last_resort(rules):
    from flows.stages.clean.byline import first_date_line
    decisions = _page("Bridge closed", body=[*BODY * 6, "29.06.2025", "Other story", "01.01.2025"])
    assert find_dateline(decisions, rules, None, TODAY) is None  # too far below the start
    assert first_date_line(decisions, rules, TODAY) == "2025-06-29"
    assert text_author_and_date([d.text for d in decisions], decisions, None, rules, TODAY)[1] == "2025-06-29"


def test_page_vocabulary_in_capitals_is_not_a_name(rules):
    body = [*BODY, "The latest news from the council, and letters to the editor."]
    for line in ("Latest News", "Letters To The Editor"):
        assert find_byline(_page(line, "May 2, 2024", body=body), rules, None, TODAY)[0] is None
    # a surname the page writes in lower case is rare; a byline word makes the name certain
    assert find_byline(_page("Dirk Knop", "May 2, 2024", body=body), rules, None, TODAY)[0] == "Dirk Knop"


def test_a_byline_word_run_into_the_name(rules):
    assert find_byline(_page("ByAlex Bozarjian"), rules, None, TODAY)[0] == "Alex Bozarjian"
    assert find_byline(_page("PorRodolfo Costa"), rules, None, TODAY)[0] == "Rodolfo Costa"
    # a surname that starts like a byline word is not split
    assert find_byline(_page("DiCaprio Leo"), rules, None, TODAY)[0] is None
