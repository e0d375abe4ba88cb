"""Start-up cost: `--help` stays instant, the early API and the pre-migrated database behave."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from flows.run import startup
from flows.config import LIBRARY_ENVIRONMENT, PROJECT_ROOT


def _python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=60)


def test_help_answers_within_a_second():
    best = float("inf")
    for _ in range(3):  # best of three: a busy CI box should not fail this
        t0 = time.perf_counter()
        out = _python("import sys; from flows.commands.cli import main\n"
                      "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
        best = min(best, time.perf_counter() - t0)
        assert out.returncode == 0, out.stderr
        assert "newsflow" in out.stdout
    assert best <= 1.0, f"newsflow --help took {best:.2f} s"


def test_help_and_startup_import_nothing_heavy():
    out = _python("import sys, contextlib, io\n"
                  "from flows.commands.cli import main\nimport flows.run.startup\n"
                  "with contextlib.redirect_stdout(io.StringIO()):\n"
                  "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
                  "heavy = ('prefect', 'great_expectations', 'trafilatura', 'duckdb', 'pandas', 'distributed')\n"
                  "print(sorted(m for m in heavy if m in sys.modules))")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_library_environment_names_real_prefect_settings():
    from prefect.settings import Settings
    from prefect.settings.legacy import _get_valid_setting_names

    valid = _get_valid_setting_names(Settings)
    unknown = [k for k in LIBRARY_ENVIRONMENT if k.startswith("PREFECT_") and k not in valid]
    assert unknown == []
    names = [*startup.SKIP_ON_CURRENT_DATABASE, *startup.BLOCK_VARS, *startup.MIGRATE_VARS]
    assert [k for k in names if k not in valid] == []


def _template(tmp_path):
    t = tmp_path / "template"
    t.mkdir()
    con = sqlite3.connect(t / startup.DB_NAME)
    con.execute("create table alembic_version (version_num text)")
    con.commit()
    con.close()
    (t / startup.MEMO_NAME).write_text("[memo]\n")
    return t


def test_seed_copies_the_template_into_an_empty_home(tmp_path):
    env = {"PREFECT_HOME": str(tmp_path / "home")}
    assert startup.seed_prefect_home(env, _template(tmp_path)) is True
    home = tmp_path / "home"
    assert sorted(p.name for p in home.iterdir()) == [startup.MEMO_NAME, startup.DB_NAME]
    con = sqlite3.connect(home / startup.DB_NAME)
    assert con.execute("select count(*) from alembic_version").fetchone() == (0,)
    con.close()


def test_seed_never_overwrites_an_existing_database(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / startup.DB_NAME).write_bytes(b"mine")
    env = {"PREFECT_HOME": str(home)}
    assert startup.seed_prefect_home(env, _template(tmp_path)) is False
    assert (home / startup.DB_NAME).read_bytes() == b"mine"


def test_seed_leaves_a_custom_database_alone(tmp_path):
    env = {"PREFECT_HOME": str(tmp_path / "home"),
           "PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://x/y"}
    assert startup.seed_prefect_home(env, _template(tmp_path)) is False
    assert not (tmp_path / "home").exists()


def test_seed_without_a_template_does_nothing(tmp_path):
    env = {"PREFECT_HOME": str(tmp_path / "home")}
    assert startup.seed_prefect_home(env, tmp_path / "missing") is False


def test_a_configured_api_is_used_as_it_is(tmp_path):
    env = {"PREFECT_HOME": str(tmp_path), "PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    boot = startup.begin(env, warm=False)
    assert boot.api is None and env["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    boot.ready()  # nothing to wait for


def test_the_api_url_of_the_active_profile_counts(tmp_path):
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n')
    assert startup.configured_api_url({"PREFECT_HOME": str(tmp_path)}) == "http://10.0.0.5:4200/api"
    assert startup.configured_api_url({"PREFECT_HOME": str(tmp_path / "none")}) is None


def _at_revision(db, revision):
    con = sqlite3.connect(db)
    con.execute("delete from alembic_version")
    con.execute("insert into alembic_version values (?)", (revision,))
    con.commit()
    con.close()


def test_migration_check_skipped_only_at_the_templates_revision(tmp_path):
    template = _template(tmp_path)
    _at_revision(template / startup.DB_NAME, "abc123")
    env = {"PREFECT_HOME": str(tmp_path / "home"), "NEWSFLOW_PREFECT_TEMPLATE": str(template)}
    assert startup.database_is_current(env) is False  # no database yet
    assert startup.seed_prefect_home(env) is True
    assert startup.database_is_current(env) is True  # the seeded copy
    _at_revision(tmp_path / "home" / startup.DB_NAME, "older")
    assert startup.database_is_current(env) is False  # Prefect must migrate it forward
    _at_revision(tmp_path / "home" / startup.DB_NAME, "abc123")
    assert startup.database_is_current({**env, "PREFECT_API_DATABASE_MIGRATE_ON_START": "true"}) is False
    assert startup.database_is_current(
        {**env, "PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://x/y"}) is False
    (tmp_path / "home" / startup.DB_NAME).write_bytes(b"not a database")
    assert startup.database_is_current(env) is False


def test_start_up_checks_skipped_only_on_a_current_database(tmp_path):
    template = _template(tmp_path)
    _at_revision(template / startup.DB_NAME, "abc123")
    env = {"PREFECT_HOME": str(tmp_path / "home"), "NEWSFLOW_PREFECT_TEMPLATE": str(template)}
    assert startup.current_database_settings(env) == {}  # no database: Prefect does it all
    startup.seed_prefect_home(env)
    assert startup.current_database_settings(env) == startup.SKIP_ON_CURRENT_DATABASE
    # A user's own choice about block registration stands; the migration check still goes.
    chosen = {**env, "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "true"}
    assert startup.current_database_settings(chosen) == {"PREFECT_API_DATABASE_MIGRATE_ON_START": "false"}
    _at_revision(tmp_path / "home" / startup.DB_NAME, "older")
    assert startup.current_database_settings(env) == {}


@pytest.mark.slow
def test_temporary_api_starts_on_a_seeded_home_and_stops(tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    api = startup.TemporaryApi(env).start()
    try:
        api.wait_ready(300)
        import urllib.request

        with urllib.request.urlopen(api.url + "/health", timeout=10) as resp:
            assert resp.status == 200
    finally:
        api.stop()
    assert api.process is None


def test_gx_is_warmed_only_when_an_input_changed_after_the_warehouse(tmp_path):
    crawl = tmp_path / "crawl" / "day1"
    crawl.mkdir(parents=True)
    page = crawl / "a.txt"
    page.write_text("x")
    wh = tmp_path / "w.duckdb"
    assert startup.inputs_changed_since([str(tmp_path / "crawl")], wh)  # no warehouse yet
    wh.write_bytes(b"")
    old = wh.stat().st_mtime_ns - 10**9
    os.utime(page, ns=(old, old))
    assert not startup.inputs_changed_since([str(tmp_path / "crawl")], wh)
    assert not startup.inputs_changed_since([str(page)], wh)
    assert startup.inputs_changed_since([], wh)  # default inputs: unknown
    assert startup.inputs_changed_since([str(tmp_path / "crawl" / "*.txt")], wh)  # a glob
    new = wh.stat().st_mtime_ns + 10**9
    (crawl / "b.txt").write_text("y")
    os.utime(crawl / "b.txt", ns=(new, new))
    assert startup.inputs_changed_since([str(tmp_path / "crawl")], wh)


def test_no_flow_heartbeats_for_the_temporary_server():
    """Heartbeats only help a long-lived server spot crashed runs; for the temporary one
    they cost a thread join at flow end. `newsflow run` switches them off around the flow
    when it started the server itself."""
    from prefect.settings import get_current_settings

    from flows.commands.run import _no_heartbeats

    assert get_current_settings().flows.heartbeat_frequency is not None
    with _no_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency is not None


def test_server_output_goes_to_a_log_named_in_the_error(tmp_path):
    # A stand-in for uvicorn that fails at once: its output lands in the log file, and the
    # error a user sees quotes it, so nothing the server said is lost by keeping it off
    # the terminal.
    fake = tmp_path / "fake"
    (fake / "uvicorn").mkdir(parents=True)
    (fake / "uvicorn" / "__init__.py").write_text("")
    (fake / "uvicorn" / "__main__.py").write_text(
        "import sys\nprint('no database here: boom', file=sys.stderr)\nsys.exit(3)\n")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(fake)}
    api = startup.TemporaryApi(env).start()
    with pytest.raises(RuntimeError) as err:
        api.wait_ready(60)
    assert "exited (code 3)" in str(err.value) and "boom" in str(err.value)
    assert str(api.log_path) in str(err.value)
    assert "boom" in api.log_path.read_text()
    api.stop()
