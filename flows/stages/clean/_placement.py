"""Where a paragraph of extracted text sits in the page: its rendered block element.

trafilatura returns text, not elements; the rendering (`_render.render_blocks`) keeps the
block element of every visible line, so a paragraph is placed by finding its line. Used
by the recall guard (which container holds the article) and to drop photo captions and
credits trafilatura keeps: a block whose class names it a caption (the class names are
data, `warehouse/reference/caption_classes.csv`, whole names only: "caption" but not a
typography utility such as "caption-s5-fx").
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Sequence

from lxml import html

from flows.stages.clean._line_features import tokens

Block = tuple[str, html.HtmlElement]
CAPTION_FILE = "caption_classes.csv"
_CLASS_NAME = re.compile(r"[a-z0-9_-]+")
CAPTION_DEPTH = 3  # the caption class sits on the line's block or up to 2 wrappers above


def load_caption_classes(reference_dir: Path) -> frozenset[str]:
    """The class names that mark a photo caption or credit block."""
    with open(Path(reference_dir) / CAPTION_FILE, encoding="utf-8", newline="") as f:
        names = [r["class_name"].strip().lower() for r in csv.DictReader(f)]
    for name in names:
        if not _CLASS_NAME.fullmatch(name):
            raise ValueError(f"{CAPTION_FILE}: bad class name {name!r}")
    return frozenset(names)


def _key(text: str) -> str:
    return " ".join(tokens(text))


def locate(paragraphs: Sequence[str], blocks: Sequence[Block], *, search: bool = True
           ) -> list[html.HtmlElement | None]:
    """The block element each paragraph was rendered from: the line with the same tokens,
    else (`search`) a line of 4+ tokens inside the paragraph (trafilatura joins inline
    blocks), else a line that contains the paragraph (one `<br>` piece of a block)."""
    keys = [_key(line) for line, _ in blocks]
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    out: list[html.HtmlElement | None] = []
    for para in paragraphs:
        k = _key(para)
        i = first.get(k)
        if i is None and search and k.count(" ") >= 3:
            i = next((j for j, r in enumerate(keys) if r.count(" ") >= 3 and r in k), None)
            if i is None:
                i = next((j for j, r in enumerate(keys) if k in r), None)
        out.append(blocks[i][1] if i is not None and k else None)
    return out


def caption_rule(el: html.HtmlElement, markers: frozenset[str]) -> str | None:
    """`html:class=<name>` when `el` or one of its nearest wrappers (CAPTION_DEPTH, never
    past the article) carries one of the caption class names (or id) `markers`."""
    node, depth = el, 0
    while node is not None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if depth < CAPTION_DEPTH:
            for name in f"{node.get('class') or ''} {node.get('id') or ''}".lower().split():
                if name in markers:
                    return f"html:class={name}"
        if tag in ("article", "main", "body"):
            return None
        node, depth = node.getparent(), depth + 1
    return None
