"""The DuckDB shell installed by `make setup` opens the warehouse and loads fts offline."""
from __future__ import annotations

import subprocess

import duckdb
import pytest

from flows.config import PROJECT_ROOT

DUCKDB = PROJECT_ROOT / ".venv" / "bin" / "duckdb"


def shell(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    if not DUCKDB.exists():
        pytest.skip("no .venv/bin/duckdb (run make setup)")
    return subprocess.run([str(DUCKDB), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_shell_is_the_release_of_the_python_package():
    out = shell("-noheader", "-list", "-c", "select version()")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"v{duckdb.__version__}"


def test_fts_loads_without_downloading():
    # With auto-install off, DuckDB could only load fts from a local copy.
    out = shell("-noheader", "-list", "-c", "set autoinstall_known_extensions = false; load fts; "
                "select install_path from duckdb_extensions() where extension_name = 'fts' and loaded")
    assert out.returncode == 0, out.stderr
    assert ".duckdb_extensions" in out.stdout and str(PROJECT_ROOT / ".venv") in out.stdout


def test_shell_reads_the_warehouse_and_its_search_index(sandbox):
    sql = ("set autoinstall_known_extensions = false; load fts; "
           "select count(*) from (select fts_core_articles.match_bm25(doc_id, 'false flag') as score "
           "from mart.articles) where score is not null")
    out = shell("-readonly", "-noheader", "-list", "warehouse/news.duckdb", sql,
                cwd=sandbox.root, env=sandbox.env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"
