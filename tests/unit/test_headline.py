"""Unit tests for the headline choice: site parts, agreement, plain-text and HTML rules."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from flows.stages.clean.headline import (
    agreeing, html_headline, html_names, site_names, strip_site, text_headline,
)
from flows.stages.clean.lines import classify_page, detect_title, load_line_rules
from test_lines import EN_BODY

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"

BODY = EN_BODY
HEADLINE = "Council approves budget after long debate"


@pytest.fixture(scope="module")
def rules():
    return load_line_rules(REFERENCE)


@pytest.mark.parametrize("title, names, url, expected", [
    # the site by its declared name, with accents folded ("Börsen-Zeitung")
    ("Wero besteht Praxistest im digitalen Handel | Börsen-Zeitung", ["Börsen-Zeitung"], None,
     "Wero besteht Praxistest im digitalen Handel"),
    # the site by the URL's domain (transliterated "oe"), without any declared name
    ("Steigende Zinsen setzen dem Dax zu | Börsen-Zeitung", [],
     "https://www.boersen-zeitung.de/x", "Steigende Zinsen setzen dem Dax zu"),
    # site and date after dashes: cut at the first site segment
    ("Ukrainische Gegenoffensive: Ziele, Chancen – DW – 28.04.2023", [], "https://www.dw.com/a",
     "Ukrainische Gegenoffensive: Ziele, Chancen"),
    # a domain-shaped segment is the site even when nothing else is known
    ("LTE-Patent: Samsung soll Smartphones zerstören - Golem.de", [], None,
     "LTE-Patent: Samsung soll Smartphones zerstören"),
    # short parts after the first pipe of a long head
    ("Five key policies announced in the speech | Politics News | Metro News", [], None,
     "Five key policies announced in the speech"),
    # "Headline, Site, date" templates
    ("Kenia: Nairobi von unten, Tageszeitung junge Welt, 18.05.2026", [], None,
     "Kenia: Nairobi von unten"),
    # a dash inside the headline stays when no segment is the site's
    ("Brand in Betrieb in Lichterfelde – Starke Rauchentwicklung", ["Berliner Morgenpost"],
     None, "Brand in Betrieb in Lichterfelde – Starke Rauchentwicklung"),
])
def test_strip_site(title, names, url, expected):
    assert strip_site(title, site_names(names[0] if names else None, url)) == expected


def test_strip_site_uses_the_pages_short_lines_as_mastheads():
    title = "Isihluku kubulawa isaguga eMbali | Eyethu News"
    assert strip_site(title, (), frozenset({"eyethu news"})) == "Isihluku kubulawa isaguga eMbali"


def test_agreeing_prefers_a_segment_run_over_a_reworded_line():
    name = "Russia hits Kyiv with missile, damages schools - National | Globalnews.ca"
    cands = ["Share to Twitter", "Russia strikes Kyiv with missile, damaging schools",
             "Russia hits Kyiv with missile, damages schools"]
    assert agreeing(cands, [name], [strip_site(name)]) == 2
    assert agreeing(cands[:2], [name], [strip_site(name)]) == 1  # fuzzy
    assert agreeing(cands[:1], [name], [strip_site(name)]) is None


def test_plain_text_headline_is_the_line_that_repeats_the_title(rules):
    lines = [f"{HEADLINE} | The Northgate Observer", "Home News Sport Weather iPlayer Sounds",
             "Senden Facebook Twitter WhatsApp", "Share to Twitter", HEADLINE,
             "By Jane Doe", *BODY]
    assert detect_title(lines, rules) == HEADLINE
    title, decisions = classify_page(lines, rules)
    assert title == HEADLINE
    assert [d.line_no for d in decisions if d.reason == "title_line"] == [1, 5]


def test_plain_text_headline_joins_a_kicker_line(rules):
    lines = ["Nach Gaetz-Rückzug: Trump-Anwältin soll Justizministerin werden - news.ORF.at",
             "Menü", "Nach Gaetz-Rückzug", "Trump-Anwältin soll Justizministerin werden",
             *BODY]
    assert detect_title(lines, rules) == \
        "Nach Gaetz-Rückzug: Trump-Anwältin soll Justizministerin werden"


def test_plain_text_headline_falls_back_to_the_title_without_its_site(rules):
    lines = [f"{HEADLINE} - Golem.de", "Per E-Mail teilen", "Story continues below", *BODY]
    assert detect_title(lines, rules) == HEADLINE


def test_plain_text_headline_above_a_byline_when_nothing_agrees():
    texts = ["An entirely different search-engine title for the page", "Menu",
             "Strong tornadoes possible in severe storm outbreak", "By Matthew Cappucci",
             BODY[0]]
    keys = [" ".join(t.lower().split()) for t in texts]
    title, idx = text_headline(texts, keys, range(1, 5), lambda i: True, lambda i: True,
                               lambda: None, lambda i: texts[i].startswith("By "), 4)
    assert (title, idx) == (texts[2], 2)


def test_plain_text_headline_above_its_dek_and_byline_not_a_quoted_post_below():
    texts = ["An entirely different search-engine title for the page", "Weather Climate Lab",
             "Strong tornadoes possible in severe storm outbreak",
             "Strong tornadoes are possible across the central states both Friday and Saturday",
             "By Matthew Cappucci", BODY[0], "Landspout tornado northeast of the town today",
             "- Storm Chaser (@chaser) April 25, 2024", BODY[1]]
    keys = [" ".join(t.lower().split()) for t in texts]
    meta = lambda i: texts[i].startswith(("By ", "- "))  # noqa: E731
    title, idx = text_headline(texts, keys, range(1, 9), lambda i: True, lambda i: True,
                               lambda: None, meta, 5)
    assert (title, idx) == (texts[2], 2)


def test_html_h1_confirms_a_section_part_and_site_is_cut():
    assert html_headline(
        "Russia hits Kyiv with missile, damages schools - National | Globalnews.ca",
        h1s=["Russia hits Kyiv with missile, damages schools"], site_name="Global News",
    ) == "Russia hits Kyiv with missile, damages schools"


def test_html_h1_known_to_no_name_wins_but_a_second_headline_does_not():
    og = "Notbetrieb und Notfallplan: Osttiroler Kinder erlebten heißen Montag"
    h1 = "Nur ein Drittel der Kinder kam am Montag in die Schule"
    assert html_headline(og, og_title=og, page_title=og, h1s=[h1]) == h1
    # the <h1> repeats the <title> while og:title differs: og:title stays
    title = "Comment les efforts européens ont permis de sauver le merlu"
    og = "Le merlu de l'Atlantique Nord sauvé de l'extinction ?"
    assert html_headline(og, og_title=og, page_title=title + " | Euronews",
                         h1s=[title], site_name="euronews") == og
    # an <h1> that is the site's logo shares no word with the title
    assert html_headline(og, og_title=og, h1s=["Euronews Home"]) == og


def test_html_names_reads_meta_jsonld_and_h1():
    root = html.document_fromstring(
        '<html><head><title>T | Site</title><meta property="og:title" content="OG">'
        '<meta name="twitter:title" content="TW"><meta property="og:site_name" content="Site">'
        '<script type="application/ld+json">{"@graph": [{"headline": "LD"}]}</script>'
        '</head><body><h1> Head  line </h1></body></html>')
    assert html_names(root) == dict(page_title="T | Site", og_title="OG", twitter_title="TW",
                                    ld_headline="LD", site_name="Site", h1s=["Head line"])
