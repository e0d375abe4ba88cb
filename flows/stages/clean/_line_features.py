"""Per-line features for the boilerplate classifier, computed for a whole page at once.

Why these features: a news page's text rendering is a long run of chrome (menus, teasers,
share buttons, footers) around one dense block of prose. Whatever the language, article
lines are long, full of stop words, end in sentence punctuation, and sit next to other
such lines; chrome lines are short, Title Cased, separator- or comma-joined, repeated on
the page, and far from the dense block. No feature looks at specific words other than
the per-language stop lists, so the model transfers across sites and languages.

Everything here is pure Python and deterministic; `page_features` returns one feature
vector (list of floats, order = `FEATURE_NAMES`) per non-blank line.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from flows.stages._stoplists import Stoplists

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_SENT_END = re.compile(r"[.!?。！？…][\"'”’»)\]]*$|[\"”»]$")
_SENT_PUNCT = re.compile(r"[.!?。！？;；]")
_SEPARATORS = re.compile(r"\s[|/•·»›>–—]\s|\s\|\s?|\s?\|\s")
# bounded runs (an address part is at most 64 and 255 characters): `\S+@` backtracks
# quadratically over a long line without spaces (scraped markup, base64)
_URLISH = re.compile(r"https?://|www\.|[^\s@]{1,64}@[^\s@]{1,255}\.\w+|\.com\b")
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.I)
_DATEISH = re.compile(r"\b\d{1,2}[./:-]\d{1,2}(?:[./-]\d{2,4})?\b|\b(?:19|20)\d{2}\b")
_BULLET = re.compile(r"^[-–—•*·>»]\s")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_WIDGET_COUNT = re.compile(r"[(\[]\d+[)\]]$")  # "Juni 2023 (5)", "Politik [12]"
_DIALOGUE = re.compile(r"^[\"'„“”«»‹›‚‘’「『]|^[-–—]\s?\S")
SHORT_WORDS = 4  # a list entry: at most this many words
_NUMBERED = re.compile(r"^(?:\(?\d{1,3}(?:[.)ºª°]|[a-z]\b|\s*[-–:])|[a-z][.)]\s|[ivx]{1,4}[.)]\s)", re.I)


@functools.lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """Word tokens as the bench counts them: \\w runs, each CJK character on its own.

    Cached (pure, immutable result): the stop-list guess, line stats, the lexicon and the
    headline checks all tokenise the same lines of a page."""
    return tuple(_TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()))


@dataclass(frozen=True)
class LineStats:
    """Cheap facts about one line, reused by features, title detection and rules."""

    text: str
    words: int
    stop_density: float
    ends_sentence: bool
    cjk: bool

    @property
    def prose(self) -> bool:
        """Looks like a sentence of running text (the unit of the dense-block search)."""
        if self.cjk:
            return self.words >= 25 and bool(_SENT_PUNCT.search(self.text))
        return self.words >= 8 and self.stop_density >= 0.2 and (
            self.ends_sentence or self.words >= 20)


def line_stats(text: str, stopwords: frozenset[str] | None) -> LineStats:
    toks = tokens(text)
    cjk = bool(_CJK_CHAR.search(text)) and len(_CJK_CHAR.findall(text)) * 2 > len(toks)
    if stopwords is None:
        density = 0.3 if cjk else 0.0
    else:
        density = sum(t in stopwords for t in toks) / len(toks) if toks else 0.0
    return LineStats(text, len(toks), density, bool(_SENT_END.search(text)), cjk)


def max_sum_span(scores: Iterable[float]) -> tuple[int, int]:
    """(first, last) 0-based indices of the contiguous run with the largest positive sum
    (Kadane), or (-1, -1) when no run sums above zero."""
    best, best_span = 0.0, (-1, -1)
    run, start = 0.0, 0
    for i, score in enumerate(scores):
        if run <= 0:
            run, start = score, i
        else:
            run += score
        if run > best:
            best, best_span = run, (start, i)
    return best_span


def main_block(stats: Sequence[LineStats], penalties: Sequence[float] | None = None
               ) -> tuple[int, int]:
    """The densest run of prose: maximal-sum window (Kadane) over line scores.

    A prose line scores its word count (capped at 80), any other line -4, so short
    sub-headings inside the article are bridged but a menu between two blocks is not.
    Returns (first, last) 0-based indices, or (-1, -1) when the page has no prose.
    """
    scores = [min(s.words, 80) if s.prose else -4.0 for s in stats]
    if penalties is not None:
        scores = [score + penalty for score, penalty in zip(scores, penalties)]
    return max_sum_span(scores)


FEATURE_NAMES = (
    "bias", "log_words", "stop_density", "ends_sentence", "sent_punct_per_word",
    "title_case_ratio", "digit_ratio", "separators", "copyright", "urlish", "dateish",
    "bullet", "ends_colon", "comma_ratio", "all_caps", "short_le3", "short_le7",
    "repeat_on_page", "in_main_block", "log_dist_main_block", "after_block",
    "rel_position", "before_title", "is_title", "prev_log_words", "next_log_words",
    "prev_stop", "next_stop", "window_prose", "words_vs_page_max", "cjk", "no_stoplist",
    # where the line sits among the page's prose lines (tables, lists, schedules inside
    # the article are runs of short lines with prose on both sides)
    "between_prose", "prose_before_share", "log_lines_to_prev_prose",
    "log_lines_to_next_prose", "log_prose_words_near5", "log_prose_words_near15",
    "log_run_len", "run_bounded", "run_digit_share", "run_log_mean_words",
    "after_title_before_block", "block_prose_share",
    # shape of the line itself
    "numeric_only", "numbered_item", "starts_lower",
    # the line against the page's own prose (German capitalises nouns, stop lists differ
    # in coverage between languages): difference to the median over the prose lines
    "title_case_vs_prose", "stop_density_vs_prose",
    # section breaks ("Related stories", "Comments", "Tags" ... from the phrase lexicon,
    # passed in as block-search penalties): an article rarely resumes after one
    "log_breaks_before", "log_breaks_after", "log_lines_since_break", "break_in_block_before",
    # the headline: how far before it the line is, and whether the page repeats it (a
    # repeated headline is a sure one, so what comes before it is page chrome)
    "log_lines_to_title", "title_repeated",
    # lists of links (categories, archives by month, related headlines): many short lines
    # close together, in a run of their own, often Title Case or ending in a count; an
    # article's sub-headings are rare and single. Dialogue opens with a quote or a dash
    # and ends as a sentence, however short.
    "short_share_near10", "log_short_run", "titleish_share_near10", "widget_count",
    "dialogue",
)


def _title_case_ratio(text: str) -> float:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    if not words:
        return 0.0
    return sum(w[0].isupper() for w in words) / len(words)


def page_features(
    stats: Sequence[LineStats], *, title_index: int | None, has_stoplist: bool,
    penalties: Sequence[float] | None = None,
) -> list[list[float]]:
    """Feature vectors for the non-blank lines of one page (in page order)."""
    n = len(stats)
    counts = Counter(s.text.casefold() for s in stats)
    # the article starts after its headline: the dense block bridges the headline only
    # when at least 40 words of prose come before it (as for a section break)
    block_pen = list(penalties) if penalties is not None else [0.0] * n
    if title_index is not None:
        block_pen[title_index] -= 40.0
    first, last = main_block(stats, block_pen)
    max_words = max((s.words for s in stats), default=1) or 1
    prose = [1.0 if s.prose else 0.0 for s in stats]
    ctx = _prose_context(stats, prose)
    total_prose = sum(s.words for s in stats if s.prose) or 1
    block_words = sum(s.words for s in stats[first:last + 1] if s.prose) if first >= 0 else 0
    block_share = block_words / total_prose
    tcase = [_title_case_ratio(s.text) for s in stats]
    ref = [i for i, s in enumerate(stats) if s.prose] or [i for i, s in enumerate(stats)
                                                          if s.words >= 8]
    med_tc = _median([tcase[i] for i in ref])
    med_sd = _median([stats[i].stop_density for i in ref])
    brk = [1 if penalties is not None and penalties[i] < 0 else 0 for i in range(n)]
    brk_cum = [0]
    for b in brk:
        brk_cum.append(brk_cum[-1] + b)
    since, last_brk = [], None
    for i in range(n):
        since.append(min(i - last_brk, 60) if last_brk is not None else 60)
        if brk[i]:
            last_brk = i
    lists = _list_context(stats, tcase)
    title_rep = 0.0
    if title_index is not None:
        key = stats[title_index].text.casefold()
        title_rep = 1.0 if counts[key] > 1 or (title_index > 0 and key in stats[0].text.casefold()) else 0.0
    out: list[list[float]] = []
    for i, s in enumerate(stats):
        text = s.text
        words = max(s.words, 1)
        chars = max(len(text), 1)
        lw = math.log1p(s.words)
        if first < 0:
            dist, inside, after = 50, 0.0, 0.0
        elif first <= i <= last:
            dist, inside, after = 0, 1.0, 0.0
        else:
            dist = first - i if i < first else i - last
            inside, after = 0.0, 1.0 if i > last else 0.0
        lo, hi = max(0, i - 3), min(n, i + 4)
        window = (sum(prose[lo:hi]) - prose[i]) / max(hi - lo - 1, 1)
        prev = stats[i - 1] if i > 0 else None
        nxt = stats[i + 1] if i + 1 < n else None
        out.append([
            1.0,
            lw,
            s.stop_density,
            1.0 if s.ends_sentence else 0.0,
            min(len(_SENT_PUNCT.findall(text)) / words, 1.0),
            tcase[i],
            sum(map(str.isdigit, text)) / chars,
            min(len(_SEPARATORS.findall(text)), 5) / 5,
            1.0 if _COPYRIGHT.search(text) else 0.0,
            1.0 if _URLISH.search(text) else 0.0,
            1.0 if _DATEISH.search(text) else 0.0,
            1.0 if _BULLET.search(text) else 0.0,
            1.0 if text.rstrip().endswith((":", "：")) else 0.0,
            min(text.count(",") / words, 1.0),
            1.0 if s.words >= 2 and text.upper() == text and text.lower() != text else 0.0,
            1.0 if s.words <= 3 else 0.0,
            1.0 if s.words <= 7 else 0.0,
            1.0 if counts[text.casefold()] > 1 else 0.0,
            inside,
            math.log1p(dist),
            after,
            i / max(n - 1, 1),
            1.0 if title_index is not None and i < title_index else 0.0,
            1.0 if title_index is not None and i == title_index else 0.0,
            math.log1p(prev.words) if prev else 0.0,
            math.log1p(nxt.words) if nxt else 0.0,
            prev.stop_density if prev else 0.0,
            nxt.stop_density if nxt else 0.0,
            window,
            s.words / max_words,
            1.0 if s.cjk else 0.0,
            0.0 if has_stoplist else 1.0,
            *ctx[i],
            1.0 if title_index is not None and title_index < i < first else 0.0,
            block_share,
            1.0 if s.words and not any(map(str.isalpha, text)) else 0.0,
            1.0 if _NUMBERED.match(text) else 0.0,
            1.0 if text[:1].islower() else 0.0,
            tcase[i] - med_tc,
            s.stop_density - med_sd,
            math.log1p(brk_cum[i]),
            math.log1p(brk_cum[n] - brk_cum[i + 1]),
            math.log1p(since[i]),
            1.0 if first >= 0 and brk_cum[i] - brk_cum[min(first, i)] > 0 else 0.0,
            math.log1p(min(abs(title_index - i), 60)) * (1 if i < title_index else -1)
            if title_index is not None else 0.0,
            title_rep,
            *lists[i],
            1.0 if _WIDGET_COUNT.search(text) else 0.0,
            1.0 if _DIALOGUE.match(text) and s.ends_sentence else 0.0,
        ])
    return out


def _list_context(stats: Sequence[LineStats], tcase: Sequence[float]) -> list[tuple[float, float, float]]:
    """Per line: share of short lines (at most SHORT_WORDS words) among the 10 lines on
    either side, log length of the run of consecutive short lines it belongs to (0 for a
    longer line), and share of title-like lines (short, mostly capitalised, no final
    sentence punctuation) among the 10 on either side."""
    n = len(stats)
    short = [1 if 0 < s.words <= SHORT_WORDS else 0 for s in stats]
    titleish = [1 if 0 < s.words <= 7 and not s.ends_sentence and tc >= 0.5 else 0
                for s, tc in zip(stats, tcase)]
    cs, ct = [0], [0]
    for a, b in zip(short, titleish):
        cs.append(cs[-1] + a)
        ct.append(ct[-1] + b)
    run = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = max(j, i + 1)
    out = []
    for i in range(n):
        lo, hi = max(0, i - 10), min(n, i + 11)
        others = max(hi - lo - 1, 1)
        out.append(((cs[hi] - cs[lo] - short[i]) / others, math.log1p(run[i]),
                    (ct[hi] - ct[lo] - titleish[i]) / others))
    return out


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2


def _prose_context(stats: Sequence[LineStats], prose: Sequence[float]) -> list[list[float]]:
    """Per line: between the first and last prose line, share of the page's prose words
    before it, log distance (lines) to the previous and next prose line, log prose words
    within 5 and 15 lines, and for the run of non-prose lines it belongs to: log length,
    prose on both sides, share of lines with digits, log mean words (0 for prose lines)."""
    n = len(stats)
    words = [s.words if p else 0 for s, p in zip(stats, prose)]
    cum = [0]
    for w in words:
        cum.append(cum[-1] + w)
    total = cum[-1] or 1
    idx = [i for i in range(n) if prose[i]]
    first_p, last_p = (idx[0], idx[-1]) if idx else (-1, -1)
    prev_d, next_d = [60] * n, [60] * n
    last = None
    for i in range(n):
        if last is not None:
            prev_d[i] = min(i - last, 60)
        if prose[i]:
            last = i
    last = None
    for i in range(n - 1, -1, -1):
        if last is not None:
            next_d[i] = min(last - i, 60)
        if prose[i]:
            last = i
    run = [(0.0, 0.0, 0.0, 0.0)] * n
    i = 0
    while i < n:
        if prose[i]:
            i += 1
            continue
        j = i
        while j < n and not prose[j]:
            j += 1
        seg = stats[i:j]
        bounded = 1.0 if i > 0 and j < n else 0.0
        digits = sum(any(map(str.isdigit, s.text)) for s in seg) / len(seg)
        mean_w = math.log1p(sum(s.words for s in seg) / len(seg))
        for k in range(i, j):
            run[k] = (math.log1p(j - i), bounded, digits, mean_w)
        i = j
    out = []
    for i in range(n):
        near5 = cum[min(n, i + 6)] - cum[max(0, i - 5)] - words[i]
        near15 = cum[min(n, i + 16)] - cum[max(0, i - 15)] - words[i]
        out.append([1.0 if first_p < i < last_p else 0.0, cum[i] / total,
                    math.log1p(prev_d[i]), math.log1p(next_d[i]),
                    math.log1p(near5), math.log1p(near15), *run[i]])
    return out
