"""The real flow (Prefect test harness, real DuckDB file, real GX, real trafilatura)."""
import duckdb
import pytest

from flows.run.pipeline import run
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages"


@pytest.fixture(scope="module")
def first_and_second(prefect_harness, tmp_path_factory):
    from flows.config import Settings

    s = Settings.from_env(tmp_path_factory.mktemp("wh") / "pages.duckdb", workers=1, batch_size=3)
    first = run([str(PAGES)], s)
    snapshot = _tables(s.warehouse)
    second = run([str(PAGES)], s)
    return s, first, snapshot, second


def _tables(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for t in ("raw.documents", "core.articles", "core.paragraphs", "core.removed_lines",
                  "core.detection_evidence", "core.citations", "core.outlets", "dq.quarantine"):
            out[t] = sorted(map(repr, con.execute(f"select * exclude (loaded_at) from {t}"
                                                  if t in ("raw.documents", "core.articles")
                                                  else f"select * exclude (quarantined_at) from {t}"
                                                  if t == "dq.quarantine" else f"select * from {t}").fetchall()))
        return out
    finally:
        con.close()


def test_good_pages_load_and_bad_ones_are_quarantined(first_and_second):
    s, first, _, _ = first_and_second
    assert first.status == "completed"
    assert first.seen == 5 and first.loaded == 2 and first.quarantined == 3
    assert first.seen == first.loaded + first.skipped + first.quarantined
    con = duckdb.connect(str(s.warehouse), read_only=True)
    q = dict(con.execute("select regexp_extract(source_uri, '[^/]+$'), reason from dq.quarantine").fetchall())
    assert q == {"empty.txt": "empty_document", "pixel.png.txt": "binary_content",
                 "cookie_wall.html": "no_article_text"}
    arts = {r[0].rsplit("/", 1)[1]: r for r in con.execute(
        "select source_uri, title, text, language, outlet_domain, published_date, run_id from mart.articles").fetchall()}
    html = arts["harbour_article.html"]
    assert html[1] == "Ferry operators add winter crossings as demand grows"
    assert "Two ferry operators on the northern coast" in html[2] and "We use cookies" not in html[2]
    assert html[3] == "en" and html[4] == "harbourledger.example" and str(html[5]) == "2022-01-14"
    txt = arts["valley_news.txt"]
    assert txt[1].startswith("Valley orchard growers")
    assert "- Advertisement -" not in txt[2].split("\n")
    removed = con.execute("select reason from core.removed_lines r join core.articles a using (doc_id) "
                          "where a.source_uri like '%valley_news.txt' and r.text = '- Advertisement -'").fetchall()
    assert removed and removed[0][0] != "kept"
    runs = con.execute("select status, docs_seen, docs_loaded from dq.runs order by started_at").fetchall()
    assert runs[0] == ("completed", 5, 2)
    n_results = con.execute("select count(*) from dq.validation_results where run_id = ?", [first.run_id]).fetchone()[0]
    assert n_results >= 10


def test_second_run_changes_nothing(first_and_second):
    s, first, snapshot, second = first_and_second
    assert second.status == "completed" and second.loaded == 0 and second.quarantined == 0
    assert second.skipped == 5
    assert _tables(s.warehouse) == snapshot


def test_second_run_skips_unchanged_files_without_reading_them(first_and_second, monkeypatch):
    """raw.sources: a file with the size and mtime it had when a run read it is skipped by
    its stat; the read stage never sees it. A touched file is read again (and, its content
    being the same, skipped by hash)."""
    import os

    import flows.stages.read as read_mod

    s, first, snapshot, second = first_and_second
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        recorded = dict(con.execute("select source_uri, doc_id from raw.sources").fetchall())
    finally:
        con.close()
    readable = [p for p in sorted(PAGES.iterdir()) if str(p) in recorded]
    assert readable, "no input file recorded in raw.sources"
    assert second.skip_reasons.get("already_loaded", 0) + second.skip_reasons.get(
        "already_quarantined", 0) == 5

    reads = []
    real = read_mod.read_batch
    monkeypatch.setattr(read_mod, "read_batch", lambda refs, opts: reads.append(
        [r.source_uri for r in refs]) or real(refs, opts))
    import flows.run.pipeline as pipeline_mod
    monkeypatch.setattr(pipeline_mod, "read_batch", read_mod.read_batch)

    touched = readable[0]
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        third = run([str(PAGES)], s)
    finally:
        os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns))
    read_uris = [u for batch in reads for u in batch]
    assert str(touched) in read_uris
    assert not set(read_uris) & {str(p) for p in readable[1:]}
    assert third.loaded == 0 and third.skipped == 5
    assert _tables(s.warehouse) == snapshot


def test_postload_is_skipped_when_articles_are_unchanged(first_and_second):
    from flows.store import postload

    s, *_ = first_and_second
    con = duckdb.connect(str(s.warehouse))
    try:
        assert postload.refresh(con, s.sql_dir) == {}
        assert postload.refresh(con, s.sql_dir, force=True)["fts_indexed"] == 2
    finally:
        con.close()


def test_a_run_over_unchanged_files_runs_no_batch_tasks(first_and_second, monkeypatch):
    """Every file unchanged since it was read: no read, clean-detect or load task run per
    batch (each is a round of Prefect API calls that does nothing), and the same tables."""
    import flows.run.pipeline as pipeline_mod

    s, _, snapshot, _ = first_and_second
    run([str(PAGES)], s)  # settle raw.sources (another test touches a file and restores it)
    calls = []

    class Spy:
        def __init__(self, name, task):
            self.name, self.task = name, task

        def __call__(self, *a, **k):
            calls.append(self.name)
            return self.task(*a, **k)

        def submit(self, *a, **k):
            calls.append(self.name)
            return self.task.submit(*a, **k)

    for name in ("read_task", "extract_task", "load_task"):
        monkeypatch.setattr(pipeline_mod, name, Spy(name, getattr(pipeline_mod, name)))
    again = run([str(PAGES)], s)
    assert again.status == "completed" and again.skipped == 5 and again.loaded == 0
    assert calls == []
    assert _tables(s.warehouse) == snapshot
