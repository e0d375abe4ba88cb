"""Unit tests for the clean stage: plain text, HTML, hostile input, rejections."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.records import CleanPage, RawDocument, Rejection
from flows.stages.clean._render import parse_html, render_lines
from flows.stages.clean.cleaner import CleanOptions, clean, clean_batch, filter_paragraphs
from flows.stages.clean.lines import load_line_rules, match_phrase

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"

PARAS = [
    "The city council voted on Tuesday to approve the new budget, which includes funding "
    "for schools and roads across the region and a new library.",
    "Officials said the plan would be reviewed again in the spring, after the first "
    "quarter figures are published by the finance office of the city.",
    "Residents who spoke at the meeting were divided, with some praising the investment "
    "and others worried about the rising cost of living in the area.",
    "The mayor told reporters that she was confident the budget would pass a final vote "
    "later this month without any major changes to the spending plan.",
]
TITLE = "Council approves budget after long debate"


@pytest.fixture(scope="module")
def opts():
    return CleanOptions(rules=load_line_rules(REFERENCE))


def _doc(text: str, kind: str = "text") -> RawDocument:
    return RawDocument("d1", "mem://d1", "https://example.com/a", kind, text, "utf-8",
                       len(text))


def _html(body: str, head: str = "") -> str:
    return f"<html><head><title>{TITLE} - Example News</title>{head}</head><body>{body}</body></html>"


ARTICLE_HTML = _html(
    "<nav><a href='/'>Home</a> | <a href='/w'>World</a> | <a href='/b'>Business</a></nav>"
    f"<article><h1>{TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) +
    "<p>Advertisement</p></article><footer>Privacy Policy</footer>",
    head='<script type="application/ld+json">'
         + json.dumps({"@type": "NewsArticle", "publisher": {"name": "Example News"}})
         + '</script><meta property="article:published_time" content="2022-02-18T10:00:00Z">',
)


def test_plain_text_keeps_every_line_with_decision(opts):
    text = "\n".join(["Home | World | Business", "", TITLE, "", *PARAS, "Advertisement"])
    page = clean(_doc(text), opts)
    assert isinstance(page, CleanPage)
    assert page.title == TITLE
    assert list(page.paragraphs) == PARAS
    assert [d.line_no for d in page.lines] == [1, 3, 5, 6, 7, 8, 9]
    assert {d.reason for d in page.removed} == {"menu_line", "title_line", "ad_label"}


def test_html_article_and_metadata(opts):
    page = clean(_doc(ARTICLE_HTML, "html"), opts)
    assert isinstance(page, CleanPage)
    assert page.extractor == "trafilatura+lines"
    assert page.title and TITLE in page.title
    assert all(TITLE != p for p in page.paragraphs)
    for p in PARAS:
        assert p in page.paragraphs
    assert "Advertisement" not in page.paragraphs
    assert page.published_date == "2022-02-18"
    assert page.publisher_hint == "Example News"
    # every line of the rendering is there, with a reason when removed
    rendered = render_lines(parse_html(ARTICLE_HTML, 10**6))
    assert [d.text for d in page.lines] == rendered
    assert any(d.reason == "html_boilerplate" and d.rule == "trafilatura" for d in page.removed)
    assert all(d.keep for d in page.lines if d.text in PARAS)


def test_20k_deep_html_survives(opts):
    deep = ("<html><body>" + "<div>" * 20000 + "<p>deep</p>" + "</div>" * 20000
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</body></html>")
    out = clean(_doc(deep, "html"), opts)
    assert isinstance(out, (CleanPage, Rejection))
    result = clean_batch([_doc(deep, "html")], opts)
    assert not any(r.reason.startswith("error_") for r in result.rejected)


def test_huge_html_is_capped(opts):
    small = CleanOptions(rules=opts.rules, max_html_chars=2000)
    big = _html("<p>" + "word " * 500_000 + "</p>")
    out = clean(_doc(big, "html"), small)
    assert isinstance(out, (CleanPage, Rejection))


@pytest.mark.parametrize("text,kind", [
    ("", "text"),
    ("   \n\n  ", "text"),
    ("Home\nLog In\nSubscribe\nPrivacy Policy", "text"),
    (_html("<div>We use cookies to improve your experience.</div><button>Accept all cookies"
           "</button><div>Cookie Settings</div>"), "html"),
    (_html("<h1>404</h1><p>Page not found</p><a href='/'>Home</a>"), "html"),
    (_html("<form><p>Log in to continue reading</p><input name=u><input name=p>"
           "<button>Sign In</button></form>"), "html"),
])
def test_no_article_text(opts, text, kind):
    out = clean(_doc(text, kind), opts)
    assert isinstance(out, Rejection)
    assert out.reason == "no_article_text"
    assert "characters of article text" in out.detail


def test_batch_counts_by_reason(opts):
    docs = [_doc("\n".join(PARAS)), _doc(""), _doc(ARTICLE_HTML, "html")]
    result = clean_batch(docs, opts)
    assert result.counts == {"cleaned": 2, "no_article_text": 1}


def test_unexpected_error_becomes_rejection(opts):
    bad = RawDocument("d", "mem://d", None, "text", None, "utf-8", 0)  # type: ignore[arg-type]
    result = clean_batch([bad], opts)
    assert result.rejected[0].reason.startswith("error_")


def test_table_rows_from_trafilatura_are_not_menu_rows(opts):
    rows = ["| Pos. | Driver | Points | Wins |", "| 1 | Kyle Busch | 5040 | 5 |",
            "Home | World | Business | Sport"]
    out = dict(filter_paragraphs(rows, opts, title=None))
    assert out[rows[0]] is None and out[rows[1]] is None
    assert out[rows[2]].reason == "menu_line"


def test_html_scoped_phrases_apply_to_trafilatura_paragraphs_only(opts):
    """"Copyright ..." is a footer among trafilatura's paragraphs, but in a plain-text
    page it is as often a photo credit inside the article, and as a section break it
    would cut the article there: rows with scope `html` never reach the classifier."""
    credit = "Copyright 2021 The Associated Press."
    out = dict(filter_paragraphs([credit], opts, title=None))
    assert out[credit].reason == "site_footer" and out[credit].rule == "phrase:copyright"
    assert match_phrase(credit, opts.rules) is None
    assert match_phrase(credit, opts.rules, html=True).scope == "html"


@pytest.mark.parametrize("declaration", [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '\ufeff  <?xml version="1.0" encoding="iso-8859-1" ?>\n',
    "<?XML version='1.0' encoding='utf-8'?>",
])
def test_xhtml_with_an_xml_declaration_is_parsed(opts, declaration):
    """lxml refuses a decoded str that declares an encoding ("Unicode strings with
    encoding declaration are not supported"): such XHTML pages parsed to nothing and were
    quarantined as no_article_text (4 of 493 trafilatura-eval pages)."""
    xhtml = (declaration + '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
             '<html xmlns="http://www.w3.org/1999/xhtml">'
             + _html("<article>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>")[6:])
    root = parse_html(xhtml, 1_000_000)
    assert root is not None and PARAS[0] in render_lines(root)
    page = clean(_doc(xhtml, "html"), opts)
    assert isinstance(page, CleanPage) and PARAS[1] in page.text
