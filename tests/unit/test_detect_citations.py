"""Citations: outlets an article cites, with the sentence and the pattern, in several languages."""
from __future__ import annotations

import pytest

from flows.stages.detect.citations import find_citations, scan
from flows.stages.detect.detector import detect, load_registry
from test_detect_support import REFERENCE, make_page


@pytest.fixture(scope="module")
def reg():
    return load_registry(REFERENCE)


@pytest.mark.parametrize("sentence,oid,pattern", [
    ("A US official told the Reuters news agency on Friday.", "reuters", "told X"),
    ("A US official told The Associated Press on the condition of anonymity.", "ap", "told X"),
    ("Peskov said on Friday, according to Russia’s TASS news agency.", "tass", "according to X"),
    ("Separately, Reuters reported that Peskov said Moscow did not see much room.", "reuters",
     "X reported"),
    ("“It will happen by mid-February”, Fox News reported.", "fox_news", "X reported"),
    ("The discovery was first reported by The Washington Post.", "wapo", "according to X"),
    ("Об этом сообщает ТАСС со ссылкой на источник.", "tass", "according to X"),
    ("Как сообщает РИА Новости, переговоры продолжатся.", "ria", "according to X"),
    ("Про це повідомляє Укрінформ з посиланням на міністерство.", "ukrinform", "according to X"),
    ("Le ministre a démenti, selon l'AFP, toute négociation.", "afp", "according to X"),
    ("Die Gespräche seien gescheitert, berichtete der Spiegel am Freitag.", "spiegel",
     "according to X"),
    ("Las conversaciones continuarán, según la agencia EFE.", "efe", "according to X"),
])
def test_citation_patterns(reg, sentence, oid, pattern):
    cites = find_citations([sentence], reg)
    assert [(c.outlet_id, c.pattern) for c in cites] == [(oid, pattern)]
    assert cites[0].sentence == sentence


@pytest.mark.parametrize("sentence", [
    "The National Guard said the roads were closed.",  # longer proper noun
    "A sniper takes part in exercises. (Reuters photo)",  # photo credit
    "Officials told reporters on Friday that Reuters had no comment.",  # cue is not adjacent
    "He watched CNN and the BBC all evening.",  # a mention, not a citation
])
def test_not_citations(reg, sentence):
    assert find_citations([sentence], reg) == ()


def test_descriptor_makes_told_a_citation_not_a_self_credit(reg):
    _, credits = scan(["“No plans,” Kosachev told Russia’s state TV channel Russia-24."], reg)
    assert credits == []
    cites, credits = scan(["“It is a strategy,” Titov told Al Jazeera."], reg)
    assert [c.entry.outlet_id for c in credits] == ["aljazeera"]


def test_publisher_self_credit_is_dropped_from_citations(reg):
    page = make_page(["Officials told the Reuters news agency on Friday it was false.",
                      "“That is the strategy,” Titov told Al Jazeera."],
                     url="https://www.aljazeera.com/news/2022/1/14/x")
    a = detect(page, reg)
    assert a.outlet.outlet_id == "aljazeera"
    assert [c.outlet_id for c in a.citations] == ["reuters"]


def test_same_outlet_two_sentences_two_citations(reg):
    cites = find_citations(["Reuters reported the talks failed. Officials later told Reuters "
                            "they would resume."], reg)
    assert [c.pattern for c in cites] == ["X reported", "told X"]
