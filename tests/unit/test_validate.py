"""Validate stage: real GX suites from expectations/, critical vs warning."""
import datetime as dt
import json

import pytest

from flows.config import Settings
from flows.records import Article, CleanPage, RawDocument
from flows.stages.validate.articles import (Validator, has_markup, has_mojibake, load_suites,
                                   merge_results, validate_articles)


@pytest.fixture(scope="module")
def validator():
    return Validator(load_suites(Settings().expectations_dir), today=dt.date(2026, 11, 25))


def _art(doc_id, text="word " * 40, lang="en", date="2022-01-03", title="A fine headline"):
    doc = RawDocument(doc_id, f"/x/{doc_id}.txt", None, "text", text, "utf-8", len(text))
    page = CleanPage(doc, title, None, date, None, None, None, tuple(text.split("\n")), (), "lines")
    return Article(page, lang, 0.99, None, None)


def test_every_suite_is_named_after_its_file_and_says_why():
    for name, suite in load_suites(Settings().expectations_dir).items():
        assert suite["name"] == name
        for e in suite["expectations"]:
            assert e["meta"].get("why"), e
            assert e["severity"] in {"critical", "warning"}, e
            if e["severity"] == "critical" and name == "core.articles":
                assert e["meta"].get("quarantine_reason"), e


def test_critical_failure_quarantines_only_that_document(validator):
    good, stub, markup = _art("a"), _art("b", text="too short"), _art("c", text="<div>x</div> " * 30)
    out = validate_articles([good, stub, markup], validator)
    assert [a.doc_id for a in out.kept] == ["a"]
    reasons = {r.doc_id: r for r in out.rejected}
    assert "word_count" in out.failed_expectations["b"][0]
    assert any("has_markup" in n for n in out.failed_expectations["c"])
    assert reasons["b"].stage == "validate" and reasons["b"].reason == "word_count_out_of_range"
    assert reasons["c"].reason == "markup_in_text"


def test_warning_loads_and_is_recorded(validator):
    out = validate_articles([_art("a", date="2099-01-01")], validator)
    assert [a.doc_id for a in out.kept] == ["a"]
    row = next(r for r in out.results if r["column_name"] == "published_date")
    assert row["severity"] == "warning" and row["success"] is False and row["unexpected_count"] == 1


def test_merge_results_sums_batches(validator):
    rows = validate_articles([_art("a")], validator).results + validate_articles([_art("b", text="x")], validator).results
    merged = {(r["expectation"], r["severity"]): r for r in merge_results(rows)}
    wc = merged[("expect_column_values_to_be_between(word_count)", "critical")]
    assert wc["element_count"] == 2 and wc["unexpected_count"] == 1 and wc["success"] is False


def test_markup_and_mojibake_detectors():
    assert has_markup("text <p class='x'>more") and has_markup("a &amp; b")
    assert not has_markup("a < b and c > d")
    assert has_markup("<BR>") and has_markup("</div>") and has_markup("x&#x2019;s")
    assert has_markup("&#8217;") and has_markup("<img src=x.png/>")


def test_angle_brackets_in_prose_are_not_markup():
    # Korean and Chinese texts put titles of works in angle brackets; a bench page
    # (Jeongdong Theater) was quarantined as markup_in_text for this.
    assert not has_markup("Visitors came to watch <The Palace: Tale of Jang Noksu> and left reviews.")
    assert not has_markup("the film <Big Fish> and <Mark Twain> essays")  # mixed case: a title
    assert not has_markup("AT&T; R&D; and Q&A;")  # not HTML character references
    assert has_mojibake("donâ€™t and cafÃ© and naÃ¯ve")
    assert not has_mojibake("don’t and café")


def test_a_critical_expectation_that_errors_holds_back_the_batch():
    suite = {"name": "core.articles", "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "no_such_column", "min_value": 1},
         "meta": {"why": "test"}, "severity": "critical"}]}
    v = Validator({"core.articles": suite})
    out = validate_articles([_art("a"), _art("b")], v)
    assert out.kept == [] and {r.reason for r in out.rejected} == {"validation_error"}


@pytest.mark.parametrize("text", [
    "He said ‚Äúno‚Äù.",                 # Mac Roman, the damaged-UTF-8 page's mojibake
    "It‚Äôs the one that got away.",    # a single mangled apostrophe is enough
    "donâ€™t stop",                       # cp1252
    "don\u00e2\u0080\u0099t stop",         # Latin-1 (C1 controls)
    "caf√© and na√Øve",                 # Mac Roman letters, twice
    "Привет, мир".encode().decode("mac_roman"),  # Cyrillic read as Mac Roman
    "cafÃ© and naÃ¯ve",                   # cp1252 letters, twice
])
def test_mojibake_of_utf8_is_caught(text):
    assert has_mojibake(text)


