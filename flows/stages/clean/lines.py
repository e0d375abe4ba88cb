"""Line classifier: decides, line by line, what is article and what is page chrome.

Used directly on plain-text scrapes and on the text rendering of HTML pages when
trafilatura finds nothing. Decisions are made in a fixed order, and the first rule that
fires names itself in `LineDecision.rule`, so `newsflow explain` can say why a line went:

1. `template_line`  the line's fingerprint recurs across many pages of the same site
                    (learned by the pipeline with `learn_templates`); site chrome even
                    when it reads like prose ("Press TV's website can also be accessed ...").
2. `title_line`     the headline, its repeats, and `<title>`-style variants
                    ("Headline - Site", "Section | Headline").
3. a phrase reason  the multilingual chrome lexicon `chrome_phrases.csv` (data, not code):
                    `ad_label`, `related_links`, `share_buttons`, `newsletter_box` ...
4. `menu_line`      link rows joined by separators ("Home | World | Business").
5. the model        two stages of boosted trees over language-neutral features (length,
                    stop-word density, sentence shape, position among the page's prose
                    lines and section breaks, runs of short lines) plus a learned word
                    lexicon; stage 2 adds the neighbours' stage-1 scores. See
                    `_line_features`/`_line_model`. Removed lines get `short_fragment`,
                    `outside_main_block` or `low_prose_score`, with the probability and
                    deciding features in `rule`.
6. context          a short line the model dropped between two kept lines is kept
                    (sub-headings, one-line quotes), rule `context:between_body_lines`;
                    a prose line right after the headline opens the article
                    (`context:after_headline`), one right above it is a teaser
                    (`context:before_headline`); a run of table rows (tour dates,
                    standings) that continues a kept paragraph is kept
                    (`context:data_rows`); a page where the model keeps (almost) no
                    prose keeps its densest prose block (`context:main_block_fallback`);
                    kept lines far below the article, past a section break, are
                    related stories or comments (`context:after_section_break`).
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from flows.records import LineDecision
from flows.stages.clean._line_features import (
    LineStats, line_stats, main_block, page_features, tokens,
)
from flows.stages.clean._line_model import LineModel, load_model
from flows.stages.clean.headline import text_headline
from flows.stages._stoplists import Stoplists, load_stoplists

MODEL_FILE = "line_model.json"
PHRASE_FILE = "chrome_phrases.csv"
# Where a lexicon row applies. "html" rows ("Copyright ...", "Don't miss") are safe on
# the paragraphs trafilatura already chose from the article's DOM, but on plain text they
# are section breaks (`SECTION_BREAK_REASONS`) and a photo credit or teaser inside the
# article would cut it short: measured, text CV recall 0.972 -> 0.950-0.961.
PHRASE_SCOPES = ("all", "html")
MAX_PREFIX_WORDS = 15  # a prefix phrase only removes short lines ("Read also: ..."),
                       # never a paragraph that happens to start with "Related".
CONTEXT_MAX_WORDS = 12
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_MENU_SEP = re.compile(r"\s+[|/•·»›>]\s+|\s*\|\s*")
_BYLINE = re.compile(r"^(by|von|par|por|di|oleh|автор|автори|авторка)(\s|:)", re.I)
# Credit lines naming a desk or staff ("Northgate Observer Fact Check Desk", "Reuters staff").
_DESK = re.compile(r"\b(desk|staff|reporters?|correspondents?|editorial board|newsroom|"
                   r"redaktion|rédaction|redacción|редакция|редакція)$", re.I)
# Date and time lines ("Published February 8, 2022 at 9:42 am", "27 января 2022, 10:05").
_DATELINE = re.compile(r"^(published|updated|posted|publié|mis à jour|veröffentlicht|"
                       r"aktualisiert|publicado|actualizado|опубликовано|обновлено|"
                       r"опубліковано|оновлено)\b|\b(19|20)\d\d\b.*\d{1,2}[:.h]\d\d", re.I)
# A date or time inside a short line ("8 января, 17:46", "June 30, 2026 - 4.34pm").
_DATE_HINT = re.compile(r"\b(19|20)\d\d\b|\b\d{1,2}[:.]\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_TITLE_SEP = re.compile(r"\s+[-–—|:•·»]\s+|\s*\|\s*")
# Table rows: what a row of a schedule or standings looks like, and when a run of them
# counts as a table (see `_data_rows`).
DATA_ROW_MAX_WORDS = 15
DATA_RUN_MIN_ROWS = 4  # three numbered lines are as often a "27 Oddest Cases" link list
DATA_RUN_DIGIT_SHARE = 0.6
DATA_RUN_SHAPE_SHARE = 0.5
_WIDGET_COUNT = re.compile(r"\(\d+\)$")  # "Junho (54)": archive and category widgets
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
# A page whose kept lines hold fewer prose words than this has lost its article.
FALLBACK_MIN_PROSE_WORDS = 60
# Kept lines form one run while fewer than SEGMENT_GAP removed lines separate them; a run
# starting more than AFTER_BREAK_LINES below the article's run, past a section break, goes.
SEGMENT_GAP = 3
AFTER_BREAK_LINES = 10


@dataclass(frozen=True)
class Phrase:
    phrase: str  # normalised (see `_norm`)
    match: str  # "line" (the whole line) or "prefix" (the line starts with it)
    reason: str
    raw: str
    scope: str = "all"  # "all", or "html": only on trafilatura's paragraphs (see PHRASE_SCOPES)


@dataclass(frozen=True)
class LineRules:
    """Reference data the classifier uses, loaded from `warehouse/reference/`."""

    phrases: tuple[Phrase, ...]
    model: LineModel | None
    stoplists: Stoplists | None = field(default=None, repr=False)

    @property
    def threshold(self) -> float:
        return self.model.threshold if self.model else 0.5

    @cached_property
    def phrase_index(self) -> tuple[dict[str, int], dict[str, int]]:
        """(whole-line phrase -> first row, prefix phrase -> first prefix row) of the rows
        for every input: `match_phrase` looks up the line and each of its word-boundary
        prefixes instead of scanning the lexicon (hundreds of rows, tens of thousands of
        lines a minute)."""
        return self._index(("all",))

    @cached_property
    def html_phrase_index(self) -> tuple[dict[str, int], dict[str, int]]:
        """`phrase_index` plus the rows scoped to trafilatura's HTML paragraphs."""
        return self._index(PHRASE_SCOPES)

    def _index(self, scopes: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
        exact: dict[str, int] = {}
        prefixes: dict[str, int] = {}
        for k, p in enumerate(self.phrases):
            if p.scope not in scopes:
                continue
            exact.setdefault(p.phrase, k)
            if p.match == "prefix":
                prefixes.setdefault(p.phrase, k)
        return exact, prefixes


_CUT = re.compile(r"[^\w]|_|$")  # where a prefix phrase may end (see match_phrase)


def _norm(text: str) -> str:
    """Case-folded, NFKC, whitespace collapsed, edge punctuation stripped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _EDGE_PUNCT.sub("", _SPACE.sub(" ", text).strip())


def load_line_rules(reference_dir: Path, *, model: bool = True) -> LineRules:
    """Load the phrase lexicon, the stop lists and (unless `model=False`) the model.

    Rows of `chrome_phrases.csv` are checked: an unknown match kind or scope, or an empty
    phrase, is a data error, reported with its row number instead of silently never
    matching.
    """
    phrases = []
    with open(reference_dir / PHRASE_FILE, encoding="utf-8", newline="") as f:
        for row_no, r in enumerate(csv.DictReader(f), start=2):
            kind, norm = r["match"].strip(), _norm(r["phrase"])
            scope = (r.get("scope") or "").strip()
            if (kind not in ("line", "prefix") or scope not in PHRASE_SCOPES or not norm
                    or not r["reason"].strip()):
                raise ValueError(f"{PHRASE_FILE} row {row_no}: bad row {r}")
            phrases.append(Phrase(norm, kind, r["reason"].strip(), r["phrase"].strip(), scope))
    model_path = reference_dir / MODEL_FILE
    line_model = load_model(model_path) if model and model_path.exists() else None
    return LineRules(phrases=tuple(phrases), model=line_model, stoplists=load_stoplists())


def line_fingerprint(text: str) -> str:
    """Normalised hash of a line for template learning: case, whitespace, punctuation
    and digits do not matter ("Page 2 of 5" and "Page 3 of 5" are the same template)."""
    norm = re.sub(r"\d+", "0", _norm(text))
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def learn_templates(docs_lines: Iterable[Sequence[str]], min_docs: int = 3) -> dict[str, int]:
    """Fingerprints of lines that occur in at least `min_docs` documents -> doc count.

    Pure: the caller groups documents by site and stores the result."""
    counts: dict[str, int] = {}
    for lines in docs_lines:
        for fp in {line_fingerprint(t) for t in lines if t.strip()}:
            counts[fp] = counts.get(fp, 0) + 1
    return {fp: n for fp, n in counts.items() if n >= min_docs}


def match_phrase(text: str, rules: LineRules, *, html: bool = False) -> Phrase | None:
    """The lexicon entry this line is, or starts with (short lines only); `html` adds the
    rows scoped to trafilatura's paragraphs."""
    norm = _norm(text)
    if not norm:
        return None
    exact, prefixes = rules.html_phrase_index if html else rules.phrase_index
    first = exact.get(norm, len(rules.phrases))
    if len(norm.split()) <= MAX_PREFIX_WORDS:
        # a prefix phrase matches when the line starts with it and the rest of the line
        # starts at a non-alphanumeric character: look up the line cut at each such place
        for m in _CUT.finditer(norm, 1):
            k = prefixes.get(norm[:m.start()])
            if k is not None and k < first:
                first = k
    return rules.phrases[first] if first < len(rules.phrases) else None


def menu_shape(text: str, stop_density: float) -> int:
    """Number of separators when the line is a row of short links, else 0."""
    parts = [p for p in _MENU_SEP.split(text) if p.strip()]
    if len(parts) < 3:
        return 0
    avg = sum(len(p.split()) for p in parts) / len(parts)
    if avg > 4 or (avg > 2 and stop_density >= 0.3):
        return 0
    return len(parts) - 1


def _title_key(text: str) -> str:
    return " ".join(tokens(text))


def title_variant(text: str, title: str) -> str | None:
    """How `text` repeats the headline: "exact", "site_suffix" ("Headline - Site") or
    "section_prefix" ("Opinion | Headline"); None when it does not."""
    return _keyed_variant(text, _title_key(text), _title_key(title))


def _keyed_variant(text: str, key: str, tkey: str) -> str | None:
    """`title_variant` from the line's and the headline's `_title_key` (a page computes
    its keys once, not once per question)."""
    if not tkey or not key:
        return None
    if key == tkey:
        return "exact"
    if key.startswith(tkey + " ") or key.endswith(" " + tkey):
        rest = key.replace(tkey, "", 1).split()
        if len(rest) <= 6 and _TITLE_SEP.search(text):
            return "site_suffix" if key.startswith(tkey) else "section_prefix"
        if len(rest) <= 6 and re.search(r"[|:]", text):
            return "section_prefix"
    return None


def _title_like(s: LineStats, rules: LineRules) -> bool:
    text = s.text
    if s.cjk:
        ok_len = 5 <= s.words <= 80
    else:
        ok_len = 3 <= s.words <= 30
    return (ok_len and not text.endswith((".", ":", ",")) and ". " not in text
            and "©" not in text and not _BYLINE.match(text) and "http" not in text
            and not _DATELINE.search(text) and not _DESK.search(text)
            and text.count(",") < 3 and menu_shape(text, s.stop_density) == 0
            and text.count("|") < 2
            and sum(map(str.isdigit, text)) < 0.3 * len(text)
            and match_phrase(text, rules) is None)


def text_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def find_headline(stats: Sequence[LineStats], rules: LineRules,
                  penalties: Sequence[float] | None = None,
                  keys: Sequence[str] | None = None) -> int | None:
    """Index of the headline among the non-blank lines, or None.

    The headline is a title-like line (3-30 words, no final period, not a byline, tags or
    menu line) in the 15 lines before the densest prose block or its first 10 lines (a
    teaser paragraph can open the block before the headline). Among candidates, a line
    repeated on the page or contained in the first line (the HTML `<title>`) wins, then
    Title Case and length, then nearness to the block start.
    """
    first, _ = main_block(stats, penalties)
    if first < 0:
        return None
    first_key = _title_key(stats[0].text) if stats else ""
    if keys is None:
        keys = [_title_key(s.text) for s in stats]
    best, best_score = None, 0.0
    for i in range(max(0, first - 15), min(len(stats), first + 10)):
        s = stats[i]
        if not _title_like(s, rules) or s.prose:
            continue
        repeated = keys.count(keys[i]) > 1 or (i > 0 and keys[i] and keys[i] in first_key)
        words = [w for w in re.findall(r"[^\W\d_]+", s.text) if len(w) > 3]
        caps = sum(w[0].isupper() for w in words) / len(words) if words else 0.0
        # Title Case counts for little: many languages write headlines in sentence case,
        # while mastheads and desk names ("Northgate Observer Fact Check Desk") are Title Case.
        score = 1.0 + 2.0 * repeated + caps + min(s.words, 15) / 15
        score -= 0.04 * abs(first - i) + (0.3 if i >= first else 0.0)
        if i == 0 and s.words <= 4 and not repeated:
            score -= 0.8  # a short first line is the masthead (site name), not the headline
        if text_upper(s.text):
            score -= 0.5  # ALL-CAPS lines are mastheads and section labels
        if score > best_score:
            best, best_score = i, score
    return best


SECTION_BREAK_REASONS = frozenset({"related_links", "comment_prompt", "newsletter_box",
                                   "share_buttons", "site_footer"})


def _section_breaks(phrases: Sequence[Phrase | None]) -> list[float]:
    """Extra block-search penalty for lexicon lines (`phrases`: each line's
    `match_phrase`) that open a non-article section ("Recommended for you:", "Leave a
    Comment"): the dense block may bridge one only when at least 40 words of prose
    follow, so a lone author bio after "Related Stories" is not pulled into the article
    while a mid-article "Read also" is."""
    return [-40.0 if p is not None and p.reason in SECTION_BREAK_REASONS else 0.0
            for p in phrases]


def _page_stats(texts: Sequence[str], rules: LineRules) -> tuple[list[LineStats], bool]:
    stop = None
    if rules.stoplists is not None:
        name, _ = rules.stoplists.guess(t for text in texts for t in tokens(text))
        stop = rules.stoplists.lists.get(name) if name else None
    return [line_stats(t, stop) for t in texts], stop is not None


def _nonblank(lines: Sequence[str]) -> list[tuple[int, str]]:
    return [(i, _SPACE.sub(" ", raw).strip()) for i, raw in enumerate(lines, start=1)
            if raw.strip()]


def _page_lines(lines: Sequence[str], rules: LineRules):
    """What headline detection and classification both start from: the non-blank lines,
    their texts, stats (and whether the page has a stop list), phrases, section-break
    penalties and title keys."""
    items = _nonblank(lines)
    texts = [t for _, t in items]
    stats, has_stop = _page_stats(texts, rules)
    phrases = [match_phrase(t, rules) for t in texts]
    pen = _section_breaks(phrases)
    keys = [_title_key(t) for t in texts]
    return items, texts, stats, has_stop, phrases, pen, keys


def detect_title(lines: Sequence[str], rules: LineRules) -> str | None:
    """The headline of a plain-text page (see `_detect_headline`)."""
    _, texts, stats, _, phrases, pen, keys = _page_lines(lines, rules)
    return _detect_headline(texts, stats, keys, phrases, pen,
                            find_headline(stats, rules, pen, keys))[0]


def _detect_headline(texts: Sequence[str], stats: Sequence[LineStats], keys: Sequence[str],
                     phrases: Sequence[Phrase | None], penalties: Sequence[float],
                     by_shape: int | None) -> tuple[str | None, int | None]:
    """The headline by agreement with the page's first line (`headline.text_headline`),
    else `by_shape` (the index `find_headline` chose)."""
    first, _ = main_block(stats, penalties)
    window = range(1, first + 10 if first >= 0 else 40)

    def candidate_ok(i: int) -> bool:
        return phrases[i] is None and menu_shape(texts[i], stats[i].stop_density) == 0

    def meta_line(i: int) -> bool:
        text = texts[i]
        return len(text.split()) <= 15 and bool(
            _BYLINE.match(text) or _DESK.search(text) or _DATELINE.search(text)
            or _DATE_HINT.search(text))

    return text_headline(texts, keys, window, candidate_ok, candidate_ok,
                         lambda: by_shape, meta_line, first)


def page_feature_rows(lines: Sequence[str], rules: LineRules, *, title: str | None = None,
                      anchor_title: bool = False
                      ) -> tuple[list[tuple[int, str]], list[list[float]]]:
    """(line_no, text) of the non-blank lines and their model features (for training).
    `anchor_title=True` locates a detected headline as `classify_page` does."""
    view = _page_view(lines, rules, title, anchor_title)
    return view.items, view.features


@dataclass(frozen=True)
class _PageView:
    """What every decision on a page starts from: its non-blank lines, their stats and
    model features, and the headline (given, or detected) with its index."""

    items: list[tuple[int, str]]
    stats: list[LineStats]
    features: list[list[float]]
    title: str | None
    phrases: list[Phrase | None]  # each line's `match_phrase`, computed once
    penalties: list[float]  # section breaks (`_section_breaks`)
    keys: list[str]  # each line's `_title_key`, computed once


def _page_view(lines: Sequence[str], rules: LineRules, title: str | None,
               anchor_title: bool = False) -> _PageView:
    """`title` given: it is located by its first variant on the page. None: it is detected
    (`_detect_headline`), while the model's title features point at the shape-based
    headline (`find_headline`); with `anchor_title` that one is located the same way as a
    given title (its first occurrence), as when a caller detects first and classifies
    second."""
    items, texts, stats, has_stop, phrases, pen, keys = _page_lines(lines, rules)
    if title is None:
        by_shape = find_headline(stats, rules, pen, keys)
        title, _ = _detect_headline(texts, stats, keys, phrases, pen, by_shape)
        # The line model learned its title features (`is_title`, `before_title` ...) with
        # the shape-based headline as anchor; moving the anchor to the agreed headline
        # without retraining cost body recall (fundus text R 0.962 -> 0.954), so the model
        # keeps its anchor until it is retrained.
        anchor = by_shape
        if by_shape is not None and anchor_title:
            anchor = _first_variant(texts, keys, keys[by_shape])
    else:
        anchor = _first_variant(texts, keys, _title_key(title))
    feats = page_features(stats, title_index=anchor, has_stoplist=has_stop, penalties=pen)
    return _PageView(items, stats, feats, title, phrases, pen, keys)


def _first_variant(texts: Sequence[str], keys: Sequence[str], tkey: str) -> int | None:
    """Index of the first line that is the headline or a variant of it."""
    return next((k for k, t in enumerate(texts) if _keyed_variant(t, keys[k], tkey)), None)


_REASON_FEATURES = ("log_words", "stop_density", "in_main_block", "short_le3")


@lru_cache(maxsize=8)
def _reason_columns(names: tuple[str, ...]) -> tuple[int, ...]:
    """Where the features `_model_reason` quotes sit in the model's feature list."""
    return tuple(names.index(n) for n in _REASON_FEATURES)


def _model_reason(p: float, thr: float, feats: list[float], names: Sequence[str]) -> tuple[str, str]:
    f = dict(zip(_REASON_FEATURES, (feats[c] for c in _reason_columns(tuple(names)))))
    detail = (f"model:p={p:.2f}<{thr:.2f};words={round(f['log_words'] and (2.718281828 ** f['log_words'] - 1))}"
              f";stopword_density={f['stop_density']:.2f};in_main_block={int(f['in_main_block'])}")
    if f["short_le3"]:
        return "short_fragment", detail
    if not f["in_main_block"]:
        return "outside_main_block", detail
    return "low_prose_score", detail


def classify_lines(
    lines: Sequence[str], rules: LineRules, *, title: str | None = None,
    templates: frozenset[str] = frozenset(),
) -> list[LineDecision]:
    """One decision per non-blank line (1-based `line_no` over `lines`).

    `title`: the known headline (from HTML metadata); when None it is detected. Lines
    repeating it are `title_line`. `templates`: fingerprints of this site's recurring lines.
    """
    if not _nonblank(lines):
        return []
    return _decide(_page_view(lines, rules, title or None), rules, templates)


def classify_page(lines: Sequence[str], rules: LineRules, *,
                  templates: frozenset[str] = frozenset()) -> tuple[str | None, list[LineDecision]]:
    """The detected headline of a plain-text page and one decision per non-blank line,
    from one pass over the page (what `detect_title` then `classify_lines` would give)."""
    view = _page_view(lines, rules, None, anchor_title=True)
    return view.title, (_decide(view, rules, templates) if view.items else [])


def _decide(view: _PageView, rules: LineRules, templates: frozenset[str]) -> list[LineDecision]:
    items, stats, feats, title = view.items, view.stats, view.features, view.title
    model = rules.model
    probs = model.predict(feats, [t for _, t in items]) if model else [1.0] * len(items)
    thr = rules.threshold
    title_key = _title_key(title) if title else ""

    out: list[LineDecision] = []
    by_model: list[bool] = []  # removed by the model only (eligible for context)
    for k, ((no, text), s) in enumerate(zip(items, stats)):
        decision, soft = None, False
        if templates and line_fingerprint(text) in templates:
            decision = LineDecision(no, text, False, "template_line",
                                    f"template:{line_fingerprint(text)}")
        elif title and (variant := _keyed_variant(text, view.keys[k], title_key)):
            decision = LineDecision(no, text, False, "title_line", f"title:{variant}")
        elif (phrase := view.phrases[k]) is not None:
            decision = LineDecision(no, text, False, phrase.reason,
                                    f"phrase:{phrase.raw.casefold()}")
        elif seps := menu_shape(text, s.stop_density):
            decision = LineDecision(no, text, False, "menu_line", f"menu:separators={seps}")
        elif probs[k] < thr:
            reason, rule = _model_reason(probs[k], thr, feats[k], model.feature_names)
            decision, soft = LineDecision(no, text, False, reason, rule), True
        else:
            rule = f"model:p={probs[k]:.2f}>={thr:.2f}" if model else "no_model"
            decision = LineDecision(no, text, True, "kept", rule)
        out.append(decision)
        by_model.append(soft)
    out = _headline_context(_context_smoothing(out, by_model, stats), by_model, stats)
    out = _after_section_break(_lead_ins(_data_rows(out, by_model, stats)), stats)
    return _block_fallback(out, by_model, view)


def _headline_context(out: list[LineDecision], soft: list[bool],
                      stats: Sequence[LineStats]) -> list[LineDecision]:
    """The article starts right after its headline. A prose line the model dropped that
    directly follows the headline (or its repeat) and is followed by a kept line opens
    the article (`context:after_headline`); a prose line the model kept that directly
    precedes the headline, while the headline is followed by kept prose, is a teaser
    set above it (`context:before_headline`)."""
    result = list(out)
    n = len(out)
    for k in range(1, n - 1):
        d = out[k]
        if soft[k] and stats[k].prose and out[k - 1].reason == "title_line" \
                and out[k + 1].keep:
            result[k] = LineDecision(d.line_no, d.text, True, "kept", "context:after_headline")
    first_title = next((k for k, d in enumerate(out) if d.reason == "title_line"), None)
    k = (first_title or 0) - 1
    if k >= 0 and k + 2 < n and stats[k].prose and result[k].keep \
            and result[k + 2].keep and stats[k + 2].prose:
        d = out[k]
        result[k] = LineDecision(d.line_no, d.text, False, "outside_main_block",
                                 "context:before_headline")
        # above the teaser, a short kept line is its kicker or story label ("Russia-NATO
        # Row on European Security"): it belongs to the teaser, not to the article
        j = k - 1
        while j >= 0 and result[j].keep and not stats[j].prose \
                and stats[j].words <= CONTEXT_MAX_WORDS:
            d = out[j]
            result[j] = LineDecision(d.line_no, d.text, False, "outside_main_block",
                                     "context:before_headline")
            j -= 1
    return result


def _lead_ins(out: list[LineDecision]) -> list[LineDecision]:
    """A kept line ending in ':' introduces what follows ("The newswire noted further:");
    when what follows was removed (or nothing follows), it introduced chrome
    ("Press TV's website can also be accessed at the following addresses:")."""
    result = list(out)
    for k, d in enumerate(out):
        if d.keep and d.text.rstrip().endswith((":", "：")) and (
                k + 1 == len(out) or not out[k + 1].keep):
            result[k] = LineDecision(d.line_no, d.text, False, "lead_in_without_body",
                                     "context:colon_line_before_removed")
    return result


def _context_smoothing(out: list[LineDecision], soft: list[bool],
                       stats: Sequence[LineStats]) -> list[LineDecision]:
    """Keep a short model-dropped line whose nearest neighbours are both kept."""
    result = list(out)
    for k in range(1, len(out) - 1):
        if soft[k] and stats[k].words <= CONTEXT_MAX_WORDS and out[k - 1].keep \
                and out[k + 1].keep:
            d = out[k]
            result[k] = LineDecision(d.line_no, d.text, True, "kept",
                                     "context:between_body_lines")
    return result


def _row_shape(text: str) -> str:
    """The opening of a line's shape: letter runs -> 'a', digit runs -> '0', spaces and
    dots dropped ("June 9 -- Coral Sky", "Aug. 2 -- DTE" -> "a0-")."""
    shape = _DIGITS.sub("0", _LETTERS.sub("a", text))
    return re.sub(r"a+", "a", re.sub(r"[\s.]+", "", shape))[:3]


def _data_rows(out: list[LineDecision], soft: list[bool],
               stats: Sequence[LineStats]) -> list[LineDecision]:
    """Keep a table that continues the article: tour dates, a race calendar, standings.

    Rows are short, mostly numeric and alike, and sit apart from the prose, so the model
    (rightly, for menus and teaser lists) scores them as chrome. A run of at least
    DATA_RUN_MIN_ROWS lines the model decided (kept or removed) that directly follows a
    kept paragraph or a kept line ending in ':', optionally after one short heading
    ("Tour dates"), is kept when its lines are short (a digit, or a cell of at most four
    words), most hold a digit, and most open with the same shape. Lines that end in a
    count, "Archives (54)", are widget entries, not rows.
    """
    result = list(out)
    n = len(out)

    def decided(j: int) -> bool:
        return out[j].keep or soft[j]

    def row(j: int) -> bool:
        s = stats[j]
        return (decided(j) and not s.prose and s.words <= DATA_ROW_MAX_WORDS
                and not _WIDGET_COUNT.search(s.text)
                and (s.words <= 4 or any(c.isdigit() for c in s.text)))

    k = 0
    while k < n:
        if not (out[k].keep and (stats[k].prose or out[k].text.rstrip().endswith(":"))):
            k += 1
            continue
        j = k + 1
        heading = None
        if j < n and not row(j) and decided(j) and not stats[j].prose \
                and stats[j].words <= CONTEXT_MAX_WORDS:
            heading, j = j, j + 1
        start = j
        while j < n and row(j):
            j += 1
        rows = range(start, j)
        digits = sum(any(c.isdigit() for c in stats[t].text) for t in rows)
        shapes = Counter(_row_shape(stats[t].text) for t in rows)
        if len(rows) >= DATA_RUN_MIN_ROWS and digits >= DATA_RUN_DIGIT_SHARE * len(rows) \
                and shapes.most_common(1)[0][1] >= DATA_RUN_SHAPE_SHARE * len(rows):
            for t in ([heading] if heading is not None else []) + list(rows):
                if not out[t].keep:
                    d = out[t]
                    result[t] = LineDecision(d.line_no, d.text, True, "kept",
                                             "context:data_rows")
            k = j
        else:
            k += 1
    return result


def _kept_runs(out: Sequence[LineDecision]) -> list[tuple[int, int]]:
    """(first, last) indices of the runs of kept lines, a run ending at SEGMENT_GAP
    removed lines in a row."""
    runs: list[tuple[int, int]] = []
    start, last, gap = None, None, 0
    for k, d in enumerate(out):
        if d.keep:
            start, last, gap = (k if start is None else start), k, 0
        elif start is not None:
            gap += 1
            if gap >= SEGMENT_GAP:
                runs.append((start, last))
                start, gap = None, 0
    if start is not None:
        runs.append((start, last))
    return runs


def _after_section_break(out: list[LineDecision],
                         stats: Sequence[LineStats]) -> list[LineDecision]:
    """Remove kept runs that start more than AFTER_BREAK_LINES below the article's run
    (the run with the most kept prose words) with a section break between them
    ("Related stories", "Comments", a share row, a newsletter box, the footer).

    What the model keeps down there is prose-like furniture: teaser blurbs, reader
    comments, an author bio. An article interrupted by a "Read also" box resumes within
    a few lines, and runs above the article's run are left alone (a teaser-like lead or
    a table can open the article).
    """
    runs = _kept_runs(out)
    if len(runs) < 2:
        return out
    core = max(runs, key=lambda r: sum(stats[k].words for k in range(r[0], r[1] + 1)
                                       if out[k].keep and stats[k].prose))
    breaks = [0]  # section breaks among the lines before index k: breaks[k]
    for d in out:
        breaks.append(breaks[-1] + (d.reason in SECTION_BREAK_REASONS))
    result = list(out)
    for first, last in runs:
        if first - core[1] <= AFTER_BREAK_LINES or breaks[first] == breaks[core[1] + 1]:
            continue
        for k in range(first, last + 1):
            d = out[k]
            if d.keep:
                result[k] = LineDecision(d.line_no, d.text, False, "outside_main_block",
                                         "context:after_section_break")
    return result


def _block_fallback(out: list[LineDecision], soft: list[bool],
                    view: _PageView) -> list[LineDecision]:
    """A page is cleaned because it holds an article: when the model keeps fewer than
    FALLBACK_MIN_PROSE_WORDS words of prose (a one-paragraph notice under 500 lines of
    municipal menus: an isolated prose line looks like a teaser), the prose lines of the
    densest prose block (`main_block`) that the model removed are kept."""
    stats = view.stats
    if sum(s.words for s, d in zip(stats, out) if d.keep and s.prose) >= FALLBACK_MIN_PROSE_WORDS:
        return out
    first, last = main_block(stats, view.penalties or None)
    result = list(out)
    for k in range(max(first, 0), last + 1):
        if stats[k].prose and soft[k] and not out[k].keep:
            d = out[k]
            result[k] = LineDecision(d.line_no, d.text, True, "kept",
                                     "context:main_block_fallback")
    return result
