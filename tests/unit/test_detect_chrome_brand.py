"""The brand a page's chrome links wrap in service words (`flows/stages/detect/chrome_brand.py`)
and how the publisher detector weighs it against title suffixes and parent-company footers."""
from __future__ import annotations

import pytest

from flows.stages.detect.chrome_brand import _brand_of, chrome_brand
from flows.stages.detect.detector import detect_outlet
from test_detect_support import BODY, make_page, reg, rules  # noqa: F401 (fixtures)



@pytest.mark.parametrize("line, brand", [
    ("Jobs bei Harbourpost", ("Harbourpost", "jobs")),
    ("❤ Harbourpost unterstützen", ("Harbourpost", "unterstützen")),
    ("_Das Harbourpost-Archiv", ("Harbourpost", "archiv")),
    ("Den Harbourpost abonnieren", ("Harbourpost", "abonnieren")),
    ("Om Nordavisen", ("Nordavisen", "om")),
    ("L.A. Gazette Careers", ("L.A. Gazette", "careers")),
    ("Mein Konto", None),                      # nothing left but a possessive
    ("Newsletter Podcast Abo", None),          # a nav row
    ("Service & Kontakt", None),               # two links
    ("Unternavigation zu Service", None),      # a label before "to <page>"
    ("Welcome! Log into your account", None),
    ("podcast agenda", None),                  # not a capitalised name
    ("Harbourpost", None),                     # a bare name is no service line
])
def test_brand_of_a_service_line(rules, line, brand):
    assert _brand_of(line, rules) == brand


def test_chrome_brand_needs_two_different_service_words(rules):
    one = make_page([BODY, ("Börsen-Tag - Archiv", False), ("Der Börsen-Tag – Archiv", False)])
    assert chrome_brand(one.lines, rules) is None
    two = make_page([("Über Harbourpost", False), BODY, ("Harbourpost jobs", False)])
    b = chrome_brand(two.lines, rules)
    assert (b.name, b.lines, b.line_no) == ("Harbourpost", 2, 1)


def test_chrome_brand_names_the_site_over_a_parent_company_footer(reg):
    page = make_page(["Storm closes the harbour road", BODY,
                      ("Harbourpost Newsletter", False), ("Kontakt Harbourpost", False),
                      ("© 2025 Coastline Verlagsgruppe GmbH. Alle Rechte vorbehalten.", False)])
    o = detect_outlet(page, reg)
    assert o.name == "Harbourpost" and o.evidence[0].signal == "chrome_brand"


def test_chrome_brand_backs_the_title_suffix_it_spells(reg):
    page = make_page(["Storm closes the harbour road | The Harbourpost", BODY,
                      ("Harbourpost App", False), ("About Harbourpost", False)])
    o = detect_outlet(page, reg)
    assert o.name == "The Harbourpost" and o.evidence[0].signal == "title_suffix"


def test_chrome_brand_of_initials_backs_the_footer_name(reg):
    page = make_page(["Storm closes the harbour road", BODY, ("SUPPORT HP", False),
                      ("HP SHOP", False), ("© 2025 Harbour Post. All rights reserved.", False)])
    assert detect_outlet(page, reg).name == "Harbour Post"


def test_a_group_word_after_the_brand_is_one_more_of_its_links(rules):
    page = make_page([BODY, ("Harbour Post Shops", False), ("Harbour Post Mediengruppe", False)])
    assert chrome_brand(page.lines, rules).name == "Harbour Post"
    # a group word before a name, or several links on one line, name nothing
    nav = make_page([BODY, ("Social Media", False), ("Medien • Social Media", False),
                     ("Media Social", False)])
    assert chrome_brand(nav.lines, rules) is None


def test_chrome_domain_is_the_one_host_the_chrome_writes_twice(rules):
    from flows.stages.detect.site_names import chrome_domain
    lines = ["Wie zufrieden sind Sie mit Ihrem Besuch auf harbourpost.de?", "Impressum",
             "Wir verbessern harbourpost.de stetig.", "Folgen Sie uns: instagram.com/hp",
             "instagram.com/hp", "E.ON und EE.UU. im Text", "E.ON"]
    assert chrome_domain(lines, rules) == ("harbourpost.de", 0)
    # a list of sister sites names no single one
    assert chrome_domain(["alpha-site.de", "b-site.de", "alpha-site.de", "b-site.de"],
                         rules) is None


def test_chrome_domain_names_the_site_over_a_parent_company_footer(reg):
    page = make_page(["Storm closes the harbour road", BODY,
                      ("Ihr Besuch auf harbourpost.de", False),
                      ("Feedback zu harbourpost.de", False),
                      ("© 2025 Coastline Verlag GmbH. Alle Rechte vorbehalten.", False)])
    o = detect_outlet(page, reg)
    assert (o.name, o.domain) == ("harbourpost.de", "harbourpost.de")


def test_is_platform_by_label_or_end(rules):
    from flows.stages.detect.site_names import _is_platform
    assert _is_platform("x.com", rules) and _is_platform("de.instagram.com", rules)
    assert _is_platform("web.de", rules) and not _is_platform("greentech.live", rules)
    assert not _is_platform("harbourpost.de", rules)


def test_email_domain_is_the_newsroom_host_two_addresses_share(rules):
    from flows.stages.detect.site_names import email_domain
    lines = ["기자 ninek@harbourpost.co.kr", "reader@gmail.com", "user@harbourpost.co.kr",
             "tips@gmail.com"]
    assert email_domain(lines, rules) == "harbourpost.co.kr"
    assert email_domain(lines[:2], rules) is None


def test_a_name_in_another_script_takes_the_newsroom_email_host(reg):
    page = make_page(["폭우로 항구 도로 폐쇄 - 항구일보", BODY, "김기자 kim@harbourpost.co.kr",
                      ("제보 tips@harbourpost.co.kr", False)])
    o = detect_outlet(page, reg)
    assert (o.name, o.domain) == ("항구일보", "harbourpost.co.kr")


def test_the_masthead_gives_the_full_name_of_a_shortened_brand(rules):
    page = make_page([("Harbourpost-Club", False), ("Northern Harbourpost", False), BODY,
                      ("Jetzt Harbourpost testen", False), ("Discover Harbourpost", False),
                      ("Northern Harbourpost", False), ("Der Harbourpost", False)])
    b = chrome_brand(page.lines, rules)
    assert (b.name, b.short) == ("Northern Harbourpost", "Harbourpost")


def test_a_chrome_brand_carries_no_legal_form(reg):
    page = make_page(["Storm closes the harbour road", BODY,
                      ("Harbourpost GmbH Jobs", False), ("Kontakt Harbourpost GmbH", False)])
    assert detect_outlet(page, reg).name == "Harbourpost"
