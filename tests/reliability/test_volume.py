"""Volume with default settings: 1,000 all-HTML pages and six 5-15 MB pages in one run.

500 all-HTML pages used to crash the load (DuckDB's fixed 256 MB limit: a batch of 512
pages, ~90 MB of HTML, did not fit in one transaction) and load nothing. Now batches are
cut by bytes too and DuckDB's limit comes from the machine's memory.

The same 1,000 pages also load with a 128 MB buffer pool, half the smallest default: what
the load holds in DuckDB must not grow with the crawl. It used to (checkpoints rewrote one
row group of every page stored so far), and 5,000 all-HTML pages crashed a 256 MB pool.
"""
from __future__ import annotations

import re

import subprocess
import sys

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from tests.conftest import BENCH, need_shared
from tests.reliability.big_pages import write_big_pages
from tests.reliability.cli import default_env, run_cli

pytestmark = pytest.mark.slow

HTML_PAGES = 1000
BIG_PAGES = 6
PEAK_PSS_MB = 2048


@pytest.fixture(scope="module")
def volume_corpus(tmp_path_factory):
    need_shared(BENCH)
    root = tmp_path_factory.mktemp("volume")
    subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "make_corpus.py"), str(root / "corpus"),
                    "--docs", str(HTML_PAGES), "--kind", "html"], check=True, capture_output=True)
    write_big_pages(root / "corpus" / "pages" / "big", BIG_PAGES)
    return root


@pytest.fixture(scope="module")
def volume_run(volume_corpus):
    root = volume_corpus
    wh = root / "volume.duckdb"
    result = run_cli(["run", str(root / "corpus" / "pages"), "--warehouse", str(wh), "-v"],
                     default_env(root / "prefect"), measure_memory=True)
    return result, wh


def test_exits_0_and_loads_every_page(volume_run):
    result, wh = volume_run
    assert result.rc == 0, result.stderr[-3000:]
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from mart.articles").fetchone()[0] == HTML_PAGES + BIG_PAGES
    assert con.execute("select count(*) from dq.quarantine").fetchone()[0] == 0
    assert con.execute("select status, docs_loaded from dq.runs").fetchall() == [
        ("completed", HTML_PAGES + BIG_PAGES)]


def test_big_pages_keep_their_article(volume_run):
    _, wh = volume_run
    con = duckdb.connect(str(wh), read_only=True)
    rows = con.execute("select title, paragraph_count from mart.articles "
                       "where source_uri like '%/big/big-%'").fetchall()
    assert len(rows) == BIG_PAGES
    assert all(t.startswith("Port strike ends") and n >= 30 for t, n in rows)


def test_batches_were_cut_by_bytes(volume_run):
    result, _ = volume_run
    # 1,000 pages of ~180 KB and 60 MB of big pages: more batches than 1,006 / 512 would give.
    # (-v prints a line per batch loaded)
    assert len(re.findall(r"newsflow: batch \d+ \(\d+ documents\) loaded", result.stderr)) > 3


def test_peak_memory_of_the_process_tree(volume_run):
    result, _ = volume_run
    assert 0 < result.peak_pss_mb <= PEAK_PSS_MB, result.peak_pss_mb


def test_a_small_buffer_pool_loads_the_same_crawl(volume_corpus):
    root = volume_corpus
    wh = root / "small-pool.duckdb"
    result = run_cli(["run", str(root / "corpus" / "pages" / "*.html.gz"), "--warehouse", str(wh),
                      "--duckdb-memory-limit", "128MB"], default_env(root / "prefect-small"))
    assert result.rc == 0, result.stderr[-3000:]
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select status, docs_loaded from dq.runs").fetchall() == [
        ("completed", HTML_PAGES)]