@pytest.mark.parametrize("text", [
    "Die Mutter sagte: ‚Äpfel sind gesund‘, und „Öl“ auch.",  # German single low quote before Ä
    "√π ≈ 1.772, and √2 is irrational.",                     # a formula
    "NÃO SÃO PAULO — IRMÃ",                                  # Portuguese capitals
    "Þórður og Ðóra fóru í Ásbyrgi.",                        # Icelandic
    "Ông Nguyễn Văn Ân nói rằng Ủy ban đã họp.",              # Vietnamese
    "Cena: 100 zł — ¬ to nie jest znak negacji.",
    "«Ça va?» — répondit-il. Être ou ne pas être.",
    "Ελληνικά, русский, עברית, العربية, 日本語, 한국어, हिन्दी",
])
def test_real_text_in_many_languages_is_not_mojibake(text):
    assert not has_mojibake(text)


def test_chinese_and_japanese_articles_pass_the_word_count(validator):
    """word_count counts CJK characters (flows/stages/words.py); by spaces, these were
    1 word each and quarantined as word_count_out_of_range."""
    ja = "政府は二十日、新しい経済対策を閣議決定した。総額は約十兆円に上る見通しだ。" * 3
    zh = "国务院总理主持召开国务院常务会议，研究部署进一步扩大内需的政策措施。" * 3
    th = "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้ง " * 3
    out = validate_articles([_art("ja", ja, "ja"), _art("zh", zh, "zh"), _art("th", th, "th")], validator)
    assert not out.rejected, [(r.doc_id, r.reason) for r in out.rejected]


# ------------------------------------------------------------ markup quoted as text

TUTORIAL = """<html><head><title>Embedding a video</title>
<meta property="og:title" content="Why &lt;iframe&gt; beats &lt;object&gt;"></head><body><article>
<p>To embed the player, paste this code into your page where the video should appear:</p>
<pre><code>&lt;iframe width="476" height="267" src="https://video.example/embed/?pid=1" allowfullscreen&gt;&lt;/iframe&gt;</code></pre>
<p>Wrap it in a &lt;div class="video"&gt; if you want to style it; AT&amp;amp;T users see &amp;amp; here.</p>
</article></body></html>"""


def test_markup_the_page_shows_as_text_is_not_leaked_markup():
    """Tags written as text (`&lt;iframe ...&gt;`, decoded by the parser into text) are
    what the page says; markup_in_text quarantined such articles (4 of 493
    trafilatura-eval text pages: embed codes, an escaped CMS span, a double-escaped &amp;)."""
    from flows.stages.validate.articles import MarkupCheck

    text = ('To embed the player, paste this code:\n<iframe width="476" height="267" '
            'src="https://video.example/embed/?pid=1" allowfullscreen></iframe>\n'
            'Wrap it in a <div class="video"> if you want to style it; AT&amp;T users see &amp; here.')
    check = MarkupCheck("html", TUTORIAL, text)
    assert has_markup(text) and not check.leaked(text)
    assert not check.leaked("Why <iframe> beats <object>")  # the title, from og:title
    # a tag the page does not show as text is unparsed markup leaking into the output
    assert check.leaked("To embed the player, <p>paste</p> this code")
    assert check.leaked("AT&#38;T users")


def test_plain_text_quoting_markup_passes_but_an_unparsed_fragment_does_not():
    from flows.stages.validate.articles import MarkupCheck

    article = "Houston salon owner speaks out.\n" * 20 + '<iframe src="https://x.example/e"></iframe>\n'
    assert not MarkupCheck("text", article, article).leaked(article)
    fragment = "<div class='post'><p>Hello</p><p>World</p></div>\n" * 10
    assert MarkupCheck("text", fragment, fragment).leaked(fragment)


def test_an_html_article_quoting_code_loads(validator):
    from flows.stages.clean.cleaner import CleanOptions, clean
    from flows.stages.detect.detector import detect, load_registry
    from flows.stages.clean.lines import load_line_rules

    reference = Settings().reference_dir
    body = "".join(f"<p>Paragraph {i} of the tutorial explains, in plain words, how the embed "
                   f"code below is used on a page and why it works in every browser.</p>" for i in range(5))
    html = TUTORIAL.replace("<article>", "<article>" + body)
    doc = RawDocument("t" * 64, "/x/t.html", "https://tutorial.example/embed", "html", html, "utf-8", len(html))
    page = clean(doc, CleanOptions(rules=load_line_rules(reference)))
    assert isinstance(page, CleanPage) and "<iframe" in page.text
    out = validate_articles([detect(page, load_registry(reference))], validator)
    assert not out.rejected, [(r.reason, r.detail) for r in out.rejected]
