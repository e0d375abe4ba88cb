"""Plain-text publication dates, from date lines in several languages and formats."""
import datetime as dt

import pytest

from flows.config import Settings
from flows.stages.clean.dates import (
    copyright_year, find_published_date, load_date_patterns, yearless_date,
)

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def pats():
    return load_date_patterns(Settings().reference_dir)


@pytest.mark.parametrize("line,iso", [
    ("January 24, 2022", "2022-01-24"),
    ("Par Claire Dumoulin – Publié le 20/01/2022 à 07h15, mis à jour à 11h40", "2022-01-20"),
    ("27 января 2022, 10:05", "2022-01-27"),
    ("15 лютого 2022 року", "2022-02-15"),
    ("Veröffentlicht am 3. Februar 2022", "2022-02-03"),
    ("10 de febrero de 2022", "2022-02-10"),
    ("Published 2022-02-08T09:42", "2022-02-08"),
    ("Moscow. - Sputnik International, 1920, 18.02.2022", "2022-02-18"),
    ("2024年04月24日23:52 | 来源：新华网", "2024-04-24"),
    ("2026.01.29 14:05", "2026-01-29"),
    ("dpa Palma, Mallorca 15.04.25 09:56", "2025-04-15"),
    ("Published Fri, Apr 28 20232:23 PM EDT", "2023-04-28"),
    ("5 gennaio 2025 ( modifica il 6 gennaio 2025 | 15:24)", "2025-01-05"),
    ("mandag 5. august 2024 kl. 14:47", "2024-08-05"),
    ("12 października 2024", "2024-10-12"),
])
def test_date_lines(pats, line, iso):
    assert find_published_date(["Headline of the story here", line, "Body text follows."],
                               "Headline of the story here", TODAY, pats) == iso


def test_dates_inside_long_sentences_and_the_future_are_not_publication_dates(pats):
    caption = ("A sniper of the armed forces takes part in military exercises at a range in the "
               "region on January 13, 2022. (Reuters photo)")
    assert find_published_date(["Headline", caption], "Headline", TODAY, pats) is None
    assert find_published_date(["Headline", "March 3, 2031"], "Headline", TODAY, pats) is None


def test_lines_after_the_headline_come_first(pats):
    lines = ["Section updated 01.01.2022", "The headline", "February 2, 2022"]
    assert find_published_date(lines, "The headline", TODAY, pats) == "2022-02-02"


def test_a_date_without_a_year_takes_the_copyright_year(pats):
    lines = ["8 января, 17:46", "Body", "© 2000-2026, Some Paper. All rights reserved."]
    year = copyright_year(lines, TODAY)
    assert year == 2026
    assert yearless_date(lines[0], year, TODAY, pats) == dt.date(2026, 1, 8)
    assert yearless_date("KATHMANDU, April 25 (Reuters) - Nepal's", 2023, TODAY, pats) == dt.date(2023, 4, 25)
    # a day later in the year than today is last year's
    assert yearless_date("December 24", 2026, TODAY, pats) == dt.date(2025, 12, 24)
    assert yearless_date("April 10, 20233 years ago", 2026, TODAY, pats) is None


def test_month_names_are_checked_when_loaded(tmp_path):
    (tmp_path / "months.csv").write_text("name,month,language\nmai,5,fr\nmai,6,xx\n",
                                         encoding="utf-8")
    with pytest.raises(ValueError, match="row 3"):
        load_date_patterns(tmp_path)
