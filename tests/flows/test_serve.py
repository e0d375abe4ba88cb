"""`newsflow serve --interval` under a real Prefect server: scheduled runs are incremental.

Starts `prefect server start` on a free loopback port (the scheduler service must run, which
the session's test harness switches off), then `newsflow serve --interval 5` against it;
both are always stopped. Takes about a minute, most of it Prefect start-up.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from tests.conftest import FIXTURES
from tests.flows.test_faults import make_corpus

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group (the process was
    started in a session of its own), so a flow run that `serve` started in a child
    process stops too instead of outliving the test with the warehouse open."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(15)
    _signal_group(proc, signal.SIGKILL)  # whatever of the group is left


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _runs(path):
    """Completed runs as (started_at, loaded, skipped), or None while a run holds the file."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute("select started_at, docs_loaded, docs_skipped from dq.runs "
                           "where status = 'completed' order by started_at").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


@pytest.fixture
def prefect_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"),
               PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="true",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="1",
               PREFECT_UI_ENABLED="false", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    prefect = shutil.which("prefect", path=os.path.dirname(sys.executable)) or "prefect"
    proc = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 150
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("prefect server did not start")
                time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


def test_serve_runs_on_its_interval_and_loads_only_new_files(prefect_server, tmp_path):
    pages = tmp_path / "in"
    pages.mkdir()
    for name in ("harbour_article.html", "valley_news.txt"):
        shutil.copy(FIXTURES / "pages" / name, pages / name)
    wh = tmp_path / "serve.duckdb"
    env = dict(os.environ, PREFECT_API_URL=prefect_server, PREFECT_RUNNER_POLL_FREQUENCY="1",
               PYTHONPATH=str(PROJECT_ROOT), NEWSFLOW_WORKERS="1", NEWSFLOW_LOCK_WAIT="120")
    serve = subprocess.Popen([sys.executable, "-m", "flows.commands.cli", "serve", str(pages), "--interval", "5",
                              "--warehouse", str(wh)], env=env, cwd=PROJECT_ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        runs = None
        while not runs:
            assert time.monotonic() < deadline and serve.poll() is None, "no scheduled run completed"
            time.sleep(1)
            runs = _runs(wh)
        assert runs[0][1] == 2  # both pages loaded by the first run
        make_corpus(tmp_path / "new", n=1)
        shutil.move(tmp_path / "new" / "story_00.txt", pages / "story_00.txt")
        added = runs[-1][0]
        while True:
            assert time.monotonic() < deadline and serve.poll() is None, "no run after the file was added"
            time.sleep(1)
            runs = _runs(wh) or runs
            if any(r[0] > added and r[1] == 1 for r in runs):
                break
    finally:
        _stop(serve)
    assert len(runs) >= 2
    assert sum(r[1] for r in runs) == 3  # every page loaded exactly once over all runs
    later = [r for r in runs if r[0] > added]
    assert all(r[1] + r[2] in (2, 3) for r in later)
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from core.articles").fetchone()[0] == 3
