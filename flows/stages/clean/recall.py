"""Body recall guard: win back what trafilatura's precision mode cut from a long article.

favor_precision is the better default on news pages (fewer teasers, captions and link
rows), but on some pages it keeps only part of the article: a body split in a visible and
a "hidden" container, paragraphs that open with a quote, one section of a long guide.
Its default mode gets those, and on other pages also the next article of an infinite
scroll, a summary box or a comment thread.

So the guard runs only when the precision output is short next to the prose the page
shows (`needs_recall`: the rendered lines are already there, so the check costs nothing),
and then takes from the default extraction only paragraphs that read as prose and sit
in the precision article's place on the page (`merge_recall`): inside its container (the
deepest element holding nearly all of the precision text), or elsewhere in the same
`<article>` element (the whole page when there is none), never in an aside, nav, footer,
form or figure. A second `<article>` (the next story) stays out; sub-headings come in only
between kept paragraphs inside the container; outside it, nothing above the article and
no lone paragraph (a teaser, a caption) unless it sits between two precision paragraphs.
The extra paragraphs then pass the same paragraph rules as the rest
(`cleaner.filter_paragraphs`).

The page's prose measure (`prose_tokens`) also tells the cleaner when trafilatura's fast
pass lost the article (`lost_article`), the one case its fallback extractors are run for.
"""
from __future__ import annotations

import re
from typing import Sequence

from lxml import html

from flows.stages.clean._line_features import tokens
from flows.stages.clean._placement import Block, locate

# A rendered line with at least this many word tokens (CJK: characters) reads as prose.
PROSE_LINE_TOKENS = 12
# Re-extract when the precision output holds less than this share of the page's prose
# (0.6: 25% of pages; 0.8, 50% of pages, gained a little on the corpora and lost on the bench).
RECALL_GATE = 0.6
# Below this share of the page's prose, a fast extraction (no fallback extractors) lost the
# article and the full one runs. On the corpora's HTML pages: under 0.2 the full extraction
# often finds 3-10x more (the fallbacks pick another block); from 0.2 up it almost never
# differs from the fast one, and the recall guard covers the rest.
FAST_LOST_SHARE = 0.2
# The second pass runs only when the prose lines it could add (in the precision article's
# place, not in the precision text) hold more than this share of the precision text's
# tokens: skips a third of the passes; no page of the corpora or of a 1,000-page sample
# changed at 0.1 (at 0.2, 3 of 161 corpora pages did).
MIN_NEW_SHARE = 0.1
# The container holds at least this share of the precision article's tokens.
CONTAINER_SHARE = 0.9
# An extra paragraph whose block is mostly link text is a teaser or a link row.
MAX_LINK_SHARE = 0.5
# Elements whose content is never the article body, even inside its container. With
# <form> (comment and newsletter forms): measured better than without, although on a
# page wrapped whole in one (ASP.NET) only the container's own extras then come in.
NON_BODY_TAGS = frozenset({"aside", "nav", "footer", "form", "figure", "figcaption"})

# trafilatura writes list items as "- item": in the recall output mostly link lists.
_LIST_ITEM = re.compile(r"^[-*•]\s")


def _key(text: str) -> str:
    return " ".join(tokens(text))


def prose_tokens(blocks: Sequence[Block]) -> int:
    """How many word tokens the page's prose lines (PROSE_LINE_TOKENS+) hold: the measure
    both of the cleaner's checks on an extraction compare it with (`lost_article`,
    `needs_recall`), computed once a page."""
    prose = 0
    for line, _ in blocks:
        n = len(tokens(line))
        if n >= PROSE_LINE_TOKENS:
            prose += n
    return prose


def lost_article(text: str, prose: int) -> bool:
    """True when a fast extraction (trafilatura without its fallback extractors) holds
    almost none of the page's `prose` tokens: its main extractor picked the wrong block,
    the case the fallbacks exist for, so the full extraction is worth its cost."""
    return prose > 0 and len(tokens(text)) < FAST_LOST_SHARE * prose


def needs_recall(precision_text: str, blocks: Sequence[Block], prose: int | None = None) -> bool:
    """True when the precision output is short next to the page's prose lines (`prose`:
    their token count when the caller has it, see `prose_tokens`)."""
    if prose is None:
        prose = prose_tokens(blocks)
    if not prose:
        return False
    return len(tokens(precision_text)) < RECALL_GATE * prose


def _container(elements: Sequence[html.HtmlElement | None], weights: Sequence[int]
               ) -> html.HtmlElement | None:
    """The deepest element holding at least CONTAINER_SHARE of the weighted elements."""
    total = sum(w for e, w in zip(elements, weights) if e is not None)
    if not total:
        return None
    held: dict[html.HtmlElement, int] = {}
    depth: dict[html.HtmlElement, int] = {}
    for el, w in zip(elements, weights):
        if el is None:
            continue
        chain = list(el.iterancestors())[::-1] + [el]
        for d, anc in enumerate(chain):
            held[anc] = held.get(anc, 0) + w
            depth[anc] = d
    best = [el for el, w in held.items() if w >= CONTAINER_SHARE * total]
    return max(best, key=lambda el: depth[el]) if best else None


