"""Builders for detect-stage unit tests: a CleanPage from lines, no clean stage needed."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.records import CleanPage, LineDecision, RawDocument
from flows.stages.detect.detector import load_registry
from flows.stages.detect.site_names import load_name_rules

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"
BODY = "The minister said on Friday that talks would continue next week in Geneva."


# Fixtures shared by the publisher tests (a module imports them by name).
@pytest.fixture(scope="module")
def rules():
    return load_name_rules(REFERENCE)


@pytest.fixture(scope="module")
def reg():
    return load_registry(REFERENCE)


def make_page(lines: list[str | tuple[str, bool]], *, url: str | None = None,
              html: str | None = None, site_name: str | None = None,
              canonical_url: str | None = None, publisher_hint: str | None = None
              ) -> CleanPage:
    """A page whose lines are given; a `(text, False)` line is removed chrome."""
    decisions = []
    for i, item in enumerate(lines, start=1):
        text, keep = (item, True) if isinstance(item, str) else item
        decisions.append(LineDecision(i, text, keep, "kept" if keep else "chrome_phrase"))
    raw = html if html is not None else "\n".join(d.text for d in decisions)
    doc = RawDocument(hashlib.sha256(raw.encode()).hexdigest(), "test://page", url,
                      "html" if html is not None else "text", raw, "utf-8", len(raw))
    return CleanPage(doc=doc, title=None, author=None, published_date=None,
                     site_name=site_name, canonical_url=canonical_url, description=None,
                     paragraphs=tuple(d.text for d in decisions if d.keep),
                     lines=tuple(decisions), extractor="lines", publisher_hint=publisher_hint)


def test_make_page_marks_removed_lines():
    page = make_page(["Body line.", ("Menu | Home", False)])
    assert page.paragraphs == ("Body line.",)
    assert [d.line_no for d in page.removed] == [2]
