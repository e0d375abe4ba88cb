"""Publication dates of plain-text scrapes, from the page's own date lines.

HTML pages get their date from trafilatura (htmldate: metadata, URL, markup). A plain-text
scrape has only its text: the date usually sits in a dateline or byline near the headline
("January 24, 2022", "Publié le 20/01/2022 à 07h15", "27 января 2022, 10:05",
"- Sputnik International, 1920, 18.02.2022", "2024年04月24日"). Numeric dates are read
day-first (dd.mm.yyyy, dd/mm/yyyy) unless that is impossible; year-first dates (ISO,
yyyy.mm.dd, CJK) as written. Month names are data (`warehouse/reference/months.csv`, one row
per name and language), so a language is added by adding rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

MONTHS_FILE = "months.csv"
EARLIEST = dt.date(1990, 1, 1)
SCAN_LINES = 30


@dataclass(frozen=True)
class DatePatterns:
    """Month names (casefolded -> 1..12) and the date shapes compiled from them once."""

    months: Mapping[str, int]
    iso: re.Pattern
    year_first: re.Pattern
    numeric: re.Pattern
    short_year: re.Pattern
    month_day_year: re.Pattern
    day_month_year: re.Pattern
    month_day: re.Pattern  # no year: "April 25 (Reuters)", "8 января, 17:46"
    day_month: re.Pattern


def date_patterns(months: Mapping[str, int]) -> DatePatterns:
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    # a year ends at a word boundary or runs into a glued time ("April 25, 20232:26 PM")
    year = r"((?:19|20)\d\d)(?:\b|(?=\d{1,2}[:.]\d\d))"
    return DatePatterns(
        months=dict(months),
        iso=re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)"),
        # 2024.04.24, 2024/04/24, 2024年04月24日, 2026년 1월 29일
        year_first=re.compile(r"(?<![\d.])((?:19|20)\d\d)(?:[./]|\s*[年년]\s*)(\d{1,2})"
                              r"(?:[./]|\s*[月월]\s*)(\d{1,2})(?![\d.])"),
        numeric=re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)(?!\d)"),
        # 15.04.25 (a dateline's short year; never followed by more digits or a dot-number)
        short_year=re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d\d)(?![\d.])"),
        month_day_year=re.compile(
            rf"(?<!\w)({names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{year}", re.I),
        day_month_year=re.compile(
            rf"(?<!\d)(\d{{1,2}})(?:er|º|\.)?\s+(?:de\s+)?({names})\.?,?\s+(?:de\s+)?"
            rf"{year}", re.I),
        month_day=re.compile(rf"(?<!\w)({names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.])",
                             re.I),
        day_month=re.compile(rf"(?<![\d.])(\d{{1,2}})(?:er|º|\.)?\s+(?:de\s+)?({names})(?!\w)",
                             re.I),
    )


def load_date_patterns(reference_dir: Path) -> DatePatterns:
    """Month names of every language in `months.csv`; a name given two different months
    is a data error (it would make dates ambiguous)."""
    months: dict[str, int] = {}
    with open(Path(reference_dir) / MONTHS_FILE, encoding="utf-8", newline="") as f:
        for row_no, r in enumerate(csv.DictReader(f), start=2):
            name, month = r["name"].strip().casefold(), int(r["month"])
            if not name or not 1 <= month <= 12 or months.get(name, month) != month:
                raise ValueError(f"{MONTHS_FILE} row {row_no}: bad row {r}")
            months[name] = month
    return date_patterns(months)


def _date(y: int, m: int, d: int, today: dt.date) -> dt.date | None:
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return None
    return value if EARLIEST <= value <= today else None


def dates_in(text: str, today: dt.date, pats: DatePatterns) -> list[tuple[int, int, dt.date]]:
    """Every plausible date in one line as (start, end, date), in the order they appear."""
    found: list[tuple[int, int, dt.date]] = []
    for rx in (pats.iso, pats.year_first):
        for m in rx.finditer(text):
            if (v := _date(int(m[1]), int(m[2]), int(m[3]), today)):
                found.append((m.start(), m.end(), v))
    for rx, century in ((pats.numeric, 0), (pats.short_year, 2000)):
        for m in rx.finditer(text):
            a, b, y = int(m[1]), int(m[2]), int(m[3]) + century
            v = _date(y, b, a, today) or _date(y, a, b, today)  # day-first unless impossible
            if v:
                found.append((m.start(), m.end(), v))
    months = pats.months
    for m in pats.month_day_year.finditer(text):
        if (v := _date(int(m[3]), months[m[1].casefold()], int(m[2]), today)):
            found.append((m.start(), m.end(), v))
    for m in pats.day_month_year.finditer(text):
        if (v := _date(int(m[3]), months[m[2].casefold()], int(m[1]), today)):
            found.append((m.start(), m.end(), v))
    # one date per position: a span inside another span is the same date read twice
    found.sort(key=lambda p: (p[0], -p[1]))
    out: list[tuple[int, int, dt.date]] = []
    for p in found:
        if not out or p[0] >= out[-1][1]:
            out.append(p)
    return out


def dateline_date(line: str, today: dt.date, pats: DatePatterns) -> dt.date | None:
    """The date a date line states, or None. A date line is short, or carries its date at
    the start (a dateline) or at the very end (a stamp); a date inside a long sentence or
    caption is what the story is about."""
    n = len(line)
    if n <= _WINDOWED_FROM:
        spans = dates_in(line, today, pats)
    else:  # only a date at the start or the end counts: read those windows, not the whole
        # line (a 20 MB line of scraped text took 12 s of date patterns)
        tail = n - _DATE_WINDOW
        spans = dates_in(line[:_DATE_WINDOW], today, pats) + [
            (b + tail, e + tail, v) for b, e, v in dates_in(line[tail:], today, pats)]
    for begin, end, value in spans:
        if n <= 100 or begin <= 40 or n - end <= 2:
            return value
    return None


_DATE_WINDOW = 160  # longer than any date written out ("Wednesday, 12 September 2023, 10:45")
_WINDOWED_FROM = 4 * _DATE_WINDOW


def find_published_date(lines: Sequence[str], title: str | None, today: dt.date | None,
                        pats: DatePatterns) -> str | None:
    """ISO date of the first plausible date line near the top of the page.

    Lines from the headline on are preferred (chrome above it often carries an unrelated
    date, e.g. a section's "updated" stamp); then the lines above it."""
    today = today or dt.date.today()
    top = [l.strip() for l in lines if l.strip()][:SCAN_LINES]
    start = next((i for i, l in enumerate(top) if title and l == title.strip()), 0)
    for line in top[start:] + top[:start]:
        if (value := dateline_date(line, today, pats)):
            return value.isoformat()
    return None


_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–]\s*)?((?:19|20)\d\d)",
                        re.I)


def copyright_year(lines: Sequence[str], today: dt.date) -> int | None:
    """The year of the page's copyright notice ("© 2000-2026" -> 2026): the year the page
    was rendered, which for a news page is its publication year or close to it."""
    for line in reversed(lines):
        if (m := _COPYRIGHT.search(line)) and EARLIEST.year <= int(m[1]) <= today.year:
            return int(m[1])
    return None


def yearless_date(line: str, year: int, today: dt.date, pats: DatePatterns) -> dt.date | None:
    """A day and month without a year ("April 25 (Reuters) -", "8 января, 17:46") on a
    short dateline, dated in `year` (the year before when that is in the future)."""
    if len(line) > 80:
        return None
    for rx, mi, di in ((pats.month_day, 1, 2), (pats.day_month, 2, 1)):
        m = rx.search(line)
        if m and not re.match(r",?\s*\d{3}", line[m.end():]):  # "April 10, 20233": not year-less
            month, day = pats.months[m[mi].casefold()], int(m[di])
            value = _date(year, month, day, dt.date.max)
            if value and value > today:
                value = _date(year - 1, month, day, today)
            if value:
                return value
    return None