def _link_share(el: html.HtmlElement) -> float:
    """The share of the block's text that is link text (`<a>` inside or around it)."""
    text = el.text_content()
    if not text.strip():
        return 0.0
    if any(isinstance(a.tag, str) and a.tag.lower() == "a" for a in el.iterancestors()):
        return 1.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return min(1.0, linked / len(text))


def _article_of(el: html.HtmlElement) -> html.HtmlElement | None:
    """The nearest `<article>` holding `el` (itself included), None outside any."""
    node = el
    while node is not None:
        if isinstance(node.tag, str) and node.tag.lower() == "article":
            return node
        node = node.getparent()
    return None


def _inside(el: html.HtmlElement, container: html.HtmlElement) -> bool:
    """`el` is `container` or below it, and not inside an aside/nav/footer/figure on the way."""
    node = el
    while node is not None:
        if node is container:
            return True
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.lower() in NON_BODY_TAGS:
            return False
        node = node.getparent()
    return False


def _prose(text: str) -> bool:
    """A paragraph of running text: PROSE_LINE_TOKENS+ tokens, not a list item."""
    return len(tokens(text)) >= PROSE_LINE_TOKENS and not _LIST_ITEM.match(text)


def merge_recall(precision: Sequence[str], recall: Sequence[str], blocks: Sequence[Block]
                 ) -> list[str]:
    """The precision paragraphs plus the recall paragraphs in the precision article's place
    (module doc), each extra one placed after the precision paragraph it follows in the
    recall output."""
    pkeys = {_key(p): i for i, p in enumerate(precision)}
    extras = [(j, r) for j, r in enumerate(recall) if _key(r) not in pkeys and _key(r)]
    if not extras:
        return list(precision)
    container = _container(locate(precision, blocks), [len(tokens(p)) for p in precision])
    if container is None:
        return list(precision)
    where = dict(zip((j for j, _ in extras), locate([r for _, r in extras], blocks)))
    article = _article_of(container)
    root = container.getroottree().getroot()
    inside, same_article = set(), set()
    for j, el in where.items():
        if el is None or _link_share(el) >= MAX_LINK_SHARE:
            continue
        if _inside(el, container):
            inside.add(j)
        elif _article_of(el) is article and _inside(el, root):
            same_article.add(j)
    # kept: a precision paragraph, or an extra one that reads as prose, inside the
    # container or elsewhere in the same <article> (the whole page when it has none);
    # a short extra one (a sub-heading) only inside the container, between two kept ones.
    kept = [_key(r) in pkeys or ((j in inside or j in same_article) and _prose(r))
            for j, r in enumerate(recall)]
    isp = [_key(r) in pkeys for r in recall]
    take = [not isp[j] and (kept[j] or (j in inside and 0 < j < len(recall) - 1
                                        and kept[j - 1] and kept[j + 1]))
            for j in range(len(recall))]
    # outside the container, a lone extra paragraph is more often a teaser or a caption
    # than article text (the missing part of an article comes as a run), unless it sits
    # between two precision paragraphs
    for j in same_article:
        if not take[j]:
            continue
        alone = not (j > 0 and take[j - 1]) and not (j + 1 < len(recall) and take[j + 1])
        between = 0 < j < len(recall) - 1 and isp[j - 1] and isp[j + 1]
        if alone and not between:
            take[j] = False
    inserts: dict[int, list[str]] = {}
    cursor = -1
    for j, para in enumerate(recall):
        k = _key(para)
        if isp[j]:
            cursor = pkeys[k]
        elif take[j]:
            if cursor == -1 and j not in inside:
                continue  # above the article and outside it: a standfirst of another story
            inserts.setdefault(cursor, []).append(para)
    out = list(inserts.get(-1, []))
    for i, para in enumerate(precision):
        out.append(para)
        out.extend(inserts.get(i, []))
    return out


def recall_scope(precision: Sequence[str], blocks: Sequence[Block]
                 ) -> tuple[html.HtmlElement | None, bool]:
    """Where the default extraction needs to look, and whether it can add enough to pay
    for itself: (the `<article>` holding the precision article's container, or None; worth).

    `merge_recall` takes extra prose only from the precision article's place (its container,
    or elsewhere in the same `<article>`, the page when there is none), so what the second
    pass can add is bounded by the prose lines shown there that the precision text lacks.
    Where those hold under MIN_NEW_SHARE of the precision text's tokens, the pass (27-55 ms)
    is skipped: the gate opened for prose elsewhere on the page (teasers, comments, a
    second story). Without a container `merge_recall` changes nothing either."""
    sizes = [len(tokens(p)) for p in precision]
    container = _container(locate(precision, blocks), sizes)
    if container is None:
        return None, False
    article = _article_of(container)
    root = container.getroottree().getroot()
    keys = {_key(p) for p in precision}
    have = " " + " ".join(keys) + " "
    budget = MIN_NEW_SHARE * sum(sizes)
    new = 0
    for line, el in blocks:
        n = len(tokens(line))
        if n < PROSE_LINE_TOKENS:
            continue
        key = _key(line)
        if key in keys or f" {key} " in have:
            continue
        if _inside(el, container) or (_article_of(el) is article and _inside(el, root)):
            new += n
            if new > budget:
                return article, True
    return article, False
