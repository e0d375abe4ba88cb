"""What a user sees when a run fails, is killed or finds the warehouse busy, through the
real `newsflow run`: one line that says what to do, the reason kept in dq.runs and shown on
the dashboard, a killed run that costs the next one nothing, counts that say what happened."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from tests.reliability.big_pages import write_big_pages
from tests.reliability.cli import default_env, newsflow_command, run_cli

pytestmark = pytest.mark.slow

EXAMPLES = PROJECT_ROOT / "examples"


def test_out_of_memory_says_which_setting_to_change(tmp_path):
    write_big_pages(tmp_path / "pages", 3, 6, 8)
    wh = tmp_path / "oom.duckdb"
    result = run_cli(["run", str(tmp_path / "pages"), "--warehouse", str(wh),
                      "--duckdb-memory-limit", "16MB", "--batch-bytes", "1GB"],
                     default_env(tmp_path / "prefect"))
    assert result.rc == 1
    assert "Traceback" not in result.stderr and "Error logging to API" not in result.stderr
    assert "ran out of its memory limit (16MB)" in result.stderr
    assert "--duckdb-memory-limit" in result.stderr and "--batch-bytes" in result.stderr
    assert "Traceback" in (tmp_path / "oom.log").read_text(encoding="utf-8")
    con = duckdb.connect(str(wh), read_only=True)
    status, error = con.execute("select status, error from dq.runs").fetchone()
    assert status == "failed" and "NEWSFLOW_DUCKDB_MEMORY_LIMIT" in error
    assert con.execute("select count(*) from core.articles").fetchone()[0] == 0
    dashboard = (tmp_path / "oom.reports" / "dashboard.html").read_text(encoding="utf-8")
    assert "ran out of its memory limit" in dashboard


def _corpus(folder, n: int):
    """n distinct small text pages (a seed-like article each)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = (EXAMPLES / "harbour-courier-port-strike.txt").read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"page-{i:03d}.txt").write_text(base + f"\nCopy {i} of the story.\n", encoding="utf-8")
    return folder


def test_a_run_after_a_killed_one_takes_its_usual_time(tmp_path):
    corpus = _corpus(tmp_path / "pages", 120)
    wh = tmp_path / "k.duckdb"
    env = default_env(tmp_path / "prefect")
    proc = subprocess.Popen(newsflow_command() + ["run", str(corpus), "--warehouse", str(wh),
                                                  "--batch-size", "10", "-v"],  # batch lines
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # killed once two batches are in
        line = proc.stderr.readline()
        if "batch 2 (10 documents) loaded" in line or not line:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    rerun = run_cli(["run", str(corpus), "--warehouse", str(wh), "--lock-wait", "60"], env)
    assert rerun.rc == 0, rerun.stderr[-2000:]
    assert rerun.seconds < 50, rerun.seconds  # no 60 s wait for a slot the killed run held
    assert "concurrency slot" not in rerun.stderr
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from mart.articles").fetchone()[0] == 120
    aborted = con.execute("select run_id, docs_loaded, error from dq.runs where status = 'aborted'").fetchall()
    assert len(aborted) == 1
    run_id, loaded, error = aborted[0]
    assert loaded == con.execute("select count(*) from core.articles where run_id = ?", [run_id]).fetchone()[0]
    assert loaded >= 20 and "stopped before the run finished" in error


def test_a_staged_run_does_not_claim_it_loaded(tmp_path):
    corpus = _corpus(tmp_path / "pages", 5)
    wh = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(300)", str(wh)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        staged = run_cli(["run", str(corpus), "--warehouse", str(wh), "--lock-wait", "1"],
                         default_env(tmp_path / "prefect"))
    finally:
        holder.kill()
        holder.wait(30)
    assert staged.rc == 3
    assert "  loaded            0" in staged.stdout and "  staged            5" in staged.stdout


def test_a_changed_file_without_url_is_a_linked_version_and_mart_shows_the_latest(tmp_path):
    corpus = _corpus(tmp_path / "pages", 1)
    page = corpus / "page-000.txt"
    wh = tmp_path / "v.duckdb"
    env = default_env(tmp_path / "prefect")
    assert run_cli(["run", str(corpus), "--warehouse", str(wh)], env).rc == 0
    page.write_text(page.read_text(encoding="utf-8").replace("48 hours", "72 hours"),
                    encoding="utf-8")
    assert run_cli(["run", str(corpus), "--warehouse", str(wh)], env).rc == 0
    con = duckdb.connect(str(wh), read_only=True)
    rows = con.execute("select doc_id, previous_doc_id from raw.documents order by loaded_at").fetchall()
    assert len(rows) == 2 and rows[0][1] is None and rows[1][1] == rows[0][0]
    shown = con.execute("select doc_id, previous_doc_id, text from mart.articles").fetchall()
    assert [(d, p) for d, p, _ in shown] == [(rows[1][0], rows[0][0])]
    assert "72 hours" in shown[0][2] and "48 hours" not in shown[0][2]
