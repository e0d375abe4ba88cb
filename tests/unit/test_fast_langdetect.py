"""`_fast_langdetect`'s word cache: a text's n-grams, read word by word (and from the cache
on a second sight of each word), are langdetect's own, in the same order."""
from __future__ import annotations

import pytest

from flows.stages.detect import _fast_langdetect

EDGE = ["", " ", "   ", "a", "A", "AB", " x ", "I  A B C", "HELLO world  FOO", "iPhone USA-Today",
        "NATO AND THE KREMLIN said today", "Tiếng Việt có dấu", "ș ț şi ţ România",
        "日本語のテキストです。カタカナ", "한국어 텍스트입니다", "Ελληνικά κείμενα εδώ",
        "word, word; WORD! 12 34 ...end", "trailing space ", "  leading spaces",
        "see http://example.com/a?b=c and mail me at a.b@example.org  now   please"]


def _langdetect_ngrams(text: str) -> list[str]:
    from langdetect.detector import Detector as Original

    d = Original(_fast_langdetect._factory())
    Original.append(d, text)
    return Original._extract_ngrams(d)


@pytest.mark.parametrize("text", EDGE)
def test_word_ngrams_are_langdetects(text):
    d = _fast_langdetect.Detector(_fast_langdetect._factory())
    d.append(text)
    assert d._extract_ngrams() == _langdetect_ngrams(text)


def test_cached_words_give_the_same_probabilities():
    text = "The minister said the talks would resume on Monday, the agency said. " * 3
    first = [(r.lang, r.prob) for r in _fast_langdetect.detect_langs(text, 3)]
    assert "the " in _fast_langdetect._WORD_VECTORS  # the words are cached now
    again = [(r.lang, r.prob) for r in _fast_langdetect.detect_langs(text, 3)]
    assert first == again and first[0][0] == "en"
