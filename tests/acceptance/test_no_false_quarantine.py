"""Our own checks quarantine at most 1 % of the shared corpora's pages, every one of which
has a real body (fundus and trafilatura-eval dev halves, as HTML and as plain text).

Read from the warehouses of the real runs the corpora floors score (`corpora_runs` in
conftest.py: `newsflow run` with default settings, so every check the flow makes counts:
read, clean + detect, the articles suite, the table suites). Duplicate documents are
skipped by the flow (`duplicate_in_run`), not quarantined.
Measured when written: at most 1 page of 128 / 0 of 493 quarantined (the one, a Korean
page whose body exists only in a script payload, is not in its plain-text rendering either).
"""
from __future__ import annotations

import duckdb
import pytest

from flows.sources import list_sources
from tests.conftest import SHARED

MAX_SHARE = 0.01
# bench/corpora.py's run names and the corpus folders they read
CORPORA = {"fundus-html": "fundus/html", "fundus-text": "fundus/text",
           "trafeval-html": "trafilatura-eval/html", "trafeval-text": "trafilatura-eval/text"}


def quarantined(warehouse) -> dict[str, list[str]]:
    """stage:reason -> the file names quarantined in that warehouse."""
    out: dict[str, list[str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source_uri, stage, reason in con.execute(
                "select source_uri, stage, reason from dq.quarantine order by source_uri").fetchall():
            out.setdefault(f"{stage}:{reason}", []).append(source_uri.rsplit("/", 1)[-1])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("run", sorted(CORPORA))
def test_at_most_one_percent_quarantined(corpora_runs, run):
    _results, workdir = corpora_runs
    pages = len(list(list_sources([str(SHARED / "corpora" / CORPORA[run])])))
    reasons = quarantined(workdir / f"{run}.duckdb")
    n = sum(len(v) for v in reasons.values())
    assert pages > 100
    assert n <= MAX_SHARE * pages, f"{n}/{pages} quarantined: {reasons}"
