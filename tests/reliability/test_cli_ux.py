"""What a user sees from the installed `newsflow` command: one-line errors before Prefect
starts, --version, and plain progress lines when stderr is not a terminal."""
from __future__ import annotations

import re
import subprocess

import pytest

from flows.config import PROJECT_ROOT
from tests.reliability.cli import default_env, newsflow_command, run_cli

pytestmark = pytest.mark.slow


def test_a_wrong_path_is_one_line_and_exit_2_at_once(tmp_path):
    result = run_cli(["run", "/no/such/path", "--warehouse", str(tmp_path / "w.duckdb")],
                     default_env(tmp_path / "prefect"), timeout=30)
    assert result.rc == 2
    assert result.seconds < 2, f"took {result.seconds:.1f} s"
    assert result.stderr.splitlines() == [
        "newsflow: input '/no/such/path' is not a file, a directory or a glob that matches "
        "any file; check the path"]
    assert not (tmp_path / "prefect").exists()  # Prefect never started


def test_an_unusable_warehouse_and_a_bad_option_are_one_line_each(tmp_path):
    env = default_env(tmp_path / "prefect")
    (tmp_path / "notes.txt").write_text("x")
    for args, words in [(["run", "--warehouse", str(tmp_path)], "is a folder"),
                        (["run", "--warehouse", str(tmp_path / "notes.txt" / "w.duckdb")],
                         "is not a folder"),
                        (["run", "--batch-size", "0"], "--batch-size: must be 1 or more")]:
        result = run_cli(args, env, timeout=30)
        assert result.rc == 2 and result.seconds < 2, (args, result)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and words in lines[0], (args, lines)


def test_version():
    out = subprocess.run(newsflow_command() + ["--version"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0
    assert re.fullmatch(r"newsflow \d+\.\d+\.\d+\n", out.stdout), out.stdout


def test_a_run_without_a_terminal_prints_plain_progress_lines(tmp_path):
    env = default_env(tmp_path / "prefect")
    env["NEWSFLOW_WORKERS"] = "1"
    result = run_cli(["run", str(PROJECT_ROOT / "examples"), "--warehouse",
                      str(tmp_path / "w.duckdb")], env, timeout=300)
    assert result.rc == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr  # no live line
    assert lines[0] == "newsflow: starting Prefect's temporary API and loading the pipeline…"
    assert "newsflow: listing inputs…" in lines
    assert "newsflow: 13 documents to go through" in lines
    final = [line for line in lines if re.fullmatch(
        r"newsflow: 13/13 documents \(100 %\), [\d.]+ docs/s, in \d+:\d\d, 0 quarantined", line)]
    assert len(final) == 1, lines
    assert not any(re.match(r"newsflow: batch \d+", line) for line in lines)
    assert "loaded           13" in result.stdout
    # the same lines reached the flow run's log in Prefect's database (they were lost when
    # the exit handler's drain timed out)
    import sqlite3

    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as db:
        logged = [m for (m,) in db.execute("select message from log")]
    assert "13/13 documents (100 %)" in " ".join(logged) and any("run completed" in m for m in logged), logged
    # -q: the summary only
    quiet = run_cli(["run", str(PROJECT_ROOT / "examples"), "--warehouse",
                     str(tmp_path / "w.duckdb"), "-q"], env, timeout=300)
    assert quiet.rc == 0 and "documents (" not in quiet.stderr, quiet.stderr
    assert "skipped          13" in quiet.stdout
