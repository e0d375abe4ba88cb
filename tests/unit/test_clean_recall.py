"""HTML body: recall guard, hydration payload, NFC output, rendered blocks."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from flows.records import CleanPage, RawDocument
from flows.stages.clean._hydration import flight_html
from flows.stages.clean._render import parse_html, render_blocks, render_lines
from flows.stages.clean.cleaner import CleanOptions, clean
from flows.stages.clean.lines import load_line_rules
from flows.stages.clean.recall import (
    lost_article, merge_recall, needs_recall, prose_tokens, recall_scope,
)

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"

SENTENCES = [
    "The regional council met on Tuesday evening to debate the new transport plan for the valley.",
    "Several members argued that the bus network had been neglected for more than a decade now.",
    "The transport minister said the first new routes could open before the end of the summer.",
    "Local businesses welcomed the plan but asked for more parking near the main shopping street.",
    "A final vote on the budget for the plan is expected at the next meeting of the council in May.",
    "Opposition members said they would table amendments to protect the rural routes from cuts.",
]


@pytest.fixture(scope="module")
def opts():
    return CleanOptions(rules=load_line_rules(REFERENCE))


def _doc(text: str) -> RawDocument:
    return RawDocument("d1", "mem://d1", "https://example.com/a", "html", text, "utf-8", len(text))


def _blocks(markup: str):
    return render_blocks(parse_html(markup, 10**6))


def test_render_blocks_gives_the_block_of_each_line():
    root = parse_html("<html><body><div id='a'><p>One <b>bold</b> line</p>tail text</div>"
                      "<article><h2>Head</h2></article></body></html>", 10**6)
    blocks = render_blocks(root)
    assert [line for line, _ in blocks] == render_lines(root) == ["One bold line", "tail text", "Head"]
    assert [el.tag for _, el in blocks] == ["p", "div", "h2"]


def test_needs_recall_only_when_precision_is_short_next_to_the_prose():
    blocks = _blocks("<html><body>" + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</body></html>")
    assert needs_recall(SENTENCES[0], blocks)
    assert not needs_recall("\n".join(SENTENCES), blocks)
    assert not needs_recall("anything", _blocks("<html><body><p>Home</p></body></html>"))


def test_lost_article_only_when_the_fast_text_holds_almost_none_of_the_prose():
    blocks = _blocks("<html><body>" + "".join(f"<p>{s}</p>" for s in SENTENCES)
                     + "<p>Home</p></body></html>")
    prose = prose_tokens(blocks)
    assert prose == sum(len(s.split()) for s in SENTENCES)  # "Home" is no prose line
    assert lost_article("Home", prose)
    assert not lost_article(SENTENCES[0] + " " + SENTENCES[1], prose)
    assert not lost_article("", 0)  # no prose on the page: nothing to lose
    assert needs_recall(SENTENCES[0], blocks, prose) == needs_recall(SENTENCES[0], blocks)


def test_recall_scope_runs_the_second_pass_only_for_prose_in_the_article_s_place():
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:4])
    teaser = f"<aside><p>{SENTENCES[4]}</p><p>{SENTENCES[5]}</p></aside>"
    page = _blocks(f"<html><body><article><div class='body'>{story}</div>{teaser}</article></body></html>")
    article, worth = recall_scope(SENTENCES[:4], page)
    assert article is not None and article.tag == "article"
    assert not worth  # the only prose it lacks sits in an aside: nothing merge_recall takes
    missing = _blocks(f"<html><body><article><div class='body'>{story}<div class='more'>"
                      f"<p>{SENTENCES[4]}</p></div></div></article></body></html>")
    assert recall_scope(SENTENCES[:4], missing)[1]
    assert recall_scope(SENTENCES[:4], _blocks("<html><body><p>Home</p></body></html>")) == (None, False)


def _article_page() -> str:
    return ("<html><head><title>Council backs plan</title></head><body><nav><a href='/'>Home</a>"
            "</nav><article>" + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</article></body></html>")


def _spy(monkeypatch, fast_text: str | None = None):
    """Record bare_extraction's `fast` flags; `fast_text` replaces the fast pass's body."""
    import trafilatura

    calls, real = [], trafilatura.bare_extraction

    def spy(*args, **kwargs):
        calls.append(bool(kwargs.get("fast")))
        result = real(*args, **kwargs)
        if kwargs.get("fast") and fast_text is not None and result is not None:
            result.text = fast_text
        return result

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    return calls


def test_a_page_whose_fast_extraction_holds_the_article_pays_for_one_pass(monkeypatch, opts):
    calls = _spy(monkeypatch)
    page = clean(_doc(_article_page()), opts)
    assert isinstance(page, CleanPage) and len(page.paragraphs) == len(SENTENCES)
    assert calls == [True]


def test_the_full_extraction_runs_when_the_fast_one_lost_the_article(monkeypatch, opts):
    calls = _spy(monkeypatch, fast_text="Home")
    page = clean(_doc(_article_page()), opts)
    assert calls[:2] == [True, False]
    assert isinstance(page, CleanPage) and SENTENCES[3] in page.paragraphs


def test_merge_recall_takes_prose_inside_the_article_container_only():
    markup = ("<html><body><article id='main'><div class='body'>"
              + "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
              + "<div class='hidden'><h3>What comes next</h3>"
              + "".join(f"<p>{s}</p>" for s in SENTENCES[2:4]) + "</div></div></article>"
              + "<article id='next'>" + "".join(f"<p>{s}</p>" for s in SENTENCES[4:]) + "</article>"
              + "<aside><p>" + SENTENCES[0].replace("Tuesday", "Monday") + "</p></aside>"
              + "</body></html>")
    blocks = _blocks(markup)
    precision = SENTENCES[:2]
    recall = SENTENCES[:2] + ["What comes next"] + SENTENCES[2:]
    merged = merge_recall(precision, recall, blocks)
    # the hidden rest of the same body is in, with its heading (between two kept
    # paragraphs); the next article and the aside are out.
    assert merged == SENTENCES[:2] + ["What comes next"] + SENTENCES[2:4]


def test_merge_recall_drops_short_lines_and_list_items_outside_prose():
    markup = ("<html><body><div class='body'>" + "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
              + "<ul><li>Share on Facebook</li><li>E-paper and news in one app for you</li></ul>"
              + "</div></body></html>")
    blocks = _blocks(markup)
    recall = SENTENCES[:3] + ["- Share on Facebook", "- E-paper and news in one app for you"]
    assert merge_recall(SENTENCES[:3], recall, blocks) == SENTENCES[:3]


def test_merge_recall_without_extras_is_the_precision_output():
    blocks = _blocks("<html><body>" + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</body></html>")
    assert merge_recall(SENTENCES[:2], SENTENCES[:2], blocks) == SENTENCES[:2]


def _flight_page(fragment: str) -> str:
    stream = "1:[\"$\",\"div\",null,{}]\n2:T" + format(len(fragment.encode()), "x") + "," + fragment
    pushes = "".join(f"<script>self.__next_f.push([1,{json.dumps(stream[i:i + 40])}])</script>"
                     for i in range(0, len(stream), 40))
    return ("<html><head><title>Council debates transport plan | Example</title></head>"
            f"<body><div id='root'></div>{pushes}</body></html>")


def test_flight_html_reads_text_rows_with_markup():
    fragment = "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
    assert flight_html(parse_html(_flight_page(fragment), 10**6)) == fragment
    assert flight_html(parse_html("<html><body><p>x</p></body></html>", 10**6)) is None


def test_client_rendered_page_gets_its_body_from_the_payload(opts):
    fragment = "".join(f"<p>{s}</p>" for s in SENTENCES)
    page = clean(_doc(_flight_page(fragment)), opts)
    assert isinstance(page, CleanPage)
    assert SENTENCES[0] in page.paragraphs and SENTENCES[-1] in page.paragraphs
    assert all(any(d.keep and d.text == s for d in page.lines) for s in SENTENCES)


def test_output_text_is_nfc(opts):
    decomposed = [unicodedata.normalize("NFD", s.replace("council", "conseil régional"))
                  for s in SENTENCES]
    markup = "<html><body><article>" + "".join(f"<p>{s}</p>" for s in decomposed) + "</article></body></html>"
    page = clean(_doc(markup), opts)
    assert isinstance(page, CleanPage)
    assert "régional" in page.text and unicodedata.is_normalized("NFC", page.text)


def test_caption_classes_load_from_reference():
    from flows.stages.clean._placement import load_caption_classes
    classes = load_caption_classes(REFERENCE)
    assert "caption" in classes and all(c == c.lower() for c in classes)


def test_caption_blocks_are_removed_whole_class_names_only():
    from flows.stages.clean._placement import load_caption_classes
    from flows.stages.clean.cleaner import _drop_captions
    caption = "The council chamber on Tuesday evening, photographed by our staff photographer."
    utility = "The transport minister spoke to reporters outside the council after the long debate."
    markup = ("<html><body><article>" + "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
              + f"<div class='img-wrap'><p class='caption'>{caption}</p></div>"
              + f"<p class='caption-s5-fx'>{utility}</p>"
              + "".join(f"<p>{s}</p>" for s in SENTENCES[3:]) + "</article></body></html>")
    paragraphs = SENTENCES[:3] + [caption, utility] + SENTENCES[3:]
    out = _drop_captions([(p, None) for p in paragraphs], _blocks(markup),
                         load_caption_classes(REFERENCE))
    removed = {t: why for t, why in out if why is not None}
    # whole class names only: a typography utility that contains the word is no caption
    assert list(removed) == [caption]
    assert (removed[caption].reason, removed[caption].rule) == ("html_boilerplate", "html:class=caption")


def test_page_without_extractable_text_keeps_its_metadata(opts):
    """trafilatura returns nothing (title included) when it finds no text; the title of
    a client-rendered page must still come from its <title>."""
    page = clean(_doc(_flight_page("".join(f"<p>{s}</p>" for s in SENTENCES))), opts)
    assert isinstance(page, CleanPage)
    assert page.title and "Council debates transport plan" in page.title


def test_merge_recall_takes_prose_from_the_same_article_outside_the_container():
    markup = ("<html><body><article><section class='a'>"
              + "".join(f"<p>{s}</p>" for s in SENTENCES[:2]) + "</section><section class='b'>"
              + "<h3>Short heading</h3>" + "".join(f"<p>{s}</p>" for s in SENTENCES[2:4])
              + "</section></article><article>" + "".join(f"<p>{s}</p>" for s in SENTENCES[4:])
              + "</article></body></html>")
    recall = SENTENCES[:2] + ["Short heading"] + SENTENCES[2:]
    # prose of the same article comes in, its heading (outside the container) and the
    # second article do not
    assert merge_recall(SENTENCES[:2], recall, _blocks(markup)) == SENTENCES[:4]


def test_merge_recall_leaves_out_link_teasers():
    teaser = "MORE: The council's last transport plan was dropped after a row over the costs"
    markup = ("<html><body><article>" + "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
              + f"<p><a href='/x'>{teaser}</a></p>" + f"<p>{SENTENCES[3]}</p></article></body></html>")
    recall = SENTENCES[:3] + [teaser, SENTENCES[3]]
    assert merge_recall(SENTENCES[:2], recall, _blocks(markup)) == SENTENCES[:2] + [SENTENCES[2], SENTENCES[3]]


def test_merge_recall_outside_the_container_no_lone_or_leading_paragraphs():
    teaser = "China has sent more troops to the border region, officials in the capital said on Monday."
    markup = ("<html><body><div class='top'><p>" + teaser + "</p></div><div class='body'>"
              + "".join(f"<p>{s}</p>" for s in SENTENCES[:3]) + "</div><div class='more'>"
              + f"<p>{SENTENCES[3]}</p></div></body></html>")
    recall = [teaser] + SENTENCES[:4]
    # the teaser above the article and the lone paragraph below it stay out
    assert merge_recall(SENTENCES[:3], recall, _blocks(markup)) == SENTENCES[:3]
