"""Make the DuckDB shell (`.venv/bin/duckdb`, from the `duckdb-cli` package) load the
full-text-search extension offline.

The `duckdb-extension-fts` wheel ships `fts.duckdb_extension` for the pinned DuckDB; the
shell's launcher adds `<site-packages>/.duckdb_extensions` to DuckDB's
`extension_directories`. This script runs DuckDB's own `INSTALL '<file>'` from the local
file into that directory (no download), then checks that `LOAD fts` works with extension
auto-install switched off. Run by `make setup`; safe to run again.

    .venv/bin/python tools/install_duckdb_fts.py
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"install_duckdb_fts: the package {name} is not installed (make setup installs it)")
    return Path(list(spec.submodule_search_locations)[0])


def cli_binary() -> Path:
    """The shell itself, not its Python launcher (which only adds the directory above)."""
    return _package_dir("duckdb_cli") / "duckdb"


def cli_extension_dir() -> Path:
    """Where the `duckdb-cli` launcher looks for pip-managed extensions."""
    return _package_dir("duckdb_cli").parent / ".duckdb_extensions"


def fts_file(version: str) -> Path:
    path = _package_dir("duckdb_extension_fts") / "extensions" / f"v{version}" / "fts.duckdb_extension"
    if not path.exists():
        sys.exit(f"install_duckdb_fts: no fts extension for DuckDB {version} at {path}; "
                 "pin duckdb-extension-fts to the duckdb-cli release")
    return path


def _sql_literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _shell(sql: str) -> str:
    out = subprocess.run([str(cli_binary()), "-batch", "-noheader", "-list", "-c", sql],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        sys.exit(f"install_duckdb_fts: the DuckDB shell failed: {out.stderr.strip()}")
    return out.stdout.strip()


def main() -> int:
    version = _shell("select version()").lstrip("v")
    target = cli_extension_dir()
    target.mkdir(parents=True, exist_ok=True)
    _shell(f"set extension_directory = {_sql_literal(target)}; "
           f"force install {_sql_literal(fts_file(version))}")
    loaded = _shell(f"set autoinstall_known_extensions = false; "
                    f"set extension_directory = {_sql_literal(target)}; load fts; "
                    "select loaded from duckdb_extensions() where extension_name = 'fts'")
    if loaded != "true":
        sys.exit(f"install_duckdb_fts: fts installed into {target} but does not load")
    print(f"DuckDB shell {version}: fts installed offline into {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
