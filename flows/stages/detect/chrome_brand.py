"""The brand a page's chrome repeats around its service words: "Kontakt Jyllands-Posten",
"Om Jyllands-Posten"; "Jobs bei WinFuture", "WinFuture unterstützen"; "Freie Presse App",
"Freie Presse Shops"; "Den Postillon abonnieren".

Why: many sites print their parent company in the footer ("© 2025 FUNKE Mediengruppe",
"© Independent Online") and no title suffix, yet link their own app, newsletter, shop,
subscription, contact and about pages by the newspaper's name. A name is taken only when two
or more distinct removed lines wrap it in a service word (general vocabulary of many
languages, `service` rows of `outlet_names.csv`), so a person's name or a nav label seen
twice is never one: "Mein Konto" has no name left once the possessive (a `particle` row) and
the service word are cut, and a name must start with a capital or a digit.
"""
from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from flows.stages.detect.site_names import NameRules, squash

MAX_LINE_CHARS = 60
MAX_BRAND_WORDS = 3
MIN_SERVICE_LINES = 2
_TRIM = " \t!?:;,.–—-_|›»·•()[]\"'“”„«"


class ChromeBrand(NamedTuple):
    """A brand (its masthead's longer form when the page has one), how many different
    service words name it, the first such line, and the brand as the links spell it."""

    name: str
    lines: int
    line_no: int
    text: str
    short: str


def _brand_of(text: str, rules: NameRules) -> tuple[str, str] | None:
    """The name left of a service line once service words and particles are cut from both
    ends ("Jobs bei WinFuture", "Das Postillon-Archiv"), when it reads as a name (1-3 words,
    the first capitalised or a digit), with the service word cut; else None."""
    if re.search(r"\s[&+/]\s|[•·|›»]", text):
        return None  # "Service & Kontakt", "Medien • Social Media": several nav links
    words = [w for w in text.split() if any(c.isalnum() for c in w)]  # no "❤"
    if not 1 <= len(words) <= MAX_BRAND_WORDS + 3 or \
            (len(words) == 1 and "-" not in words[0]):
        return None
    # a group word names the brand's company ("Freie Presse Mediengruppe") as a service
    # word names its shop: one more of the brand's own links
    service, particles, groups = rules.service_set, rules.particle_set, rules.group_set
    cut = None
    tail_cut = False
    changed = True
    while words and changed:
        changed = False
        for idx in (0, -1):
            if not words:
                break
            w = words[idx].strip(_TRIM).casefold()
            head, _, tail = w.rpartition("-")
            if w in service or w.rstrip("+") in service or (idx == -1 and w in groups):
                cut = cut or w.rstrip("+")
                tail_cut = tail_cut or idx == -1
                words.pop(idx)
                changed = True
            elif head and tail in service and idx == -1:  # "Postillon-Archiv", "X-App"
                cut = cut or tail
                tail_cut = True
                words[idx] = words[idx].strip(_TRIM)[:len(head)]
                changed = True
            elif w in particles and len(words) > 1:
                if idx == -1 and tail_cut:
                    return None  # "Unternavigation zu Service": a label, not a name
                words.pop(idx)
                changed = True
    if cut is None or not 1 <= len(words) <= MAX_BRAND_WORDS:
        return None
    name = " ".join(words).strip(_TRIM.replace(".", ""))  # "L.A. Times" keeps its dots
    name = name.rstrip(":;,")
    if len(squash(name)) < 2 or not (name[:1].isupper() or name[:1].isdigit()) or \
            re.search(r"[!?]", name):
        return None
    if any(k in service or k in particles or k in groups
           for k in (w.strip(_TRIM).casefold() for w in words)):
        return None  # "Newsletter Podcast Abo": a nav row, no name in it
    return name, cut


def chrome_brand(lines: Iterable, rules: NameRules) -> ChromeBrand | None:
    """The brand that removed service lines name with the most different service words,
    when at least `MIN_SERVICE_LINES` words do ("Über Euronews", "Euronews jobs"; one
    section's "Archiv" linked twice is one); `lines` are the page's `LineDecision`s."""
    if not rules.service_set:
        return None
    vocab = rules.service_set | rules.group_set
    found: dict[str, dict[str, tuple[str, object]]] = {}
    for d in lines:
        if d.keep or not 4 <= len(d.text) <= MAX_LINE_CHARS + 2:
            continue
        # cheap test first (~1 us): a service word sits at an edge, behind a particle at
        # most; only such lines are read in full
        low = d.text.casefold().split()
        if len(low) < 2 and "-" not in d.text:
            continue
        last = low[-1].strip(_TRIM).rstrip("+")
        if low[0].strip(_TRIM) not in vocab and last not in vocab and \
                last.rpartition("-")[2] not in vocab and \
                (len(low) < 3 or (low[1].strip(_TRIM) not in vocab
                                  and low[-2].strip(_TRIM) not in vocab)):
            continue
        text = d.text.strip()
        hit = _brand_of(text, rules)
        if hit is not None:
            found.setdefault(squash(hit[0]), {}).setdefault(hit[1], (hit[0], d))
    best = max(found.values(), key=len, default={})
    if len(best) < MIN_SERVICE_LINES:
        return None
    # the spelling most lines use, the first of them on a tie
    names = [x for x, _ in best.values()]
    short = max(names, key=names.count)
    first = min((d for _, d in best.values()), key=lambda d: d.line_no)
    return ChromeBrand(_full_name(short, lines, rules), len(best), first.line_no, first.text,
                       short)


def _full_name(name: str, lines: Iterable, rules: NameRules) -> str:
    """The masthead's longer form of a brand its links shorten ("Morgenpost-Club", "Jetzt
    Morgenpost testen" beside the bare line "Berliner Morgenpost"): a removed line of up to
    `MAX_BRAND_WORDS` capitalised words ending in the brand, the most frequent one. An
    article is no part of it ("Der Tagesspiegel" stays Tagesspiegel)."""
    vocab = rules.service_set | rules.particle_set | rules.group_set
    tail = " " + name
    counts: dict[str, int] = {}
    for d in lines:
        text = d.text.strip()
        if d.keep or not text.endswith(tail) or len(text) > MAX_LINE_CHARS:
            continue
        extra = text[:-len(tail)].split()
        if len(extra) + len(name.split()) > MAX_BRAND_WORDS or not all(
                w[:1].isupper() and w.casefold() not in vocab and w.isalpha() for w in extra):
            continue
        counts[text] = counts.get(text, 0) + 1
    return max(counts, key=counts.get) if counts else name
