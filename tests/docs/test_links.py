"""Relative links in README.md and docs/*.md point at files (and headings) that exist."""
from __future__ import annotations

import re

import pytest

from flows.config import PROJECT_ROOT

LINK = re.compile(r"\]\((?!https?://|mailto:)(?P<target>[^)#\s]*)(?:#(?P<anchor>[^)\s]+))?\)")
FENCE = re.compile(r"^```.*?^```$", re.S | re.M)
DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]


def anchors(path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    out = set()
    for heading in re.findall(r"^#+\s+(.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(doc):
    text = FENCE.sub("", doc.read_text(encoding="utf-8"))
    broken = []
    for m in LINK.finditer(text):
        target = (doc.parent / m["target"]).resolve() if m["target"] else doc
        if not target.exists():
            broken.append(m.group(0))
        elif m["anchor"] and target.suffix == ".md" and m["anchor"] not in anchors(target):
            broken.append(m.group(0) + " (no such heading)")
    assert not broken, broken
