"""Counting words in any script: `word_count(text)`, the `core.articles.word_count` column.

Words are whitespace-separated tokens, except in scripts written without spaces between
words, where a token can be a whole sentence or paragraph:

* Han ideographs, Hiragana and Katakana (Chinese, Japanese): each character counts as one
  word, the usual convention of word processors and of CJK character counts ("字数").
  A Chinese word is one or two characters, so this over-counts words somewhat, but
  it is proportional to the length of the text, which is what the count is for
  (the articles suite's length bounds, median article length per outlet).
* Thai, Lao, Khmer, Myanmar and Tibetan: a run of such letters counts one word per
  `SEA_CHARS_PER_WORD` characters (combining vowel and tone marks included), rounded up,
  an approximation of their average word length without a dictionary segmenter.

Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Hangul (Korean puts spaces between
words) and every other script count as before, one word per token, so the figures of
those languages did not change when CJK counting came in. Inside a mixed token ("iPhone16を",
"2024年"), each piece between the spaceless characters that holds a letter or digit is a word.
"""
from __future__ import annotations

import re

SEA_CHARS_PER_WORD = 4

_CJK = (r"\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
        r"\U00020000-\U0003134f")
_SEA = r"\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
_SPACELESS = re.compile(f"[{_CJK}{_SEA}]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SEA_RUN = re.compile(f"[{_SEA}]+")
_PIECES = re.compile(f"[{_CJK}{_SEA}]+")
_WORDLIKE = re.compile(r"[^\W_]")


def word_count(text: str) -> int:
    """Words in `text`, counted so that scripts without spaces count too (module doc)."""
    if not _SPACELESS.search(text):  # most texts: one word per token, fast
        return len(text.split())
    n = 0
    for token in text.split():
        if not _SPACELESS.search(token):
            n += 1
            continue
        n += len(_CJK_CHAR.findall(token))
        n += sum(-(-len(run) // SEA_CHARS_PER_WORD) for run in _SEA_RUN.findall(token))
        n += sum(1 for piece in _PIECES.split(token) if _WORDLIKE.search(piece))
    return n
