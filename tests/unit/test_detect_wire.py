"""Wire agency from datelines and credits, in several languages; photo credits are not wires."""
from __future__ import annotations

import pytest

from flows.stages.detect.detector import detect_wire, load_registry
from test_detect_support import REFERENCE, make_page

BODY = "Officials said talks would continue."


@pytest.fixture(scope="module")
def reg():
    return load_registry(REFERENCE)


@pytest.mark.parametrize("line,oid,signal", [
    ("MOSCOW (AP) – The Kremlin said Friday that Putin will seek guarantees.", "ap", "dateline"),
    ("KYIV, Jan 28 (Reuters) - Ukraine's president said on Friday.", "reuters", "dateline"),
    ("PARIS (AFP) - Le président a déclaré vendredi.", "afp", "dateline"),
    ("Berlin (dpa) - Die Bundesregierung hat am Freitag erklärt.", "dpa", "dateline"),
    ("Madrid, 28 ene (EFE).- El Gobierno anunció este viernes.", "efe", "dateline"),
    ("(ANSA) - ROMA, 28 GEN - Il governo ha annunciato.", "ansa", "dateline"),
    ("МОСКВА, 28 января. /ТАСС/. Президент России заявил в пятницу.", "tass", "dateline"),
    ("МОСКВА, 28 янв — РИА Новости. Президент России заявил.", "ria", "wire_signature"),
    ("Київ, 28 січня. Укрінформ. Президент України заявив.", "ukrinform", "wire_signature"),
    ("BEIJING, Jan. 28 (Xinhua) -- China said on Friday.", "xinhua", "dateline"),
    ("ANKARA (AA) - Turkey said on Friday.", "anadolu", "dateline"),
    ("Le Monde avec AFP", "afp", "wire_byline"),
    ("By The Associated Press", "ap", "wire_byline"),
    ("Mit Material von dpa", "dpa", "wire_byline"),
    ("Источник: ТАСС", "tass", "wire_byline"),
    ("Copyright 2019 The Associated Press. All rights reserved.", "ap", "wire_copyright"),
    ("Associated Press writer Jane Doe in Washington contributed to this report.", "ap",
     "wire_contributed"),
])
def test_wire_signals(reg, line, oid, signal):
    w = detect_wire(make_page([line, BODY]), reg)
    assert w is not None and w.outlet_id == oid
    assert w.evidence[0].signal == signal and w.evidence[0].line_no == 1
    assert w.confidence >= 0.5


def test_two_agencies_in_one_dateline(reg):
    w = detect_wire(make_page(["Berlin (dpa/AFP) - Die Regierung erklärte am Freitag."]), reg)
    assert w.outlet_id in ("dpa", "afp")


@pytest.mark.parametrize("line", [
    "A sniper takes part in exercises near Rostov, Russia on January 13, 2022. (Reuters photo)",
    "President Biden speaks in Washington. (AP Photo/Evan Vucci)",
    "© Reuters / Stringer",
    "Russia’s TASS news agency reported that the talks failed (see below).",
    "He said the AP style guide (AP) is used in the newsroom of our company every day.",
])
def test_not_a_wire(reg, line):
    assert detect_wire(make_page([BODY, line]), reg) is None


def test_wire_domain_is_the_agency(reg):
    w = detect_wire(make_page(["MOSCOW (AP) – x"]), reg)
    assert (w.name, w.domain, w.registered) == ("Associated Press", "apnews.com", True)
