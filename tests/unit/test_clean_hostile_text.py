"""Plain text that is really markup: linear time and memory, whatever its lines look like.

A JSONL crawl dump put whole HTML pages in a `text` field. Read as text, one 1 MB page took
140 s and 12 GB in a worker: its first line (taken as the page's title) had thousands of
`|`-separated parts, and the title matcher built every run of them; a 30 KB line without
spaces made the address pattern `\\S+@` backtrack quadratically. Each case below took
10 s to minutes before; the bound is ten times what they take now.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows.records import CleanPage, RawDocument, Rejection
from flows.stages.clean.cleaner import CleanOptions, clean
from flows.stages.clean.headline import agreeing
from flows.stages.clean.lines import load_line_rules

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"
PROSE = ("The harbour council said on Monday that workers would return after the talks over "
         "wages and night shifts ended with an agreement signed by both unions.")


@pytest.fixture(scope="module")
def opts():
    return CleanOptions(rules=load_line_rules(REFERENCE))


def _doc(text: str) -> RawDocument:
    return RawDocument("d1", "mem://d1", "https://example.com/a", "text", text, "utf-8", len(text))


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def test_a_first_line_of_thousands_of_parts_is_no_title_candidate():
    name = " | ".join(f"part {i} of the menu" for i in range(3000))
    out, took = _timed(agreeing, ["part 7 of the menu"], [name])
    assert out is None and took < 2


@pytest.mark.parametrize("first_line", [
    " | ".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(4000)),  # a nav row as one line
    "<div>" + "".join(f"<span class=c{i}>x</span>" for i in range(20000)) + "</div>",  # no spaces
    "data:image/png;base64," + "QUJD" * 60000,  # 240 KB without a space or an @
])
def test_markup_lines_in_plain_text_clean_in_linear_time(opts, first_line):
    text = first_line + "\n\n" + "\n\n".join(PROSE for _ in range(8))
    out, took = _timed(clean, _doc(text), opts)
    assert isinstance(out, (CleanPage, Rejection)) and took < 10, took


def test_millions_of_lines_are_quarantined_at_once(opts):
    text = "\n".join(f"word{i % 97}" for i in range(2_000_000))  # took 24 GB before the cap
    out, took = _timed(clean, _doc(text), opts)
    assert isinstance(out, Rejection) and out.reason == "too_many_lines" and took < 5, took
    assert "2,000,000 non-blank lines" in out.detail


def test_a_long_line_is_read_for_dates_only_at_its_ends():
    from flows.stages.clean.byline import load_byline_rules
    from flows.stages.clean.dates import dateline_date
    import datetime as dt
    pats = load_byline_rules(REFERENCE).dates
    today = dt.date(2026, 12, 1)
    filler = " ".join(["words of a long story"] * 2000)
    assert dateline_date("Published 12 March 2024. " + filler, today, pats) == dt.date(2024, 3, 12)
    assert dateline_date(filler + " 12.03.2024", today, pats) == dt.date(2024, 3, 12)
    assert dateline_date(filler + " on 12 March 2024 the council met " + filler, today, pats) is None
