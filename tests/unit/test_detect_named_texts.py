"""`OutletRegistry.texts_with_names`: one scan of a page's lines finds exactly the lines in
which `find_names` finds a name (so the callers skip the others)."""
from __future__ import annotations

from tests.unit.test_detect_support import reg  # noqa: F401  (fixture)

LINES = ["Home", "The Guardian", "Reuters reported on Monday that the talks had stalled.",
         "xReuters is not a name here", "", "Follow Al Jazeera on X", "a/Reuters.com link",
         "the Guardian said", "Reuters", "no outlet at all", "AP\nAFP in one text",
         "ends with Reuters", "Reuters-style", "The National Guard was called"]


def test_texts_with_names_are_the_texts_with_matches(reg):  # noqa: F811
    found = reg.texts_with_names(LINES)
    expected = {i for i, t in enumerate(LINES) if list(reg.text_pattern.finditer(t))}
    assert found == expected
    assert {i for i, t in enumerate(LINES) if reg.find_names(t)} <= found
    assert 0 not in found and 2 in found and 9 not in found


def test_texts_with_names_of_nothing(reg):  # noqa: F811
    assert reg.texts_with_names([]) == set() and reg.texts_with_names([""]) == set()
