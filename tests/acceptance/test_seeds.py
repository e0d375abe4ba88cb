"""Acceptance: the five seeds against ../shared/seeds/gold.json, scored by the shared scorer."""
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import SEEDS, SHARED, need_shared


@pytest.fixture(scope="module")
def seeds_warehouse(prefect_harness, tmp_path_factory):
    need_shared(SEEDS)
    from flows.config import Settings
    from flows.run.pipeline import run

    s = Settings.from_env(tmp_path_factory.mktemp("seeds") / "seeds.duckdb", workers=1)
    first = run([str(SEEDS)], s)
    second = run([str(SEEDS)], s)
    return s.warehouse, first, second


def test_seeds_match_gold(seeds_warehouse):
    wh, first, _ = seeds_warehouse
    assert first.loaded == 5, first
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_gold.py"), "--warehouse", str(wh),
                          "--gold", str(SEEDS / "gold.json"), "--docs", str(SEEDS)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "gold: 5 passed, 0 failed" in out.stdout


def test_gold_boilerplate_is_in_removed_lines_with_reason(seeds_warehouse):
    import json

    wh, _, _ = seeds_warehouse
    gold = json.loads((SEEDS / "gold.json").read_text())["documents"]
    con = duckdb.connect(str(wh), read_only=True)
    for name, g in gold.items():
        rows = con.execute(
            "select line_no, reason from core.removed_lines r join core.articles a using (doc_id) "
            "where a.source_uri like '%/' || ?", [name]).fetchall()
        removed = dict(rows)
        for n in g["lines"]["boilerplate"]:
            assert n in removed, f"{name}: boilerplate line {n} not in core.removed_lines"
            assert removed[n] and removed[n] != "kept"


def test_second_run_adds_nothing(seeds_warehouse):
    _, _, second = seeds_warehouse
    assert second.loaded == 0 and second.skipped == 5 and second.status == "completed"
