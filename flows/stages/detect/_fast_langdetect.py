"""langdetect's own detector, with its per-character Python steps done in bulk.

langdetect (1.0.9, pure Python, its final release) spends about two thirds of a call on
steps that look at one character or one language at a time through method calls:
`append` (collapse runs of spaces), `cleaning_text` (count Latin letters),
`_extract_ngrams` (normalise each character, then keep its 1-, 2- and 3-grams that are in
the profiles) and the random trials of `_detect_block`. `Detector` below overrides exactly
those with `re`, `str.translate`, a cache of each word's n-gram profile rows (the n-gram
window restarts at every space, so a text's n-grams are its words') and numpy element-wise
operations that compute the same values in the same order from the same random draws, so
for a given seed it returns the
same languages with the same probabilities (`tests/unit/test_language.py` compares it with
`langdetect.detect_langs` on bench pages, their paragraphs and edge cases). Profiles,
seeding and the random trials are langdetect's own.

Measured here (warm, same process): 6.7 -> 3.7 ms a call on the bench's 2,000-character
page samples, 6.5 -> 3.7 ms on single paragraphs (where the trials dominate); with the
word cache, 1.64 -> 0.81 ms a call (CPU) over the 2,341 calls that detecting the 2,000
pages of the two 1,000-page corpora makes: the n-grams cost ~0.25 ms, the trials ~0.45.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from langdetect import detector_factory
from langdetect.detector import Detector as _LangdetectDetector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

_SPACE_RUN = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")  # langdetect's own test: 'A' <= ch <= 'z', [\]^_` included
_ABOVE_COMBINING = re.compile("[\u0300-\U0010ffff]")


class _NormalizeTable(dict):
    """`str.translate` table filled on first sight of each character with langdetect's
    `NGram.normalize` (a pure function of the character, always one character)."""

    def __missing__(self, code: int) -> str:
        out = self[code] = NGram.normalize(chr(code))
        return out


_NORMALIZE = _NormalizeTable()


class Detector(_LangdetectDetector):
    """A `langdetect.detector.Detector` with the bulk versions of its per-character steps."""

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        # langdetect keeps a character unless it is a space after a space
        self.text += _SPACE_RUN.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        # langdetect compares `unicode_block(ch)` (an int) with a block *name*, so every
        # character from U+0300 up counts as non-Latin; the same count here.
        latin = len(_LATIN.findall(self.text))
        if latin * 2 < len(_ABOVE_COMBINING.findall(self.text)):
            self.text = _LATIN.sub("", self.text)

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        result: list[str] = []
        for word in _words(self.text.translate(_NORMALIZE)):
            result.extend(_ngrams_of(word, known))
        return result

    def _detect_block(self) -> None:
        # langdetect's trials with the same arithmetic in the same order from the same
        # random draws (one gauss per trial, one choice among the n-grams per step,
        # convergence checked every fifth step): the per-language products and divisions
        # are numpy element-wise operations (IEEE-identical to Python's); the sum stays
        # Python's, whose order numpy's pairwise sum would change.
        self.cleaning_text()
        known = self.word_lang_prob_map
        vectors: list[np.ndarray] = []
        for word in _words(self.text.translate(_NORMALIZE)):
            vectors.extend(_word_vectors(word, known))
        if not vectors:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        langprob = np.zeros(len(self.langlist))
        rnd = self.random
        rnd.seed(self.seed)
        # `Random.choice(seq)` is `seq[self._randbelow(len(seq))]`, and `_randbelow(n)` draws
        # `getrandbits(n.bit_length())` until below n: the same draws, inlined
        getrandbits, count = rnd.getrandbits, len(vectors)
        bits = count.bit_length()
        conv, limit = self.CONV_THRESHOLD, self.ITERATION_LIMIT
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=float)
            weight = (self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH) / self.BASE_FREQ
            # steps 0, 1-5, 6-10 ...: normalised and checked after step 0 and every fifth
            # step; the largest share is the largest product divided by the sum (division
            # by a positive number keeps the order), so Python's max of the list serves
            r = getrandbits(bits)
            while r >= count:
                r = getrandbits(bits)
            prob *= weight + vectors[r]
            i = 0
            while True:
                values = prob.tolist()
                total = sum(values)
                prob /= total
                if max(values) / total > conv or i >= limit:
                    break
                for _ in range(5):
                    r = getrandbits(bits)
                    while r >= count:
                        r = getrandbits(bits)
                    prob *= weight + vectors[r]
                i += 5
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()


# Profile rows as numpy arrays, made on first use: ~0.6 kB each, and the bench's 121
# pages in many languages touch ~9,500 of the profiles' 87,600 n-grams. Bounded so a
# worker's memory stays flat however many languages a crawl brings.
MAX_CACHED_VECTORS = 20_000
_VECTORS: dict[str, np.ndarray] = {}


def _vector(word_lang_prob_map: dict, word: str) -> np.ndarray:
    """The profile row of an n-gram as a numpy array (cached up to MAX_CACHED_VECTORS)."""
    vec = _VECTORS.get(word)
    if vec is None:
        vec = np.array(word_lang_prob_map[word], dtype=float)
        if len(_VECTORS) < MAX_CACHED_VECTORS:
            _VECTORS[word] = vec
    return vec


# langdetect's n-gram window restarts at every space of the normalised text, so the n-grams
# of a text are those of its words, each read as " word " (the last one without the closing
# space when the text does not end with one), in text order. Words recur from page to page
# ("the", "und", "что"), so their n-grams and profile rows are cached by word: one dict
# look-up a word instead of three a character. Bounded like the rows, and only for short
# words (a CJK "word" is a whole run of text between spaces and hardly recurs).
MAX_CACHED_WORDS = 20_000
MAX_CACHED_WORD_LEN = 24
_WORD_VECTORS: dict[str, tuple[np.ndarray, ...]] = {}


def _words(normalised: str) -> list[str]:
    """The words of a normalised text, each with its closing space when one follows."""
    parts = normalised.split(" ")
    words = [w + " " for w in parts[:-1] if w]
    if parts[-1]:
        words.append(parts[-1])
    return words


def _ngrams_of(word: str, known: dict) -> tuple[str, ...]:
    """langdetect's `NGram` over one word (see `_words`): its 1-, 2- and 3-grams that are
    in the profiles, none inside an ALL-CAPS run (`NGram.capitalword`)."""
    result: list[str] = []
    add = result.append
    grams = " "
    for ch in word:  # the window starts at the space before the word
        last = grams[-1]
        if len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper() and last.isupper():
            continue
        if ch != " " and ch in known:
            add(ch)
        w = grams[-2:]
        if w in known:
            add(w)
        if len(grams) >= 3 and grams in known:
            add(grams)
    return tuple(result)


def _word_vectors(word: str, known: dict) -> tuple[np.ndarray, ...]:
    """The profile rows of a word's n-grams, in order; cached for short words whose rows
    are all cached (so the word cache never holds rows beyond MAX_CACHED_VECTORS)."""
    vecs = _WORD_VECTORS.get(word)
    if vecs is None:
        grams = _ngrams_of(word, known)
        vecs = tuple(_vector(known, g) for g in grams)
        if (len(word) <= MAX_CACHED_WORD_LEN and len(_WORD_VECTORS) < MAX_CACHED_WORDS
                and all(g in _VECTORS for g in grams)):
            _WORD_VECTORS[word] = vecs
    return vecs


@lru_cache(maxsize=1)
def _factory() -> detector_factory.DetectorFactory:
    detector_factory.init_factory()  # langdetect's shared, lazily loaded profiles
    return detector_factory._factory


def detect_langs(text: str, seed: int) -> list[Language]:
    """`langdetect.detect_langs(text)` with `DetectorFactory.seed = seed`, without setting
    the global seed. Raises `LangDetectException` when the text has no features."""
    detector = Detector(_factory())
    detector.seed = seed
    detector.append(text)
    return detector.get_probabilities()


__all__ = ["Detector", "LangDetectException", "detect_langs"]
