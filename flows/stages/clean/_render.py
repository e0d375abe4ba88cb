"""HTML -> lines: the page's text rendering, the line space of HTML `LineDecision`s.

Same rendering as the bench's `text/` files (see ../shared/bench/README.md): lxml parse,
`<script>`, `<style>` and comments dropped, a line break at every block element and
`<br>`, inline elements joined into the line, whitespace collapsed. Users then see every
piece of visible text of the page with the reason it was kept or removed.

Hostile input: the parse is capped (`max_chars`), libxml2 limits nesting depth itself,
and the walk is iterative (`etree.iterwalk`), so a 20k-deep page neither recurses nor
crashes. Nothing is ever fetched (no DTDs, no network).
"""
from __future__ import annotations

import re

from lxml import etree, html

BLOCK_TAGS = frozenset("""
address article aside blockquote body br caption center dd details dialog dir div dl dt
fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup
hr html iframe legend li main menu nav noscript ol optgroup option p pre section select
summary table tbody td textarea tfoot th thead title tr ul video audio canvas
""".split())
SKIP_TAGS = frozenset({"script", "style", "template"})
_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


# An XML declaration ("<?xml version="1.0" encoding="UTF-8"?>", XHTML pages): lxml refuses
# a decoded str that carries one ("Unicode strings with encoding declaration are not
# supported"), and the text is decoded already, so its encoding pseudo-attribute is moot.
_XML_DECLARATION = re.compile(r"^[\s\ufeff]*<\?xml\b[^>]*\?>", re.I)


def parse_html(text: str, max_chars: int) -> html.HtmlElement | None:
    """Parse at most `max_chars` characters; None when nothing parseable is left."""
    text = _XML_DECLARATION.sub("", text[:max_chars], count=1)
    if not text.strip():
        return None
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                             recover=True, default_doctype=False)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    return root


def render_lines(root: html.HtmlElement) -> list[str]:
    """The visible text of `root`, one block per line, no blank lines."""
    return [line for line, _ in render_blocks(root)]


def render_blocks(root: html.HtmlElement) -> list[tuple[str, html.HtmlElement]]:
    """`render_lines` with, for each line, the innermost block element it was written in.

    The element lets a caller place a line in the page's structure (which `<article>` or
    container holds it) without searching the tree for its text again."""
    lines: list[tuple[str, html.HtmlElement]] = []
    buf: list[str] = []
    blocks: list[html.HtmlElement] = [root]

    def flush() -> None:
        if not buf:  # most block boundaries have no text between them
            return
        line = _SPACE.sub(" ", _INVISIBLE.sub("", "".join(buf))).strip()
        if line:
            lines.append((line, blocks[-1]))
        buf.clear()

    kinds: dict[object, int] = {}  # raw tag -> 0 skip, 1 block, 2 inline (once per tag name)
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        kind = kinds.get(el.tag)
        if kind is None:
            tag = el.tag.rpartition("}")[2].lower() if isinstance(el.tag, str) else ""
            kind = kinds[el.tag] = 0 if not tag or tag in SKIP_TAGS else 1 if tag in BLOCK_TAGS else 2
        if event == "start":
            if not kind:  # comments, PIs, scripts: skip, keep tail
                walker.skip_subtree()
                continue
            if kind == 1:
                flush()
                blocks.append(el)
            if el.text:
                buf.append(el.text)
        else:
            if kind == 1:
                flush()
                if len(blocks) > 1:
                    blocks.pop()
            if el.tail and el is not root:
                buf.append(el.tail)
    flush()
    return lines
