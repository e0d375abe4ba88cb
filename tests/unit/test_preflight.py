"""The checks `newsflow run` and `serve` make before Prefect starts, and the shared options."""
import argparse
import builtins
import errno

import pytest

from flows.commands import preflight
from flows.commands.cli import build_parser, _modules
from flows.commands import run as run_cmd
from flows.commands.options import run_overrides
from flows.commands.serve import deployment_options


def parse(argv):
    return build_parser(_modules()).parse_args(argv)


def test_inputs_that_exist_or_match_pass(tmp_path):
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    assert preflight.check_inputs([str(tmp_path / "a.html"), str(tmp_path / "sub"),
                                   str(tmp_path / "dangling"), str(tmp_path / "*.html")]) is None


def test_a_wrong_path_or_an_empty_glob_is_named(tmp_path):
    msg = preflight.check_inputs([str(tmp_path), str(tmp_path / "nope")])
    assert msg.startswith(f"input '{tmp_path / 'nope'}' is not a file, a directory or a glob")
    assert "check the path" in preflight.check_inputs([str(tmp_path / "*.warc")])


def test_a_new_warehouse_in_a_missing_folder_is_fine(tmp_path):
    assert preflight.check_warehouse(tmp_path / "deep" / "er" / "news.duckdb") is None
    assert list(tmp_path.iterdir()) == []  # the probe left nothing behind


def test_a_folder_a_file_parent_or_another_file_is_refused(tmp_path):
    assert "is a folder" in preflight.check_warehouse(tmp_path)
    (tmp_path / "file").write_text("x")
    assert "is not a folder" in preflight.check_warehouse(tmp_path / "file" / "news.duckdb")
    (tmp_path / "notes.duckdb").write_text("not a database at all")
    assert "is not a DuckDB database" in preflight.check_warehouse(tmp_path / "notes.duckdb")


def test_a_real_duckdb_file_and_an_empty_file_pass(tmp_path):
    import duckdb

    duckdb.connect(str(tmp_path / "w.duckdb")).close()
    assert preflight.check_warehouse(tmp_path / "w.duckdb") is None
    (tmp_path / "empty.duckdb").write_bytes(b"")
    assert preflight.check_warehouse(tmp_path / "empty.duckdb") is None


def test_a_read_only_warehouse_or_folder_is_refused(tmp_path, monkeypatch):
    """As root every file is writable, so the OS's refusal is simulated."""
    import duckdb

    duckdb.connect(str(tmp_path / "w.duckdb")).close()
    real_open = builtins.open

    def read_only_open(path, mode="r", *a, **kw):
        if "+" in mode or "w" in mode:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", read_only_open)
    msg = preflight.check_warehouse(tmp_path / "w.duckdb")
    assert msg == (f"the warehouse {tmp_path / 'w.duckdb'} cannot be written (Permission denied); "
                   "choose a writable --warehouse")

    def no_create(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(preflight.tempfile, "mkstemp", no_create)
    msg = preflight.check_warehouse(tmp_path / "new.duckdb")
    assert "cannot be created: its folder is not writable (Read-only file system)" in msg


@pytest.mark.parametrize("argv, words", [
    (["run", "--batch-size", "0"], "--batch-size: must be 1 or more"),
    (["run", "--workers", "two"], "--workers: not a whole number"),
    (["run", "--doc-timeout", "-1"], "--doc-timeout: must be a number of seconds"),
    (["run", "--batch-bytes", "lots"], "--batch-bytes: not a size"),
    (["run", "--duckdb-memory-limit", "12"], "too small for DuckDB"),
    (["run", "--dask-address", "tcp://a b"], "not a scheduler address"),
    (["serve", "--interval", "5", "--lock-wait", "x"], "--lock-wait: not a number"),
])
def test_a_bad_option_value_is_one_line_and_exit_2(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:
        parse(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


def test_a_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_BATCH_SIZE", "lots")
    settings, problem = run_cmd.preflight(parse(["run", "--warehouse", "/tmp/x.duckdb"]))
    assert settings is None and problem == "NEWSFLOW_BATCH_SIZE='lots' is not a valid value"


def test_preflight_passes_good_arguments(tmp_path):
    args = parse(["run", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"), "--workers", "0"])
    settings, problem = run_cmd.preflight(args)
    assert problem is None and settings.workers == 0


def test_run_and_serve_share_the_run_options():
    def options(cmd):
        sub = next(a for a in build_parser(_modules())._actions
                   if isinstance(a, argparse._SubParsersAction)).choices[cmd]
        return {s for a in sub._actions for s in a.option_strings}

    shared = {"--warehouse", "--batch-size", "--batch-bytes", "--workers", "--doc-timeout",
              "--lock-wait", "--duckdb-memory-limit", "--dask-address", "-q", "-v"}
    assert shared <= options("run") and shared <= options("serve")


def test_serve_passes_the_options_given_as_deployment_parameters():
    args = parse(["serve", "--interval", "60", "--batch-size", "64", "--workers", "1",
                  "--doc-timeout", "5", "--batch-bytes", "16MB"])
    assert deployment_options(args) == {"batch_size": 64, "workers": 1, "doc_timeout_s": 5.0,
                                        "batch_bytes": 16 * 2**20}
    assert run_overrides(parse(["serve", "--cron", "0 * * * *"])) == {}
