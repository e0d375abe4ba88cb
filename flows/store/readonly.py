"""Reading the warehouse while a run may be writing it.

DuckDB lets one process hold a database file; while `newsflow run` (or anyone else) has it
open for writing, opening it from a second process fails at once with "Could not set lock on
file", even read-only. Readers therefore (1) open read-only, hold the file briefly and retry
with backoff while it is locked, or (2) query a snapshot: a copy of the whole database written
after a run, which nothing else ever locks for writing.
"""
from __future__ import annotations

import logging
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from flows.store.warehouse import LOCK_MARKERS, WarehouseBusy

log = logging.getLogger(__name__)



class WarehouseMissing(FileNotFoundError):
    """There is no warehouse file at the path given."""


def _is_lock_error(exc: Exception) -> bool:
    return any(m in str(exc).lower() for m in LOCK_MARKERS)


def open_readonly(path: Path, *, wait_s: float = 30.0,
                  on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; while another process holds it, retry with backoff for
    up to `wait_s` seconds (calling `on_wait(message)` once), then raise `WarehouseBusy`."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `newsflow run` first, or pass --warehouse")
    deadline = time.monotonic() + wait_s
    delay, told = 0.2, False
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"the warehouse {path} is locked by another process (most likely a newsflow "
                    f"run, or a DuckDB session opened without -readonly) and stayed locked for "
                    f"{wait_s:.0f} s. Try again when the run has finished, or query a snapshot "
                    "(see docs/querying.md, 'Querying safely while a schedule runs').") from exc
            if not told and on_wait is not None:
                on_wait(f"the warehouse {path} is locked by another process (a run in progress?); "
                        f"retrying for up to {wait_s:.0f} s ...")
                told = True
            log.info("warehouse %s is locked; retrying in %.1f s", path, delay)
            time.sleep(min(delay + random.uniform(0, delay / 4), max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 3.0)


@contextmanager
def readonly(path: Path, *, wait_s: float = 30.0,
             on_wait: Callable[[str], None] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection for the duration of a block; keep the block short."""
    con = open_readonly(path, wait_s=wait_s, on_wait=on_wait)
    try:
        yield con
    finally:
        con.close()


def _literal(value: str) -> str:
    # ATTACH takes no bound parameters (DuckDB's parser rejects `attach ?`), so the file path,
    # which comes from Settings and never from a query, is quoted as a SQL string literal.
    return "'" + value.replace("'", "''") + "'"


def snapshot(con: duckdb.DuckDBPyConnection, dest: Path) -> Path:
    """Copy the database `con` has open (tables, views, macros, search index) to `dest`,
    atomically: written beside it, then renamed over it. Readers that have the old snapshot
    open keep reading the old file; the next open sees the new one."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".{os.getpid()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    source = con.execute("select current_database()").fetchone()[0]
    con.execute(f"attach {_literal(str(tmp))} as newsflow_snapshot (read_only false)")
    try:
        con.execute(f"copy from database \"{source.replace(chr(34), chr(34) * 2)}\" to newsflow_snapshot")
    finally:
        con.execute("detach newsflow_snapshot")
    os.replace(tmp, dest)
    return dest


def snapshot_file(src: Path, dest: Path, *, wait_s: float = 60.0) -> Path:
    """Open `src` read-only (waiting while a run holds it) and write its snapshot to `dest`."""
    with readonly(src, wait_s=wait_s) as con:
        return snapshot(con, dest)
