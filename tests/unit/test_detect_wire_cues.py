"""The cheap whole-page cues of `wire.wire_evidence` hold wherever the full pattern matches."""
from __future__ import annotations

import re

import pytest

from flows.stages.detect import wire


def test_contrib_cue_spells_contribu_as_re_i_does():
    # every character re.I takes for each letter of "contribu", and no other
    for letter, cls in zip("contribu", re.findall(r"\[(.*?)\]", wire._CONTRIB_CUE.pattern)):
        takes = {chr(c) for c in range(0x3000) if re.fullmatch(letter, chr(c), re.I)}
        assert takes == set(cls), letter


@pytest.mark.parametrize("text", [
    "Reuters contributed to this report.", "CONTRIBUTED TO THIS STORY", "AP contributed to this article",
    "EFE contribuyó a este informe", "L'AFP a contribué à cet article", "contrİbuted to this report",
    "contrıbuted to this story"])
def test_contrib_cue_holds_where_contrib_matches(text):
    assert wire._CONTRIB.search(text) and wire._CONTRIB_CUE.search(text)
