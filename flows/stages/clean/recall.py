"""Body recall guard: win back what trafilatura's precision mode cut from a long article.

favor_precision is the better default on news pages (fewer teasers, captions and link
rows), but on some pages it keeps only the first part of the article: a body split in a
visible and a "hidden" container, paragraphs that open with a quote, a long list of dated
entries. Its default mode gets those, and on other pages also gets the next article of
an infinite scroll, a summary box or a comment thread.

So the guard runs only when the precision output is short next to the prose the page
shows (`needs_recall`: the rendered lines are already there, so the check costs nothing),
and then takes from the default extraction only the paragraphs that sit inside the
page's container of the precision article (`merge_recall`): the deepest element holding
(nearly) all of the precision text. A second `<article>`, a sidebar or a footer is
outside it, the hidden rest of the same article body is inside. The extra paragraphs
then pass the same paragraph rules as the rest (`cleaner.filter_paragraphs`).
"""
from __future__ import annotations

import re
from typing import Sequence

from lxml import html

from flows.stages.clean._line_features import tokens
from flows.stages.clean._placement import Block, locate

# A rendered line with at least this many word tokens (CJK: characters) reads as prose.
PROSE_LINE_TOKENS = 12
# Re-extract when the precision output holds less than this share of the page's prose.
RECALL_GATE = 0.6
# The container holds at least this share of the precision article's tokens.
CONTAINER_SHARE = 0.9
# Elements whose content is never the article body, even inside its container.
NON_BODY_TAGS = frozenset({"aside", "nav", "footer", "form", "figure", "figcaption"})

# trafilatura writes list items as "- item": in the recall output mostly link lists.
_LIST_ITEM = re.compile(r"^[-*•]\s")

def _key(text: str) -> str:
    return " ".join(tokens(text))


def needs_recall(precision_text: str, blocks: Sequence[Block]) -> bool:
    """True when the precision output is short next to the page's prose lines."""
    prose = 0
    for line, _ in blocks:
        n = len(tokens(line))
        if n >= PROSE_LINE_TOKENS:
            prose += n
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
    """The precision paragraphs plus the recall paragraphs inside the precision article's
    container, each extra one placed after the precision paragraph it follows in the
    recall output."""
    pkeys = {_key(p): i for i, p in enumerate(precision)}
    extras = [(j, r) for j, r in enumerate(recall) if _key(r) not in pkeys and _key(r)]
    if not extras:
        return list(precision)
    container = _container(locate(precision, blocks), [len(tokens(p)) for p in precision])
    if container is None:
        return list(precision)
    where = dict(zip((j for j, _ in extras), locate([r for _, r in extras], blocks)))
    inside = {j for j, el in where.items() if el is not None and _inside(el, container)}
    # kept: a precision paragraph, or an extra one inside the container that reads as
    # prose; a short extra one (a sub-heading) only between two kept paragraphs.
    kept = [_key(r) in pkeys or (j in inside and _prose(r)) for j, r in enumerate(recall)]
    inserts: dict[int, list[str]] = {}
    cursor = -1
    for j, para in enumerate(recall):
        k = _key(para)
        if k in pkeys:
            cursor = pkeys[k]
        elif j in inside and (kept[j] or (0 < j < len(recall) - 1 and kept[j - 1] and kept[j + 1])):
            inserts.setdefault(cursor, []).append(para)
    out = list(inserts.get(-1, []))
    for i, para in enumerate(precision):
        out.append(para)
        out.extend(inserts.get(i, []))
    return out
