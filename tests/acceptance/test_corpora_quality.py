"""Acceptance: newsflow on the shared corpora (pages nobody here chose) against pinned floors.

Runs the real command on fundus and trafilatura-eval, as HTML and as plain text, and scores
each warehouse with the corpora's own scorers (`bench/corpora.py`; about two minutes in
all; the runs are shared with `test_no_false_quarantine.py`, see conftest.py). Floors live in quality_floors.json under "corpora": set slightly below the figures
measured when they were pinned; raise them when the scores rise, never lower them silently.
Skips with a message when ../shared/corpora is absent.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

import pytest

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text())["corpora"]


@pytest.fixture(scope="module")
def results(corpora_runs):
    return corpora_runs[0]


@pytest.fixture(scope="module")
def workdir(corpora_runs):
    return corpora_runs[1]


def _column(workdir: Path, corpus: str, column: str) -> list[str]:
    with duckdb.connect(str(workdir / f"{corpus}.duckdb"), read_only=True) as con:
        return [r[0] for r in con.execute(f"SELECT {column} FROM mart.articles").fetchall() if r[0]]


# The test's own oracle, independent of the product's word lists: a rights notice in a few
# languages and scripts, or a company's legal form at the end of the name.
RIGHTS_OR_LEGAL_FORM = re.compile(
    r"(?i)(rights reserved|alle rechte|rechte vorbehalten|derechos reservados|droits réservés"
    r"|diritti riservati|prawa zastrzeżone|版权所有|©|℗|®"
    r"|\b(ltd|limited|gmbh|mbh|s\.?l|s\.?a|ag|inc|llc|plc|b\.?v|co|kg|pty)\.?$)")
SHARE_WORDS = frozenset("""share sharing teilen senden compartir partager condividi delen dela
udostępnij поделиться paylaş facebook twitter whatsapp telegram linkedin pinterest reddit
email e-mail mail print drucken imprimir messenger copy link kopieren x xing flipboard
tumblr sms via en to""".split())


def test_no_publisher_name_with_rights_notice_or_legal_form(results, workdir):
    bad = {c: [n for n in _column(workdir, c, "outlet_name") if RIGHTS_OR_LEGAL_FORM.search(n)]
           for c in results}
    assert not any(bad.values()), bad


def test_no_title_is_a_share_row(results, workdir):
    def share_row(title: str) -> bool:
        words = re.findall(r"[\w-]+", title.casefold())
        return bool(words) and sum(w in SHARE_WORDS for w in words) / len(words) >= 0.6

    bad = {c: [t for t in _column(workdir, c, "title") if share_row(t)] for c in results}
    assert not any(bad.values()), bad


def _floor_cases():
    return [(corpus, key) for corpus, floors in sorted(FLOORS.items())
            if not corpus.startswith("_") for key in sorted(floors)]


@pytest.mark.parametrize("corpus,key", _floor_cases(), ids=[f"{c}:{k}" for c, k in _floor_cases()])
def test_corpus_floor(results, corpus, key):
    got = results[corpus][key]
    assert got >= FLOORS[corpus][key], f"{corpus} {key} {got:.4f} < floor {FLOORS[corpus][key]}"
