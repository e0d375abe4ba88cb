"""Headline choice: which text on a page is the article's headline, without its site part.

A page names its article several times: the HTML `<title>` (in a plain-text scrape, its
first line), `og:title`, `twitter:title`, JSON-LD `headline`, and the visible `<h1>` or
headline line. The `<title>`-like names usually carry the site ("Headline | Site",
"Headline – DW – 28.04.2023"); the visible headline usually does not, and share rows,
menus or photo credits never agree with any name. So the choice is by agreement and by
what the site is called on the page itself, never by a list of site names:

* `strip_site` cuts the segments (after a separator) that name the site: they match
  `og:site_name`, the publisher or a URL domain label, are shaped like a domain
  ("Golem.de") or a date, or repeat a short line of the page (masthead, section link);
  short parts after the first pipe of a long head are cut too.
* plain text (`text_headline`): a line near the top of the body that equals the first
  line (the `<title>`), a run of its segments, or most of its words, is the headline;
  else the first line less its site part; only then the shape-based choice.
* HTML (`html_headline`): trafilatura's title less its site part, or an `<h1>` where
  that is clearly better (see there).

Pure functions over strings; `html_names` only reads an already parsed tree (the cleaner
parses each page once).
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Callable, Iterable, Sequence

from flows.stages.clean._line_features import _TOKEN as _TOKEN_RE, tokens

# Separators between a headline and its site or section part. A colon is deliberately
# absent: "Kicker: Headline" is part of the headline in most languages.
_SEGMENT_SEP = re.compile(r"\s+[|\-–—•·»*/~]\s+|\s*[|｜ǀ]\s*|\s+::\s+|\s[-–—]\s*$")
# "Golem.de", "news.ORF.at", "Globalnews.ca", "stuttgarter-zeitung.de"
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.I)
_DATE_SEGMENT = re.compile(r"^[\d\s./\-:]+$")
_NON_ALNUM = re.compile(r"[\W_]+")
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)", re.I)
# Generic host labels that say nothing about the site.
_HOST_NOISE = frozenset({"www", "m", "amp", "news", "com", "co", "org", "net", "de", "uk"})

MIN_HEADLINE_TOKENS = 3  # a CJK character is a token (see `tokens`)
MAX_HEADLINE_TOKENS = 60
MIN_RUN_SHARE = 0.4  # an agreeing segment run is at least this share of the name
MAX_RUN_NAME_TOKENS = round(MAX_HEADLINE_TOKENS / MIN_RUN_SHARE)  # 150
MIN_FUZZY_F1 = 0.6  # token F1 for a reworded visible headline to count as agreeing
MAX_SITE_WORDS = 6  # a site or section part is short
PIPE_HEAD_TOKENS = 5  # "Headline | Section | Site": the head before the first pipe ...
PIPE_TAIL_WORDS = 3  # ... and each part after it
_PIPE = re.compile(r"\s*[|｜]\s*")
_COMMA = re.compile(r",\s+")
_CLOSING = "»«\"“”’'()]?!…"


def key(text: str) -> str:
    """The comparison key of a headline: its word tokens, casefolded and NFKC."""
    return " ".join(tokens(text))


def segments(text: str) -> list[str]:
    """`text` split at headline/site separators, empty parts dropped."""
    return [s.strip() for s in _SEGMENT_SEP.split(text) if s and s.strip()]


def _compact(text: str) -> str:
    """Letters and digits only, accents removed, casefolded: "Börsen-Zeitung" ->
    "borsenzeitung", so a site name can be compared with a domain."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _NON_ALNUM.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def site_names(site_name: str | None = None, url: str | None = None,
               extra: Iterable[str | None] = ()) -> list[str]:
    """Compact forms of what names the site: its declared name(s) and its domain labels
    ("www.boersen-zeitung.de" -> "boersenzeitung", "borsenzeitung")."""
    names = [_compact(n) for n in (site_name, *extra) if n]
    host = _URL_HOST.match(url or "")
    if host:
        for label in host.group(1).lower().split("."):
            if label in _HOST_NOISE or len(label) < 2:
                continue
            names.append(_compact(label))
            # German/Nordic transliteration in domains: "boersen" for "börsen"
            names.append(_compact(re.sub(r"(?<=[aou])e", "", label)))
    return sorted({n for n in names if n})


