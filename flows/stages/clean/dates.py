"""Publication dates of plain-text scrapes, from the page's own date lines.

HTML pages get their date from trafilatura (htmldate: metadata, URL, markup). A plain-text
scrape has only its text: the date usually sits in a dateline or byline near the headline
("January 24, 2022", "Publié le 20/01/2022 à 07h15", "27 января 2022, 10:05",
"- Sputnik International, 1920, 18.02.2022"). We take the first plausible date in the top
of the page. Numeric dates are read day-first (dd.mm.yyyy, dd/mm/yyyy) unless that is
impossible; ISO dates as written.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

EARLIEST = dt.date(1990, 1, 1)
SCAN_LINES = 30

MONTHS = {
    # English, French, German, Spanish, Italian, Portuguese
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    "januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # Russian and Ukrainian (genitive, as in dates)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6,
    "липня": 7, "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
}
_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)(?!\d)")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I)
_DAY_MONTH_YEAR = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|\.)?\s+(?:de\s+)?({_MONTH})\.?\s+(?:de\s+)?((?:19|20)\d\d)\b", re.I)


def _date(y: int, m: int, d: int, today: dt.date) -> dt.date | None:
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return None
    return value if EARLIEST <= value <= today else None


def dates_in(text: str, today: dt.date) -> list[tuple[int, int, dt.date]]:
    """Every plausible date in one line as (start, end, date), in the order they appear."""
    found: list[tuple[int, int, dt.date]] = []
    for m in _ISO.finditer(text):
        if (v := _date(int(m[1]), int(m[2]), int(m[3]), today)):
            found.append((m.start(), m.end(), v))
    for m in _NUMERIC.finditer(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        v = _date(y, b, a, today) or _date(y, a, b, today)  # day-first unless impossible
        if v:
            found.append((m.start(), m.end(), v))
    for m in _MONTH_DAY_YEAR.finditer(text):
        if (v := _date(int(m[3]), MONTHS[m[1].lower()], int(m[2]), today)):
            found.append((m.start(), m.end(), v))
    for m in _DAY_MONTH_YEAR.finditer(text):
        if (v := _date(int(m[3]), MONTHS[m[2].lower()], int(m[1]), today)):
            found.append((m.start(), m.end(), v))
    return sorted(found, key=lambda p: p[0])


def find_published_date(lines: Sequence[str], title: str | None = None,
                        today: dt.date | None = None) -> str | None:
    """ISO date of the first plausible date line near the top of the page.

    Lines from the headline on are preferred (chrome above it often carries an unrelated
    date, e.g. a section's "updated" stamp); then the lines above it."""
    today = today or dt.date.today()
    top = [l.strip() for l in lines if l.strip()][:SCAN_LINES]
    start = next((i for i, l in enumerate(top) if title and l == title.strip()), 0)
    for line in top[start:] + top[:start]:
        # A date line is short, or carries its date at the start (a dateline) or at the very
        # end (a stamp). A date inside a long sentence or caption is what the story is about.
        for begin, end, value in dates_in(line, today):
            if len(line) <= 100 or begin <= 40 or len(line) - end <= 2:
                return value.isoformat()
    return None
