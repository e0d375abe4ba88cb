"""Plain-text publication dates, from date lines in several languages and formats."""
import datetime as dt

import pytest

from flows.stages.clean.dates import find_published_date

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("line,iso", [
    ("January 24, 2022", "2022-01-24"),
    ("Par Claire Dumoulin – Publié le 20/01/2022 à 07h15, mis à jour à 11h40", "2022-01-20"),
    ("27 января 2022, 10:05", "2022-01-27"),
    ("15 лютого 2022 року", "2022-02-15"),
    ("Veröffentlicht am 3. Februar 2022", "2022-02-03"),
    ("10 de febrero de 2022", "2022-02-10"),
    ("Published 2022-02-08T09:42", "2022-02-08"),
    ("Moscow. - Sputnik International, 1920, 18.02.2022", "2022-02-18"),
])
def test_date_lines(line, iso):
    assert find_published_date(["Headline of the story here", line, "Body text follows."],
                               "Headline of the story here", TODAY) == iso


def test_dates_inside_long_sentences_and_the_future_are_not_publication_dates():
    caption = ("A sniper of the armed forces takes part in military exercises at a range in the "
               "region on January 13, 2022. (Reuters photo)")
    assert find_published_date(["Headline", caption], "Headline", TODAY) is None
    assert find_published_date(["Headline", "March 3, 2031"], "Headline", TODAY) is None


def test_lines_after_the_headline_come_first():
    lines = ["Section updated 01.01.2022", "The headline", "February 2, 2022"]
    assert find_published_date(lines, "The headline", TODAY) == "2022-02-02"
