"""Author and publication date of a page: the byline and dateline near the headline.

A plain-text scrape keeps the byline ("By Jon Dougherty", "Von Anna Muster, Redakteurin",
"Par Denis Loctier") and the dateline ("Published 12 February 2022", "Stand: 28.04.2023
14:05 Uhr") as lines between the headline and the first paragraph, usually removed as
boilerplate. We read them anyway, but only there: the lines just above and below where
the article starts. Further down, "by" and a capitalised name are a related story's teaser
or a photo credit. A line counts as a byline when it starts with a byline word (any
language, `warehouse/reference/byline_words.csv`) followed by a name, or when it is only a
name (two to a few capitalised words) and sits next to a date line or a byline word alone
on its line ("von" / "Author of the article:"). A name that is the site's own (a segment of
the page title such as "| Ottawa Citizen") is not an author.

Dates: the date line closest to the byline, then a day and month without a year dated by
the page's copyright year, then a "Published ..." line anywhere, then the first date line
under the headline, then the first date standing alone after the article starts.

HTML pages get their author from trafilatura (metadata, JSON-LD, markup). When that author
is only the site's name ("Deutsche Welle" on dw.com, "n-tv NACHRICHTEN"), a JSON-LD author
that is not the site (a person, or an agency) or the byline in the rendered lines replaces
it; the site's name stays only when the page names nobody else. The HTML date is JSON-LD
`datePublished` as written (the publisher's own day), else trafilatura's.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from flows.records import LineDecision
from flows.stages.clean.dates import (
    DatePatterns, copyright_year, dateline_date, dates_in, find_published_date,
    load_date_patterns, yearless_date,
)

WORDS_FILE = "byline_words.csv"
KINDS = ("marker", "label", "source", "credit", "dateword", "connector", "particle", "cut",
         "agency")
BEFORE = 20  # lines above the first article line that may hold the byline
AFTER = 10  # lines below it (a byline under the lead paragraph)
NEXT_TO = 2  # a bare name counts when a date line or a lone marker is this close
MAX_NAME_TOKENS = 5  # one person's name
MAX_RUN_TOKENS = 9  # several names run together on a line of their own
MAX_BYLINE_WORDS = 16  # a byline segment is short; a longer one with "von" is a sentence
MAX_AUTHORS = 4
MAX_STAMP_CHARS = 60  # a date standing alone on its line, give or take a time or a place
# Reasons given by phrase rules: such a line is page furniture, never a name.
_FURNITURE = {"share_button", "ad_label", "navigation", "newsletter", "comment_prompt",
              "related_link", "menu_line", "chrome_phrase", "cookie_notice", "title_line"}
_SEPARATORS = re.compile(r"\s*(?:[,;|/•·]|\s[–—-]\s)\s*")
_SEGMENTS = re.compile(r"\s*[|•·]\s*")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:.h]\d\d(?!\d)")
_LEAD_PUNCT = re.compile(r"^[\s:：\-–—|•·,(©]+")
_HANDLE = re.compile(r"@\w+")
_EDGE = "()[]{}\"'“”„«»‚‘:;!?,."


@dataclass(frozen=True)
class BylineRules:
    """Byline vocabulary (casefolded) and the date patterns, loaded from reference data.

    `markers` introduce a byline ("by", "von", "par"; longest first so "written by" wins),
    `labels` are the markers that also head an author box anywhere in the article
    ("Autor:"), `sources` take only an agency ("Quelle: dpa"), `credits` start a photo
    credit, never a byline, `datewords` make a line a dateline ("Published", "vor")."""

    markers: tuple[str, ...]
    labels: frozenset[str]
    sources: tuple[str, ...]
    credits: frozenset[str]
    datewords: tuple[str, ...]
    dateword_re: re.Pattern  # any dateword as a whole word
    connectors: frozenset[str]
    particles: frozenset[str]
    cuts: frozenset[str]  # words that end the name list ("with AP", "mit dpa")
    agencies: frozenset[str]
    dates: DatePatterns


def load_byline_rules(reference_dir: Path) -> BylineRules:
    words: dict[str, set[str]] = {k: set() for k in KINDS}
    with open(Path(reference_dir) / WORDS_FILE, encoding="utf-8", newline="") as f:
        for row_no, r in enumerate(csv.DictReader(f), start=2):
            word, kind = _fold(r["word"]), r["kind"].strip()
            if not word or kind not in KINDS:
                raise ValueError(f"{WORDS_FILE} row {row_no}: bad row {r}")
            words[kind].add(word)

    def longest_first(kind: str) -> tuple[str, ...]:
        return tuple(sorted(words[kind], key=len, reverse=True))
    return BylineRules(
        markers=tuple(sorted(words["marker"] | words["label"], key=len, reverse=True)),
        labels=frozenset(words["label"]), sources=longest_first("source"),
        credits=frozenset(words["credit"]), datewords=longest_first("dateword"),
        dateword_re=re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first("dateword")))
                               + r")(?!\w)"),
        connectors=frozenset(words["connector"]), particles=frozenset(words["particle"]),
        cuts=frozenset(words["cut"]), agencies=frozenset(words["agency"]),
        dates=load_date_patterns(reference_dir))


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# ---------------------------------------------------------------- names

def _unglue(text: str, case: bool = True, before: re.Pattern | None = None) -> str:
    """Undo words run together by the scrape: "KleinRedakteur" -> "Klein Redakteur"
    (`case`; else only where `before` matches from the capital on, as in "Jen
    MillsPublished Jul"), "Kinsella2 minutes" -> "Kinsella 2 minutes"; handles (@name)
    dropped. A capital after three or more lower-case letters starts a new word (McDonald,
    DeVito stay)."""
    text = _HANDLE.sub(" ", text)
    out: list[str] = []
    run = 0
    for i, ch in enumerate(text):
        if i and ((ch.isupper() and run >= 3 and (
                case or (before is not None and before.match(text[i:].casefold()))))
                or (ch.isdigit() and text[i - 1].isalpha())
                or (ch.isalpha() and text[i - 1].isdigit())):
            out.append(" ")
        run = run + 1 if ch.islower() else 0
        out.append(ch)
    return "".join(out)


def _name_token(tok: str, rules: BylineRules) -> bool:
    """A word of a personal name: capitalised (Anna, O'Neil, Jervis-Bardy, Lê), an
    initial (R.), or all capitals (JÖRG); never a date word or credit word ("Published",
    "Images"). Month names can be first names (Jan, June), so they are not excluded."""
    if not tok[0].isupper() or any(c.isdigit() for c in tok):
        return False
    low = tok.casefold().rstrip(".")
    return not (low in rules.credits or rules.dateword_re.fullmatch(low))


def _tokens(piece: str) -> list[str]:
    """Words of a piece with edge punctuation stripped ("(Foto" -> "Foto"). A word ending
    in a colon ends the piece: what comes before it is a label or a headline
    ("Ukrainische Gegenoffensive: Ziele"), not a name."""
    out = []
    for raw in piece.split():
        if raw.endswith((":", "：")) and out:
            return []
        tok = raw.strip(_EDGE[:-2])
        if tok:
            out.append(tok)
    return out


def _agency_at(tokens: list[str], i: int, rules: BylineRules) -> int:
    """Length of the agency name starting at tokens[i] (0 when none)."""
    for n in (3, 2, 1):
        if i + n <= len(tokens) and _fold(" ".join(tokens[i:i + n])) in rules.agencies:
            return n
    return 0


def _names(text: str, rules: BylineRules, max_tokens: int = MAX_NAME_TOKENS,
           case_glue: bool = True, single: bool = False) -> list[str]:
    """The leading list of names in `text` ("Anna Martel und Lea Wagner, Nairobi" ->
    [Anna Martel, Lea Wagner]); empty when it does not start with a name.

    A name is 2..max_tokens name words (particles such as "van", "de" inside), or an
    agency. The list ends at the first piece that is not a name: a role ("Redakteurin"),
    a place, a date, a "with"."""
    names: list[str] = []
    first: list[str] = []
    for piece in _SEPARATORS.split(_unglue(text, case_glue).strip()):
        toks = _tokens(piece.split("(")[0])  # "(Erzbischof von Vienne)": a gloss, not a name
        if not toks:
            break
        first = first or toks
        cur: list[str] = []
        i, stop = 0, False
        while i < len(toks):
            tok, low = toks[i], toks[i].casefold()
            if not cur and (n := _agency_at(toks, i, rules)):
                names.append(" ".join(toks[i:i + n]))
                i += n
                continue
            if low in rules.connectors and cur:
                names.append(" ".join(cur))
                cur = []
            elif low in rules.cuts or (not cur and low in rules.credits):
                stop = True
                break
            elif _name_token(tok, rules) or (cur and low in rules.particles and i + 1 < len(toks)):
                cur.append(tok)
                if len(cur) > max_tokens:
                    return []
            else:
                stop = True
                break
            i += 1
        while cur and cur[-1].casefold() in rules.particles:
            cur.pop()  # "Copier le lien": a name ends on a name word
        if cur:
            names.append(" ".join(cur))
        if stop or len(names) >= MAX_AUTHORS:
            break
    if single and len(names) == 1 and len(names[0].split()) == 1 and (
            len(first) == 1 or first[1][0].isdigit()):
        return names  # "von Landesspiegel", "By Staff": a one-word signature after a byline word
    good = []
    for name in names:
        if _fold(name) in rules.agencies or len(name.split()) >= 2:
            good.append(name)
        else:
            break  # a one-word piece that is not an agency: a place or a role, list over
    return good[:MAX_AUTHORS]


def _starts_with(folded: str, words: Sequence[str]) -> str | None:
    """The first of `words` (folded, longest first) that starts `folded` as whole words."""
    m = _start_re(tuple(words)).match(folded)
    return m[0] if m else None


@functools.lru_cache(maxsize=16)
def _start_re(words: tuple[str, ...]) -> re.Pattern:
    """One alternation per word list (longest first), matched at the start of a line;
    cached by the list itself, so it is a pure function of its argument."""
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])")


@functools.lru_cache(maxsize=4)
def _glued_re(markers: tuple[str, ...], particles: frozenset[str]) -> re.Pattern:
    """A one-word marker written capitalised and run into a capitalised name ("ByAlex");
    not a marker that also starts surnames ("DiCaprio", "VonDerHaar")."""
    words = [m.capitalize() for m in markers
             if " " not in m and "/" not in m and len(m) >= 2 and m not in particles]
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?=[^\W\d_])(?=[^a-zß-ÿа-я])")


def _after_marker(segment: str, rules: BylineRules) -> str | None:
    """The text after a byline word that starts the segment ("" for a lone marker), or
    None when the segment does not start with one."""
    marker = _starts_with(_fold(segment), rules.markers)
    if marker is None:
        glued = _glued_re(rules.markers, rules.particles).match(segment)  # "ByAlex Bozarjian"
        rest = segment[glued.end():].strip() if glued else ""
        return rest if len(rest.split()) >= 2 else None  # a first and a last name at least
    words = segment.split()
    n = len(marker.split())
    # "Von:" / "By:" glued to a colon, or "Von: Anna": the colon goes with the marker
    rest = " ".join(words[n:]) if _fold(" ".join(words[:n])).rstrip(":：") == marker else (
        " ".join(words)[len(marker):])
    return _LEAD_PUNCT.sub("", rest).strip()


def _is_date_line(text: str, rules: BylineRules, today: dt.date) -> bool:
    """A dateline: a date, a short time stamp, or a "published"/"ago" word with a digit."""
    if dateline_date(text, today, rules.dates) is not None or (
            len(text) <= 30 and yearless_date(text, today.year, today, rules.dates)):
        return True
    if len(text) <= 40 and _TIME.search(text):
        return True
    folded = _fold(text)
    return len(folded) <= 60 and (_starts_with(folded, rules.datewords) is not None or (
        any(c.isdigit() for c in folded) and rules.dateword_re.search(folded) is not None))


def _site_segments(first_line: str) -> set[str]:
    """Segments of the page's first line (its <title>): "Headline | Site" -> the site."""
    return {_fold(s) for s in re.split(r"\s[|–—-]\s|\s›\s|::", first_line) if s.strip()}


# ---------------------------------------------------------------- page

def _start(decisions: Sequence[LineDecision]) -> int | None:
    return next((i for i, d in enumerate(decisions) if d.keep), None)


def find_byline(decisions: Sequence[LineDecision], rules: BylineRules, title: str | None = None,
                today: dt.date | None = None) -> tuple[str | None, int | None]:
    """(author, index of the byline line in `decisions`) of a plain-text page.

    Candidates, best first: a byline word and a name (closest to the article start); a
    name on a line of its own or beside a date on its line; a name next to a date line. An
    author-box label ("Autor: ...") anywhere in the article is the last resort."""
    today = today or dt.date.today()
    start = _start(decisions)
    if start is None:
        return None, None
    lo, hi = max(0, start - BEFORE), min(len(decisions), start + AFTER + 1)
    site = _site_segments(decisions[0].text) if decisions else set()
    title_fold = _fold(title) if title else ""
    if title:
        site.add(title_fold)
    texts = [" ".join(d.text.split()) for d in decisions]
    best: tuple[tuple[int, int], str, int] | None = None

    site_signed = False  # "von Landesspiegel" on landesspiegel.li: the site signs the piece

    def offer(rank: int, i: int, names: list[str]) -> None:
        nonlocal best, site_signed
        if rank == 0 and names and all(_fold(n) in site for n in names):
            site_signed = True
        names = [n for n in names if _fold(n) not in site]
        key = (rank, abs(i - start))
        if names and (best is None or key < best[0]):
            best = (key, ", ".join(names), i)

    is_date: dict[int, bool] = {}
    lower: set[str] = set()

    def common_words(names: list[str]) -> bool:
        """True when the 'name' is page vocabulary: a word after its first occurs in lower
        case elsewhere on the page ("Latest News", "Thema des Tages"), or its first word does
        and is short ("Für Arbeitgeber", "Zum Inhalt"). Surnames are seldom written in lower
        case; a first name may be a word ("Will", "Rose"), so only short ones count."""
        if not lower:  # words as written in running text, not inside a link or an address
            lower.update(w for t in texts for raw in t.split()
                         if (w := raw.strip(_EDGE)) and w[0].islower() and w.isalpha())
            lower.add("")
        for name in names:
            if _fold(name) in rules.agencies:
                continue  # "dpa" is written in lower case and is an author
            words = [w.casefold() for w in name.split() if w.casefold() not in rules.particles]
            if not words:
                continue
            first, rest = words[0], words[1:]
            if any(w in lower for w in rest) or (first in lower and (len(first) <= 4 or not rest)):
                return True
        return False

    def date_at(j: int) -> bool:
        if j not in is_date:
            is_date[j] = _is_date_line(texts[j], rules, today)
        return is_date[j]

    def dated(i: int) -> int | None:
        near = [j for j in range(i - NEXT_TO, i + NEXT_TO + 1)
                if j != i and 0 <= j < len(texts) and date_at(j)]
        return min((abs(j - i) for j in near), default=None)

    for i in range(lo, hi):
        text = texts[i]
        segments = [s for s in _SEGMENTS.split(text) if s]
        marked = False
        for seg in segments:
            rest = _after_marker(seg, rules)
            if rest is None or _fold(seg) in site:
                continue
            marked = True
            if rest:
                if len(rest.split()) <= MAX_BYLINE_WORDS:
                    label = _starts_with(_fold(seg), rules.markers) in rules.labels
                    offer(0, i, _names(rest, rules, single=not label))
            elif len(segments) == 1 and i + 1 < len(texts) and _after_marker(
                    texts[i + 1], rules) is None:  # a lone marker labels the next line
                offer(0, i + 1, _names(texts[i + 1], rules, MAX_RUN_TOKENS))
        if marked or decisions[i].reason in _FURNITURE or len(text.split()) > MAX_BYLINE_WORDS:
            continue
        if title_fold and title_fold.startswith(_fold(text)):
            continue  # the headline, or its first half
        if _starts_with(_fold(text), rules.credits):
            continue
        src = _starts_with(_fold(text), rules.sources)
        if src:
            rest = _LEAD_PUNCT.sub("", text[len(src):]).strip()
            agencies = [n for n in _names(rest, rules) if _fold(n) in rules.agencies]
            offer(1, i, agencies)
            continue
        pieces = [p for p in _SEPARATORS.split(_unglue(text, case=False, before=rules.dateword_re)) if p]
        for k, piece in enumerate(pieces):
            names = _names(piece, rules, MAX_RUN_TOKENS, case_glue=False)
            words = " ".join(names).split()
            if not names or all(w.isupper() and len(w) > 1 for w in words):
                continue  # a row of capitals is a button or a section, not a name
            rest = " ".join(_tokens(piece)[len(words):])
            others = [p for j, p in enumerate(pieces) if j != k]
            if rest and _is_date_line(rest, rules, today):
                others.append(rest)  # "Nizaar Kinsella 2 minutes ago"
            elif len(rest.split()) > 1:
                continue  # a name must be alone on its piece, give or take a role word
            if any(_is_date_line(p, rules, today) for p in others):
                rank = 1
            elif (d := dated(i)) is not None:
                rank = 1 + d
            else:
                break
            if not common_words(names):
                offer(rank, i, names)
            break
    if site_signed and best is not None and best[0][0] > 0:
        return None, None  # a bare name beside a site-signed byline is a caption
    if best is None and not site_signed:
        for i in range(start, len(texts)):
            rest = _after_marker(texts[i], rules)
            marker = _starts_with(_fold(texts[i]), rules.markers)
            if rest and marker in rules.labels and len(rest.split()) <= MAX_BYLINE_WORDS:
                offer(4, i, _names(rest, rules))
                if best is not None:
                    break
    return (best[1], best[2]) if best else (None, None)


def find_dateline(decisions: Sequence[LineDecision], rules: BylineRules,
                  near: int | None, today: dt.date | None = None) -> str | None:
    """ISO date of the date line closest to the byline (or to the article start), within
    the byline zone; lines above the anchor win ties (the dateline sits over the text)."""
    today = today or dt.date.today()
    start = _start(decisions)
    if start is None:
        return None
    lo, hi = max(0, start - BEFORE), min(len(decisions), start + AFTER + 1)
    anchor = start if near is None else near
    order = sorted(range(lo, hi), key=lambda i: (abs(i - anchor), i > anchor))
    texts = [" ".join(decisions[i].text.split()) for i in range(len(decisions))]
    for i in order:
        if (value := dateline_date(texts[i], today, rules.dates) or (
                len(texts[i]) <= 100 and dateline_date(_unglue(texts[i]), today, rules.dates))):
            # (unglued: "2 minute readApril 25, 2023")
            return value.isoformat()
    year = copyright_year(texts, today)
    for i in order if year is not None else ():
        if (value := yearless_date(texts[i], year, today, rules.dates)):
            return value.isoformat()
    # a "Published ..." line anywhere (the article's own header can sit far from where
    # the line classifier starts the article)
    for text in texts:
        if len(text) <= 100 and _starts_with(_fold(text), rules.datewords) and (
                value := dateline_date(text, today, rules.dates)):
            return value.isoformat()
    return None


def text_author_and_date(lines: Sequence[str], decisions: Sequence[LineDecision],
                         title: str | None, rules: BylineRules | None,
                         today: dt.date | None = None) -> tuple[str | None, str | None]:
    """(author, ISO date) of a plain-text page. The date is the dateline by the byline;
    else the first date line under the headline; else the first date standing alone after
    the article starts."""
    if rules is None:
        return None, None
    author, at = find_byline(decisions, rules, title, today)
    date = (find_dateline(decisions, rules, at, today)
            or find_published_date(lines, title, today, rules.dates)
            or first_date_line(decisions, rules, today))
    return author, date


def first_date_line(decisions: Sequence[LineDecision], rules: BylineRules,
                    today: dt.date | None = None) -> str | None:
    """Last resort: the first short line from the article start on that is mostly a date
    ("29.06.2025", "20 February, 2024"). A stamp standing alone after the text starts is
    the article's own, more often than a date in a list of other stories further down."""
    today = today or dt.date.today()
    start = _start(decisions)
    for d in decisions[start:] if start is not None else ():
        text = " ".join(d.text.split())
        if len(text) > MAX_STAMP_CHARS:
            continue
        found = dates_in(text, today, rules.dates)
        if found and found[0][1] - found[0][0] >= len(text) / 2:
            return found[0][2].isoformat()
    return None


def site_author(author: str | None, site_names: Sequence[str | None],
                agencies: frozenset[str] = frozenset()) -> bool:
    """True when the author is only the site's name or domain ("Deutsche Welle",
    "N-Tv Nachrichten" on n-tv.de, "Sportschau De"): its words start with the site's words
    (or the reverse), case and punctuation aside. "Le Figaro et AFP" names an agency
    beside the site, so it is an author."""
    if not author:
        return False
    words = re.findall(r"\w+", _fold(author))
    if not words:
        return False
    for site in site_names:
        if not site:
            continue
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", _fold(site))
        host = re.sub(r"\.[a-z]{2,3}(?:\.[a-z]{2})?/?$", "", host)
        s = re.findall(r"\w+", host)
        if s and (words[:len(s)] == s or s[:len(words)] == words):
            rest = " ".join(words[len(s):])
            return not any(a in agencies for a in (rest, *rest.split()))
    return False


# ---------------------------------------------------------------- HTML

_DOMAIN = re.compile(r"(?<![\w@.])(?:www\.)?[\w-]+\.[a-z]{2,}(?![\w@])", re.I)
_ISO_DAY = re.compile(r"^((?:19|20)\d\d)-(\d\d)-(\d\d)")
MAX_LD_SCRIPTS = 20
MAX_LD_NODES = 500


def jsonld_article(root) -> tuple[list[tuple[str, str]], str | None]:
    """(authors as (type, name), datePublished) from the page's JSON-LD, walking nested
    objects and @graph iteratively; the first node with an author or date wins."""
    authors: list[tuple[str, str]] = []
    published: str | None = None
    for script in root.xpath('//script[@type="application/ld+json"]')[:MAX_LD_SCRIPTS]:
        try:
            stack = [json.loads(script.text or "")]
        except ValueError:
            continue
        seen = 0
        while stack and seen < MAX_LD_NODES:
            node = stack.pop()
            seen += 1
            if isinstance(node, list):
                stack.extend(reversed(node[:50]))
                continue
            if not isinstance(node, dict):
                continue
            if published is None and isinstance(node.get("datePublished"), str):
                published = node["datePublished"].strip() or None
            if not authors and (found := node.get("author")) is not None:
                for a in found if isinstance(found, list) else [found]:
                    if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip():
                        kind = a.get("@type")
                        kind = kind[0] if isinstance(kind, list) and kind else kind
                        authors.append((str(kind or ""), " ".join(a["name"].split())))
                    elif isinstance(a, str) and a.strip():
                        authors.append(("", " ".join(a.split())))
            stack.extend(v for k, v in node.items()
                         if k not in ("author", "publisher") and isinstance(v, (dict, list)))
        if authors and published:
            break
    return authors, published


def _html_decisions(rendered: Sequence[str], body: str) -> list[LineDecision]:
    """The rendered lines marked kept from the first line of the extracted body on, so
    `find_byline` reads the lines around where the article starts."""
    first = next((" ".join(p.split()) for p in body.split("\n") if p.strip()), "")
    start = next((i for i, line in enumerate(rendered) if first and (
        line == first or (len(line) >= 40 and first.startswith(line)))), None)
    if start is None:
        return []
    return [LineDecision(i + 1, line, i >= start, "kept" if i >= start else "html_boilerplate")
            for i, line in enumerate(rendered)]


def html_author_and_date(root, meta: dict, rendered: Sequence[str], url: str | None,
                         publisher: str | None, rules: BylineRules | None,
                         today: dt.date | None = None) -> tuple[str | None, str | None]:
    """(author, ISO date) of an HTML page.

    Author: trafilatura's (meta tags, JSON-LD, markup) unless it is only the site's name;
    then the JSON-LD authors that are not the site (people, or an agency: "dpa"); then the byline in the rendered lines around the article start. Date: the
    JSON-LD datePublished as written (the publisher's own day), else trafilatura's."""
    host = url and re.sub(r"^https?://(?:www\.)?([^/]+).*$", r"\1", url)
    sites = [meta.get("sitename"), publisher, host]
    agencies = rules.agencies if rules is not None else frozenset()
    author = " ".join((meta.get("author") or "").split()) or None
    ld_authors, ld_date = jsonld_article(root) if root is not None else ([], None)
    if author and root is not None:  # <meta name="author" content="Site (www.site.com)">
        for tag in root.xpath('//meta[@name="author"]/@content')[:3]:
            if _DOMAIN.search(tag) and _fold(author) in _fold(tag):
                sites.append(author)
    if not author or site_author(author, sites, agencies):
        people = [n for _, n in ld_authors if not site_author(n, sites, agencies)]
        better = ", ".join(people[:MAX_AUTHORS]) or None
        if better is None and rules is not None and rendered:
            found, _ = find_byline(_html_decisions(rendered, meta.get("text") or ""), rules,
                                   meta.get("title"), today)
            better = None if site_author(found, sites, agencies) else found
        # a site's name is kept only when the page names nobody else: it is how the site
        # signs its own pieces (fundus gold agrees), and the publisher column says more
        author = better or author
    date = meta.get("date") or None
    if ld_date and (m := _ISO_DAY.match(ld_date)):
        date = f"{m[1]}-{m[2]}-{m[3]}"
    return author, date if date and _ISO_DAY.match(date) else None