def _matches_site(segment: str, names: Sequence[str]) -> bool:
    seg = _compact(segment)
    if not seg:
        return False
    for name in names:
        if seg == name:
            return True
        short, long_ = sorted((seg, name), key=len)
        if len(short) >= 3 and (long_.startswith(short) or long_.endswith(short)):
            return True
    return False


def _site_like(segment: str, names: Sequence[str], mastheads: frozenset[str]) -> bool:
    """A segment that names the site: its name or domain, a domain-shaped word, a date,
    or a short line seen elsewhere on the page (`mastheads`, keys)."""
    words = segment.split()
    if len(words) > MAX_SITE_WORDS:
        return False
    return (_matches_site(segment, names) or bool(_DOMAIN.match(segment))
            or _is_date(segment)
            or key(segment) in mastheads)


def strip_site(title: str, names: Sequence[str] = (),
               mastheads: frozenset[str] = frozenset()) -> str:
    """`title` without its site part, or unchanged when none is recognised (so a
    headline that contains a dash keeps it). In order:

    * cut at the first segment (after the first) that is site-like (`_site_like`);
      a leading site segment ("Site | Headline") is dropped the same way;
    * "Headline | Section | Site": pipes seldom occur inside a headline, so short parts
      after the first pipe of a long head are the site's even when not recognised;
    * "Headline, Site, 26.04.2024": a comma template, recognised by its final date."""
    title = title.strip()
    segs = segments(title)
    # a domain in the title names the site for its other segments too
    # ("Headline – NationNews Barbados — nationnews.com")
    names = list(names) + [n for seg in segs[1:] if _DOMAIN.match(seg)
                           for n in site_names(url="http://" + seg)]
    if len(segs) >= 2:
        for i in range(1, len(segs)):
            if _site_like(segs[i], names, mastheads):
                head = _join_until(title, segs, i)
                if len(tokens(head)) >= MIN_HEADLINE_TOKENS:
                    return head
                break
        if _site_like(segs[0], names, mastheads) and \
                len(tokens(" ".join(segs[1:]))) >= MIN_HEADLINE_TOKENS:
            return _join_from(title, segs, 1)
    head, *rest = _PIPE.split(title)
    rest = [p for p in rest if p.strip()]
    if rest and len(tokens(head)) >= PIPE_HEAD_TOKENS and all(
            len(p.split()) <= PIPE_TAIL_WORDS for p in rest):
        return head.strip()
    parts = _COMMA.split(title)
    if len(parts) >= 3 and _is_date(parts[-1]) and len(parts[-2].split()) <= MAX_SITE_WORDS:
        head = ", ".join(parts[:-2])  # the site name and the date go together
        if len(tokens(head)) >= MIN_HEADLINE_TOKENS:
            return head
    return title


def _is_date(segment: str) -> bool:
    return bool(_DATE_SEGMENT.match(segment)) and sum(c.isdigit() for c in segment) >= 4


def _join_until(title: str, segs: Sequence[str], end: int) -> str:
    """The original text of `title` up to (not including) segment `end`, separators kept."""
    pos = 0
    for seg in segs[:end]:
        pos = title.index(seg, pos) + len(seg)
    return title[:pos].strip()


def _join_from(title: str, segs: Sequence[str], start: int) -> str:
    pos = 0
    for seg in segs[:start]:
        pos = title.index(seg, pos) + len(seg)
    return title[title.index(segs[start], pos):].strip()


def _run_keys(title: str) -> dict[str, float]:
    """Keys of every contiguous run of `title`'s segments, with the share of the title's
    tokens the run covers (the whole title is a run of share 1.0)."""
    segs = segments(title)
    total = len(tokens(title)) or 1
    out: dict[str, float] = {}
    for i in range(len(segs)):
        for j in range(i + 1, len(segs) + 1):
            k = key(" ".join(segs[i:j]))
            if k:
                out[k] = max(out.get(k, 0.0), len(k.split()) / total)
    out.setdefault(key(title), 1.0)
    return out


