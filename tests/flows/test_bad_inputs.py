"""Issue 5's run: the seeds, the sample corpus and the bad-input catalogue together.

Exit 0, every good document loaded, every bad one in dq.quarantine with a specific reason,
counts adding up to the documents seen; dashboard and Data Docs written.
"""
import os

import duckdb
import pytest

from tests.conftest import FIXTURES, SEEDS, need_shared
from tests.fixtures.make_bad_inputs import make_large_and_deep

BAD = FIXTURES / "bad_inputs"
EXPECTED_QUARANTINE = {
    "empty.txt": {"empty_document"},
    "whitespace.txt": {"empty_document"},
    "tiny.pdf": {"binary_content"},
    "pixel.png": {"binary_content"},
    "cookie_wall.html": {"cookie_wall"},
    "login_wall.html": {"login_wall", "no_article_text"},
    "not_found.html": {"error_page"},
    "truncated.html.gz": {"corrupt_gzip"},
    "huge.txt": {"too_large"},
    "bomb.txt.gz": {"too_large"},
}
EXPECTED_LOADED = {"invalid_utf8.txt", "cp1251.txt", "latin1.html", "mojibake.txt", "no_stoplist_lang.txt"}


@pytest.fixture(scope="module")
def catalogue_run(prefect_harness, tmp_path_factory):
    need_shared(SEEDS)
    from flows.config import PROJECT_ROOT, Settings
    from flows.run.pipeline import run

    big = tmp_path_factory.mktemp("big")
    make_large_and_deep(big)
    s = Settings.from_env(tmp_path_factory.mktemp("wh") / "bad.duckdb", workers=1)
    summary = run([str(SEEDS), str(PROJECT_ROOT / "examples"), str(BAD), str(big)], s)
    return s, summary


def _name(uri: str) -> str:
    return os.path.basename(uri.split("#", 1)[0])


def test_counts_add_up_and_run_completes(catalogue_run):
    s, summary = catalogue_run
    assert summary.status == "completed"
    assert summary.seen == summary.loaded + summary.skipped + summary.quarantined
    assert summary.skip_reasons == {"duplicate_in_run": 1}


def test_every_bad_input_has_a_specific_reason(catalogue_run):
    s, _ = catalogue_run
    con = duckdb.connect(str(s.warehouse), read_only=True)
    quarantined = {_name(u): r for u, r in con.execute("select source_uri, reason from dq.quarantine").fetchall()}
    for name, reasons in EXPECTED_QUARANTINE.items():
        assert quarantined.get(name) in reasons, (name, quarantined.get(name))
    articles = {_name(u) for (u,) in con.execute("select source_uri from mart.articles").fetchall()}
    assert "deep.html" in articles | set(quarantined)  # never lost, never a crash


def test_every_good_document_is_loaded(catalogue_run):
    from flows.config import PROJECT_ROOT

    s, _ = catalogue_run
    con = duckdb.connect(str(s.warehouse), read_only=True)
    rows = {_name(u): (t, lang) for u, t, lang in con.execute("select source_uri, text, language from mart.articles").fetchall()}
    good = ({p.name for p in SEEDS.glob("*.txt")} | EXPECTED_LOADED
            | {p.name for p in (PROJECT_ROOT / "examples").iterdir() if p.suffix in {".txt", ".html", ".gz"}})
    assert good <= set(rows), good - set(rows)
    assert rows["cp1251.txt"][1] == "ru"
    assert "é" in rows["latin1.html"][0] or "è" in rows["latin1.html"][0]
    assert "can’t" in rows["mojibake.txt"][0] and "â€" not in rows["mojibake.txt"][0]


def test_validation_results_dashboard_and_data_docs(catalogue_run):
    s, summary = catalogue_run
    con = duckdb.connect(str(s.warehouse), read_only=True)
    dupes = con.execute("select suite, expectation, severity, count(*) from dq.validation_results "
                        "where run_id = ? group by all having count(*) > 1", [summary.run_id]).fetchall()
    assert dupes == []
    suites = {r[0] for r in con.execute("select distinct suite from dq.validation_results").fetchall()}
    assert {"core.articles", "core.paragraphs", "core.removed_lines", "core.outlets"} <= suites
    assert s.dashboard_path.exists() and s.dashboard_path.stat().st_size > 5000
    assert (s.data_docs_dir / "index.html").exists()
