"""Faults: a page that hangs, kill -9 mid-run, a warehouse held by another process.

Each scenario ends with the same tables as an uninterrupted run (run ids and timestamps
aside): nothing lost, nothing duplicated.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace

import duckdb
import pytest

from flows.run import pipeline
from flows.config import PROJECT_ROOT, Settings
from flows.run.pipeline import run

VOLATILE = {"run_id", "first_run_id", "loaded_at", "quarantined_at"}
TABLES = ("raw.documents", "core.articles", "core.paragraphs", "core.removed_lines",
          "core.detection_evidence", "core.citations", "core.outlets", "dq.quarantine")
TOPICS = ["ferry", "orchard", "library", "bridge", "market", "school", "harbour", "railway",
          "museum", "clinic"]


def hang_on_marker(doc):
    """Test hook (runs in the worker): a page containing HANG-FOREVER never finishes."""
    if "HANG-FOREVER" in doc.text:
        time.sleep(3600)


def make_corpus(folder, n=30):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        t = TOPICS[i % len(TOPICS)]
        paras = [f"The town council voted on Tuesday to fund the new {t} project number {i}, "
                 f"after months of debate among residents about costs and the timetable.",
                 f"Officials said work on the {t} would begin in spring and that local firms "
                 f"would be invited to bid. The budget for item {i} is {1000 + 37 * i} thousand.",
                 f"Opponents argued the money for the {t} should go to roads instead, but the "
                 f"motion passed by {5 + i % 4} votes to {i % 5}."]
        (folder / f"story_{i:02d}.txt").write_text(
            f"Council backs {t} plan number {i}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    return folder


def tables(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for t in TABLES:
            schema, name = t.split(".")
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and "
                "table_name = ? order by ordinal_position", [schema, name]).fetchall()
                if r[0] not in VOLATILE]
            out[t] = sorted(map(repr, con.execute(f"select {', '.join(cols)} from {t}").fetchall()))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus") / "pages")


@pytest.fixture(scope="module")
def baseline(prefect_harness, corpus, tmp_path_factory):
    s = Settings.from_env(tmp_path_factory.mktemp("base") / "base.duckdb", workers=1, batch_size=5)
    summary = run([str(corpus)], s)
    assert summary.status == "completed" and summary.seen == 30
    return s.warehouse, tables(s.warehouse)


def _subprocess_env():
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), NEWSFLOW_WORKERS="1")
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()  # the harness's server: no cold start
    return env


def test_a_hanging_page_is_quarantined_as_timeout_and_the_batch_goes_on(prefect_harness, tmp_path,
                                                                        monkeypatch):
    pages = make_corpus(tmp_path / "pages", n=4)
    p = pages / "story_02.txt"
    p.write_text(p.read_text() + "\nHANG-FOREVER\n")
    build = pipeline.build_extract_options
    monkeypatch.setattr(pipeline, "build_extract_options",
                        lambda *a: replace(build(*a), before_doc=hang_on_marker))
    s = Settings.from_env(tmp_path / "t.duckdb", workers=1, batch_size=4, doc_timeout_s=3.0)
    t0 = time.monotonic()
    summary = run([str(pages)], s)
    assert time.monotonic() - t0 < 60
    assert summary.quarantine_reasons == {"timeout": 1} and summary.loaded == 3
    con = duckdb.connect(str(s.warehouse), read_only=True)
    assert con.execute("select reason, source_uri like '%story_02.txt' from dq.quarantine").fetchall() \
        == [("timeout", True)]


def test_kill_9_mid_run_then_rerun_equals_an_uninterrupted_run(baseline, corpus, tmp_path):
    wh_path = tmp_path / "killed.duckdb"
    cmd = [sys.executable, "-m", "flows.commands.cli", "run", str(corpus), "--warehouse", str(wh_path),
           "--batch-size", "5", "--workers", "1", "-v"]  # -v: a line per batch loaded
    proc = subprocess.Popen(cmd, env=_subprocess_env(), cwd=PROJECT_ROOT,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    killed = False
    try:
        deadline = time.monotonic() + 120
        for line in proc.stderr:
            if re.match(r"newsflow: batch 2 \(\d+ documents\) loaded", line):
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            if time.monotonic() > deadline:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
    assert killed, "the run never reached its second batch"
    # The killed run's newsflow-warehouse slot stays taken until its lease expires (60 s);
    # free it so this and later tests sharing the Prefect harness do not wait for it.
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.delete_global_concurrency_limit_by_name(pipeline.WAREHOUSE_LIMIT)
    # The killed run still holds its newsflow-warehouse slot until the lease expires; with a
    # short wait the rerun goes on without it (the DuckDB lock is what keeps writers apart).
    s = Settings.from_env(wh_path, workers=1, batch_size=5, lock_wait_s=2.0)
    con = duckdb.connect(str(wh_path), read_only=True)
    partial = con.execute("select count(*) from raw.documents").fetchone()[0]
    con.close()
    assert 0 < partial < 30  # whole batches only, and not all of them
    summary = run([str(corpus)], s)
    assert summary.aborted_runs == 1 and summary.skipped == partial
    assert tables(wh_path) == baseline[1]
    con = duckdb.connect(str(wh_path), read_only=True)
    assert sorted(r[0] for r in con.execute("select status from dq.runs").fetchall()) == ["aborted", "completed"]


def test_busy_warehouse_stages_the_run_and_the_next_run_loads_it(baseline, corpus, tmp_path):
    wh_path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(300)", str(wh_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        s = Settings.from_env(wh_path, workers=1, batch_size=5, lock_wait_s=1.0)
        staged = run([str(corpus)], s)
        assert staged.status == "staged" and staged.staged_batches == 6
        assert "held by another process" in staged.message
        assert len(list((s.staging_dir / staged.run_id).glob("batch-*.json.gz"))) == 6
    finally:
        holder.kill()
        holder.wait(30)
    second = run([str(corpus)], s)
    assert second.loaded_from_staging == 6 and second.loaded == 0 and second.skipped == 30
    assert not list(s.staging_dir.glob("*/*"))
    assert tables(wh_path) == baseline[1]
    con = duckdb.connect(str(wh_path), read_only=True)
    assert sorted(r[0] for r in con.execute("select status from dq.runs").fetchall()) == \
        ["completed", "loaded_from_staging"]


def test_reprocess_rewrites_derived_rows_idempotently(baseline, corpus, tmp_path):
    s = Settings.from_env(tmp_path / "re.duckdb", workers=1, batch_size=5, lock_wait_s=5.0)
    shutil.copy(baseline[0], s.warehouse)  # a loaded warehouse, without running again
    con = duckdb.connect(str(s.warehouse))
    con.execute("update core.articles set title = 'stale'")
    con.execute("delete from core.paragraphs")
    con.close()
    first = run([], s, reprocess=True)
    assert first.status == "completed" and first.seen == 30
    assert tables(s.warehouse) == baseline[1]
    run([], s, reprocess=True)
    assert tables(s.warehouse) == baseline[1]


def test_two_runs_never_hold_the_warehouse_slot_at_once(prefect_harness):
    # The global concurrency limit is created on first use with one slot; a second holder
    # waits, then (after its wait) goes on without it and relies on the DuckDB lock.
    with pipeline.warehouse_slot(5.0) as first:
        assert first is True
        t0 = time.monotonic()
        with pipeline.warehouse_slot(1.0) as second:
            assert second is False
        assert time.monotonic() - t0 >= 1.0
    with pipeline.warehouse_slot(5.0) as again:
        assert again is True