def token_f1(a: str, b: str) -> float:
    """Token-multiset F1 of two keys."""
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return 0.0
    pool: dict[str, int] = {}
    for t in tb:
        pool[t] = pool.get(t, 0) + 1
    common = 0
    for t in ta:
        if pool.get(t, 0) > 0:
            common += 1
            pool[t] -= 1
    if not common:
        return 0.0
    p, r = common / len(ta), common / len(tb)
    return 2 * p * r / (p + r)


def agreeing(candidates: Sequence[str], names: Sequence[str],
             stripped: Sequence[str] = ()) -> int | None:
    """Index of the candidate that agrees best with the page's names, or None.

    Exact agreement (the candidate is a name, or a run of a name's segments covering at
    least `MIN_RUN_SHARE` of it) beats fuzzy agreement (token F1 >= `MIN_FUZZY_F1` with a
    name stripped of its site part, `stripped`); ties go to the earlier candidate."""
    runs: dict[str, float] = {}
    for name in names:
        # a candidate has at most MAX_HEADLINE_TOKENS, so it can be MIN_RUN_SHARE of a name
        # only up to MAX_RUN_NAME_TOKENS long; longer names (a whole page of markup on its
        # first line) are skipped before `_run_keys`, which is cubic in their segments
        if name and len(tokens(name)) <= MAX_RUN_NAME_TOKENS:
            for k, share in _run_keys(name).items():
                runs[k] = max(runs.get(k, 0.0), share)
    stripped_keys = [key(s) for s in stripped if s]
    best, best_score = None, 0.0
    for i, cand in enumerate(candidates):
        k = key(cand)
        n = len(k.split())
        if n < MIN_HEADLINE_TOKENS or n > MAX_HEADLINE_TOKENS:
            continue
        score = 0.0
        if runs.get(k, 0.0) >= MIN_RUN_SHARE:
            score = 1.0 + runs[k]
        elif not cand.rstrip().endswith("."):  # a reworded lead sentence is not a headline
            f1 = max((token_f1(k, s) for s in stripped_keys), default=0.0)
            if f1 >= MIN_FUZZY_F1:
                score = f1
        if score > best_score:
            best, best_score = i, score
    return best


def html_headline(meta_title: str | None, *, page_title: str | None = None,
                  og_title: str | None = None, twitter_title: str | None = None,
                  ld_headline: str | None = None, h1s: Sequence[str] = (),
                  site_name: str | None = None, publisher: str | None = None,
                  url: str | None = None) -> str | None:
    """The headline of an HTML page from its names.

    `meta_title` (what trafilatura read, usually `og:title`) loses its site part
    (`strip_site`, the site known from `og:site_name`, the publisher and the URL). An
    `<h1>` then replaces it in two cases: it is the stripped title less a short section
    part ("Headline - National | Globalnews.ca" with `<h1>` "Headline"); or no name of
    the page carries it, contains it or is contained in it, while it shares a word with
    the title: a headline rewritten after publication, whose meta fields kept the first
    version. An `<h1>` that equals another name (the `<title>` or JSON-LD headline where
    `og:title` differs) does not: the page has two headlines and `og:title` is the one it
    shares."""
    names = [n for n in (og_title, page_title, twitter_title, ld_headline, meta_title) if n]
    if not names:
        return None
    first = meta_title or names[0]
    sites = site_names(site_name, url, (publisher,))
    head = strip_site(first, sites)
    hkey = key(head)
    visible = [h for h in h1s if len(tokens(h)) >= MIN_HEADLINE_TOKENS]
    if head != first.strip():
        for h in visible:
            rest = _rest_after_prefix(head, key(h))
            if rest is not None and 0 < len(rest.split()) <= SECTION_WORDS:
                return h
    if visible and hkey:
        h = visible[0]
        k = key(h)
        name_keys = [key(n) for n in names] + [hkey]
        unknown = all(k not in n and n not in k for n in name_keys)
        if unknown and _shares_word(k, hkey):
            return h
    return head or None


