"""Publisher detection: URL and HTML metadata first, then chrome and text, never on weak evidence."""
from __future__ import annotations

import pytest

from flows.stages.detect.detector import detect, detect_outlet, load_registry, page_meta
from test_detect_support import REFERENCE, make_page

BODY = "The minister said on Friday that talks would continue next week in Geneva."


@pytest.fixture(scope="module")
def reg():
    return load_registry(REFERENCE)


def test_url_domain_registered(reg):
    o = detect_outlet(make_page([BODY], url="https://www.presstv.ir/Detail/2022/01/15/1"), reg)
    assert (o.outlet_id, o.domain, o.registered) == ("presstv", "presstv.ir", True)
    assert o.evidence[0].signal == "url_domain" and o.confidence >= 0.9


def test_url_subdomain_and_mirror(reg):
    o = detect_outlet(make_page([BODY], url="https://edition.cnn.com/2022/x.html"), reg)
    assert (o.outlet_id, o.domain) == ("cnn", "edition.cnn.com")
    o = detect_outlet(make_page([BODY], url="https://sputnikglobe.com/20220218/x.html"), reg)
    assert o.name == "Sputnik International"


def test_unregistered_url_gets_unregistered_outlet(reg):
    page = make_page([BODY], url="https://www.smalltown-gazette.test/news/1",
                     site_name="Smalltown Gazette")
    o = detect_outlet(page, reg)
    assert (o.outlet_id, o.name, o.domain, o.registered) == (
        None, "Smalltown Gazette", "smalltown-gazette.test", False)
    o = detect_outlet(make_page([BODY], url="https://blog.example.test/p/1"), reg)
    assert (o.name, o.domain, o.registered) == ("blog.example.test", "blog.example.test", False)


def test_an_address_only_site_name_takes_the_pages_own_spelling(reg):
    lines = [("Jobb i Smalltowngazette", False), BODY, ("Foto: A. Berg / Smalltowngazette", False)]
    page = make_page(lines, url="https://www.smalltowngazette.test/news/1",
                     site_name="smalltowngazette.test")
    o = detect_outlet(page, reg)
    assert (o.name, o.domain) == ("Smalltowngazette", "smalltowngazette.test")
    assert o.evidence[-1].signal == "page_spelling"
    page = make_page([BODY], url="https://www.smalltowngazette.test/news/1",
                     site_name="https://www.smalltowngazette.test")
    assert detect_outlet(page, reg).name == "smalltowngazette.test"  # a host, not a URL


def test_wire_is_publisher_on_its_own_site(reg):
    o = detect_outlet(make_page(["WASHINGTON (AP) — " + BODY], url="https://apnews.com/x"), reg)
    assert o.outlet_id == "ap"


HTML = """<html><head><title>x</title>
<link rel="canonical" href="https://www.theguardian.com/world/2022/jan/28/x">
<meta property="og:site_name" content="the Guardian">
<script type="application/ld+json">{"@type":"NewsArticle","publisher":{"@type":"Organization","name":"The Guardian"}}</script>
</head><body><p>x</p></body></html>"""


def test_page_meta():
    m = page_meta(HTML)
    assert m["canonical"].startswith("https://www.theguardian.com/")
    assert m["og:site_name"] == "the Guardian" and m["publisher"] == "The Guardian"


def test_html_canonical_without_url(reg):
    o = detect_outlet(make_page([BODY], html=HTML), reg)
    assert (o.outlet_id, o.domain) == ("guardian", "theguardian.com")
    assert {e.signal for e in o.evidence} >= {"canonical_url", "og_site_name"}


def test_html_site_name_only(reg):
    html = '<html><head><meta property="og:site_name" content="Reuters"></head></html>'
    o = detect_outlet(make_page([BODY], html=html), reg)
    assert (o.outlet_id, o.domain) == ("reuters", "reuters.com")


def test_jsonld_publisher_hint_never_makes_a_wire_the_publisher(reg):
    o = detect_outlet(make_page([BODY], html="<html></html>",
                                publisher_hint="Associated Press"), reg)
    assert o is None or o.outlet_id != "ap"


@pytest.mark.parametrize("line,oid", [
    ("Press TV’s website can also be accessed at the following alternate addresses:", "presstv"),
    ("Blitz’s Editorial Board is responsible for the stories published under this byline.",
     "weekly_blitz"),
    ("- Sputnik International, 1920, 13.01.2022", "sputnik"),
    ("© 2022 BBC. The BBC is not responsible for the content of external sites.", "bbc"),
    ("Copyright © 2022 Українська правда. All rights reserved.", "pravda_ua"),
    ("© DER SPIEGEL 2022 - Alle Rechte vorbehalten", "spiegel"),
    ("Follow Al Jazeera on Twitter", "aljazeera"),
])
def test_chrome_self_reference(reg, line, oid):
    for keep in (True, False):  # works whether the cleaner kept or removed the chrome
        o = detect_outlet(make_page([BODY, (line, keep)]), reg)
        assert o is not None and o.outlet_id == oid, (line, keep)
        assert o.evidence[0].line_no == 2