SECTION_WORDS = 3
BYLINE_REACH = 3  # a byline or dateline this many lines below a headline (after a dek)
BYLINE_HEAD_WORDS = 5


def _rest_after_prefix(title: str, prefix_key: str) -> str | None:
    """The key of what follows `prefix_key` in `title` when the prefix is a run of its
    leading segments, else None."""
    segs = segments(title)
    for j in range(1, len(segs)):
        if key(" ".join(segs[:j])) == prefix_key:
            return key(" ".join(segs[j:]))
    return None


def _shares_word(a: str, b: str) -> bool:
    """Two keys share a word of 4+ characters, or two CJK characters (one token each)."""
    common = set(a.split()) & set(b.split())
    return any(len(w) >= 4 for w in common) or sum(len(w) == 1 for w in common) >= 2


def text_headline(texts: Sequence[str], keys: Sequence[str], window: range,
                  candidate_ok: Callable[[int], bool], name_ok: Callable[[int], bool],
                  fallback: Callable[[], int | None],
                  meta_line: Callable[[int], bool] = lambda i: False,
                  block_start: int = -1) -> tuple[str | None, int | None]:
    """The headline of a plain-text page: (text, index of its line or None).

    `texts[0]` is taken as the page's name (a scrape's first line is usually the HTML
    `<title>`). In order:

    1. a line in `window` (around the top of the body, `candidate_ok`) that agrees with
       the name (`agreeing`), joined with the line above or below when the two together
       are the start of the name (a kicker on its own line: "Kicker" / "Headline");
    2. a headline-shaped line a byline or dateline (`meta_line`) follows, nearest to
       the body (`block_start`): the visible headline of a page whose `<title>` is a
       different, SEO headline;
    3. the name with its site part cut (`strip_site`, with the page's short lines as
       mastheads), when it has one: a bare first line is as often a caption or the site;
    4. `fallback()`, the shape-based choice."""
    if not texts:
        return None, None
    name = texts[0]
    mastheads = frozenset(k for k in keys[1:]
                          if k and len(k.split()) <= MAX_SITE_WORDS and k != keys[0])
    stripped = strip_site(name, (), mastheads)
    # with a site part to cut, a line that repeats the whole name is another copy of the
    # `<title>` (an og:title rendering), not the visible headline
    copy = keys[0] if stripped != name.strip() else None
    cand_idx = [i for i in window
                if 0 < i < len(texts) and keys[i] != copy and candidate_ok(i)]
    idx = agreeing([texts[i] for i in cand_idx], [name], [stripped])
    if idx is not None:
        i = cand_idx[idx]
        exact = _run_keys(name).get(keys[i], 0.0) >= MIN_RUN_SHARE
        joined = None if exact else _kicker_join(name, keys, i)
        return (joined, None) if joined else (texts[i], i)
    above = _above_byline(texts, [i for i in cand_idx if not meta_line(i)], meta_line,
                          block_start)
    if above is not None:
        return texts[above], above
    if name_ok(0) and stripped != name.strip() and len(tokens(stripped)) >= MIN_HEADLINE_TOKENS:
        return stripped, None
    found = fallback()
    return (texts[found], found) if found is not None else (None, None)


def _above_byline(texts: Sequence[str], cand_idx: Sequence[int],
                  meta_line: Callable[[int], bool], block_start: int) -> int | None:
    """A headline-shaped line at most `BYLINE_REACH` lines above a byline or dateline
    (`meta_line`): where the visible headline sits when the page's name is a different
    (SEO) headline. The byline nearest above the body's start counts (a headline
    precedes its body; below it, quoted posts and captions carry dates too), else the
    first one inside it; above it, the nearest headline-shaped line, or the one right
    above that when it is shorter (a headline over its dek)."""
    # a line right below a byline or dateline is a caption or a dek, not the headline
    shaped = {i for i in cand_idx if _reads_as_headline(texts[i])
              and BYLINE_HEAD_WORDS <= len(texts[i].split()) <= 25
              and not (i > 0 and meta_line(i - 1))}
    by_meta: dict[int, int] = {}  # byline line -> nearest headline-shaped line above it
    for i in sorted(shaped):
        for j in range(i + 1, min(i + 1 + BYLINE_REACH, len(texts))):
            if meta_line(j):
                by_meta[j] = i  # later (nearer) lines overwrite
                break
    if not by_meta:
        return None
    above = [j for j in by_meta if j <= block_start]
    i = by_meta[max(above) if above else min(by_meta)]
    if i - 1 in shaped and len(texts[i - 1].split()) < len(texts[i].split()):
        return i - 1
    return i


def _kicker_join(name: str, keys: Sequence[str], i: int) -> str | None:
    """The start of `name` spanning line `i` and its neighbour, when the two lines in
    order are exactly that start ("Kicker" + "Headline" = "Kicker: Headline | Site")."""
    nkey = keys[0] + " "
    for a, b in ((i - 1, i), (i, i + 1)):
        if a < 1 or b >= len(keys) or not keys[a] or not keys[b]:
            continue
        both = keys[a] + " " + keys[b]
        if nkey.startswith(both + " "):
            return _token_prefix(name, len(both.split()))
    return None


def _token_prefix(text: str, n: int) -> str | None:
    """`text` up to the end of its `n`-th token (None when it has fewer)."""
    for k, m in enumerate(_TOKEN_RE.finditer(text), start=1):
        if k == n:
            end = m.end()
            while end < len(text) and text[end] in _CLOSING:
                end += 1
            return text[:end].strip()
    return None


def _reads_as_headline(text: str) -> bool:
    """A few words, not a sentence and not a label ending in a colon or comma."""
    words = len(text.split())
    return 4 <= words <= 40 and not text.rstrip().endswith((".", ",", ":"))


_SPACE = re.compile(r"\s+")
MAX_H1 = 5
MAX_LD_SCRIPTS = 10


def _first(values: Sequence[str]) -> str | None:
    for v in values:
        v = _SPACE.sub(" ", v or "").strip()
        if v:
            return v
    return None


def _ld_headline(scripts: Sequence[str]) -> str | None:
    """`headline` of the first JSON-LD object that has one (top level or @graph)."""
    for text in scripts[:MAX_LD_SCRIPTS]:
        if "headline" not in text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        nodes = list(data[:20]) if isinstance(data, list) else [data]
        for node in nodes:  # grows by one level of @graph at most
            if not isinstance(node, dict):
                continue
            if isinstance(node.get("headline"), str) and node["headline"].strip():
                return _first([node["headline"]])
            if isinstance(node.get("@graph"), list) and len(nodes) < 40:
                nodes.extend(node["@graph"][:20])
    return None


def html_names(root) -> dict[str, object]:
    """The page's own names for its article, read from an already parsed tree in one
    walk over its `title`, `meta`, `h1` and `script` elements: `<title>`, `og:title`,
    `twitter:title`, JSON-LD `headline`, `og:site_name` and the first `<h1>`s (keyword
    arguments of `html_headline`)."""
    title = None
    meta: dict[str, str] = {}
    h1s: list[str] = []
    scripts: list[str] = []
    for el in root.iter("title", "meta", "h1", "script"):
        tag = el.tag
        if tag == "meta":
            prop = el.get("property") or el.get("name")
            if prop in _META_NAMES and prop not in meta and (el.get("content") or "").strip():
                meta[prop] = el.get("content")
        elif tag == "h1" and len(h1s) < MAX_H1:
            h1s.append(_SPACE.sub(" ", el.text_content()).strip())
        elif tag == "script" and el.get("type") == "application/ld+json" and el.text:
            scripts.append(el.text)
        elif tag == "title" and title is None:
            title = _first([el.text or ""])
    return dict(page_title=title, og_title=_first([meta.get("og:title", "")]),
                twitter_title=_first([meta.get("twitter:title", "")]),
                ld_headline=_ld_headline(scripts),
                site_name=_first([meta.get("og:site_name", "")]), h1s=h1s)


_META_NAMES = frozenset({"og:title", "twitter:title", "og:site_name"})