def test_removed_chrome_is_stronger_than_kept():
    reg = load_registry(REFERENCE)
    line = "© 2022 BBC"
    kept = detect_outlet(make_page([BODY, line]), reg)
    removed = detect_outlet(make_page([BODY, (line, False)]), reg)
    assert removed.confidence > kept.confidence


def test_photo_credit_is_not_a_publisher(reg):
    assert detect_outlet(make_page([BODY, "© Reuters / Stringer"]), reg) is None


def test_told_outlet_alone_is_weak_self_credit(reg):
    o = detect(make_page([BODY, "“It is a strategy,” Titov told Al Jazeera."]), reg).outlet
    assert o.outlet_id == "aljazeera" and o.evidence[0].signal == "self_credit"
    assert o.confidence < 0.7


def test_cited_outlet_is_not_the_publisher(reg):
    page = make_page([
        "Nevertheless, “an official claimed that intelligence shows it”, Fox News reported.",
        "“An unnamed US official first told Fox News on Jan. 14 that it began,” the report said.",
    ])
    assert detect(page, reg).outlet is None


def test_reprinted_wire_story_has_no_publisher(reg):
    page = make_page([
        "MOSCOW (AP) – The Kremlin said Friday that the president will seek guarantees.",
        "“We have no plans,” Kosachev told Russia’s state TV channel Russia-24.",
        "The discovery was first reported by The Washington Post.",
        ("Mail Us For DMCA / Credit Notice", False),
    ])
    a = detect(page, reg)
    assert a.outlet is None
    assert a.wire.outlet_id == "ap"


def test_nothing_known_is_none(reg):
    assert detect_outlet(make_page([BODY, "Share this article"]), reg) is None


def test_unregistered_site_named_by_its_copyright_footer(reg):
    from flows.records import CleanPage, LineDecision, RawDocument
    from flows.stages.detect.detector import copyright_outlet

    doc = RawDocument("f" * 64, "/x/p.txt", None, "text", "", "utf-8", 1)
    lines = (LineDecision(1, "Body line of the story.", True, "kept"),
             LineDecision(2, "© 2022 Le Courrier du Rhône – Tous droits réservés – courrierdurhone.example",
                          False, "site_footer"))
    page = CleanPage(doc, "T", None, None, None, None, None, ("Body line of the story.",), lines, "lines")
    m = copyright_outlet(page, reg)
    assert (m.name, m.domain, m.registered) == ("Le Courrier du Rhône", "courrierdurhone.example", False)
    assert m.evidence[0].signal == "copyright_line" and m.evidence[0].line_no == 2


# ------------------------------------------------------------ web-archive captures

def test_original_url_of_wayback_style_captures():
    from flows.stages.detect.outlets import original_url

    assert original_url("https://web.archive.org/web/20070228213001/http://www.alt-eco.fr/a.html") \
        == "http://www.alt-eco.fr/a.html"
    assert original_url("http://web.archive.org/web/20120611024252id_/http:/www.x.test/n?q=1") \
        == "http://www.x.test/n?q=1"
    assert original_url("https://wayback.archive-it.org/1234/20200101000000/https://foo.test/a") \
        == "https://foo.test/a"
    for plain in ("https://example.com/2024/05/article.html",
                  "https://news.example/20240503120000/story.html",
                  "https://sputnikglobe.com/20220218/x.html", None, ""):
        assert original_url(plain) == plain


def test_archived_page_is_published_by_the_archived_site(reg):
    """Every capture used to be one outlet, `domain:web.archive.org`, with a different site
    name per page: the uniqueness check on outlets then quarantined them all."""
    capture = "https://web.archive.org/web/20110106023242/http://blog.example.test/p/1"
    o = detect_outlet(make_page([BODY], url=capture, site_name="The Example Blog"), reg)
    assert (o.name, o.domain, o.registered) == ("The Example Blog", "blog.example.test", False)
    # trafilatura's site name falls back to the address: the archive's host is no site name
    o = detect_outlet(make_page([BODY], url=capture, site_name="web.archive.org"), reg)
    assert (o.name, o.domain) == ("blog.example.test", "blog.example.test")
    o = detect_outlet(make_page([BODY], url="https://web.archive.org/web/2019/https://www.presstv.ir/x"), reg)
    assert (o.outlet_id, o.domain) == ("presstv", "presstv.ir")


def test_copyright_lines_name_the_site_not_the_phrase(reg):
    """"© 2019. All rights reserved" names nobody (it made an outlet "All rights reserved"
    shared by unrelated sites); an em-dash year range is a year range."""
    from flows.stages.detect.detector import copyright_outlet

    assert copyright_outlet(make_page([BODY, "Copyright © 2019. All Rights Reserved"]), reg) is None
    assert copyright_outlet(make_page([BODY, "© 2021 All rights reserved"]), reg) is None
    o = copyright_outlet(make_page([BODY, "© 1997—2024 Golem.de. Alle Rechte vorbehalten."]), reg)
    assert o is not None and o.name == "Golem.de"
