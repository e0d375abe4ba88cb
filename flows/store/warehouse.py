"""The DuckDB warehouse behind a small interface: connect, migrate, load, record runs.

DuckDB lets one process hold a database file; a second one fails at once with "Could not
set lock on file", even read-only. Every connection here therefore retries with backoff
for a bounded time and then raises `WarehouseBusy` with a message that says what to do.
All SQL lives in `sql/` and every value is a bound parameter or a registered frame.
"""
from __future__ import annotations

import json
import logging
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from flows.config import MIB, default_checkpoint_threshold, parse_size
from flows.stages.load import LoadBatch

log = logging.getLogger(__name__)

LOCK_MARKERS = ("could not set lock", "conflicting lock", "lock on file")


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file for longer than we were willing to wait."""


def _is_lock_error(exc: Exception) -> bool:
    return any(m in str(exc).lower() for m in LOCK_MARKERS)


# Rows per row group in the writer's tables (DuckDB's smallest; its default is 122,880).
# A checkpoint rewrites the last, still open row group of each table it appends to: with
# DuckDB's size that was every page stored so far in raw.documents, so each checkpoint
# cost more than the last and needed the whole group in the buffer pool. A 256 MB pool (the
# default on a machine with 16 GB or less) crashed a 5,000-page all-HTML load at 2,178
# pages ("failed to pin block", the database invalidated). With groups of 2,048 rows a
# checkpoint rewrites at most one small group (still up to ~350 MB of 170 KB pages, so it
# is not free: `default_checkpoint_threshold`), and the same load completes in a 256 MB
# pool, and 1,000 pages in 128 MB (tests/reliability/test_volume.py).
ROW_GROUP_SIZE = 2048


def connect(path: Path, *, read_only: bool = False, wait_s: float = 60.0,
            memory_limit: str | None = None, temp_directory: Path | None = None
            ) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting with backoff while another process holds it.
    `memory_limit` caps DuckDB's buffer pool; beyond it DuckDB spills to `temp_directory`.
    The writer attaches the file with small row groups (`ROW_GROUP_SIZE`) as the default
    catalog `warehouse`, so `raw.documents` and every other name resolve as before; with a
    limit it checkpoints every quarter pool of log (`default_checkpoint_threshold`)."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.2
    config = {"memory_limit": memory_limit} if memory_limit else {}
    if memory_limit and not read_only:
        threshold = default_checkpoint_threshold(parse_size(memory_limit))
        config["checkpoint_threshold"] = f"{threshold // MIB}MiB"
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    while True:
        try:
            if read_only:
                return duckdb.connect(str(path), read_only=True, config=config)
            return _attach_writer(path, config)
        except duckdb.Error as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseBusy(
                        f"the warehouse {path} is held by another process (a DuckDB session, a "
                        f"notebook or another newsflow run) and stayed locked for {wait_s:.0f} s. "
                        "Close that session (or query a copy of the file) and run again."
                    ) from exc
                raise
            log.info("warehouse %s is locked; retrying in %.1f s", path, delay)
            time.sleep(delay + random.uniform(0, delay / 4))
            delay = min(delay * 2, 5.0)


def _attach_writer(path: Path, config: dict) -> duckdb.DuckDBPyConnection:
    # ATTACH takes no bound parameters; the path is the user's warehouse setting, quoted.
    con = duckdb.connect(":memory:", config=config)
    try:
        quoted = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"attach {quoted} as warehouse (row_group_size {ROW_GROUP_SIZE})")
        con.execute("use warehouse")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def open_warehouse(path: Path, *, read_only: bool = False, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only, wait_s=wait_s)
    try:
        yield con
    finally:
        con.close()


def sql_files(sql_dir: Path, sub: str) -> list[Path]:
    return sorted((sql_dir / sub).rglob("*.sql"))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back when it raises."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame) -> Iterator[str]:
    """`frame` visible to SQL as `name` for the block (bulk inserts read from it)."""
    con.register(name, frame)
    try:
        yield name
    finally:
        con.unregister(name)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame) -> None:
    """Replace the rows of `table` (a name from our own code, never from input) with
    `frame`, matched by column name, in one transaction."""
    with transaction(con):
        con.execute(f"delete from {table}")
        if len(frame):
            with registered(con, "replacement_frame", frame):
                con.execute(f"insert into {table} by name select * from replacement_frame")


def migrate(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Apply the idempotent DDL, then (re)create every view. Views are created in
    schema order (core, dq, mart) and alphabetically, so a view may build on earlier ones."""
    with transaction(con):
        for f in sql_files(sql_dir, "ddl"):
            con.execute(f.read_text(encoding="utf-8"))
        for f in view_files(sql_dir):
            con.execute(f.read_text(encoding="utf-8"))
    # Write the schema into the database file now, so the write-ahead log only ever holds
    # batches. DuckDB 1.5.5 cannot replay an `alter table ... add column` on a table with a
    # `default current_timestamp` column: after a kill -9 such a WAL makes the file
    # unopenable ("Failure while replaying WAL file").
    con.execute("checkpoint")


def view_files(sql_dir: Path) -> list[Path]:
    order = {"core": 0, "dq": 1, "mart": 2}
    files = sql_files(sql_dir, "views")
    return sorted(files, key=lambda p: (order.get(p.parent.name, 9), p.name))


def known_doc_ids(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> set[str]:
    """Which of these documents are already in the warehouse (loaded or quarantined)."""
    ids = list({d for d in doc_ids if d})
    if not ids:
        return set()
    rows = con.execute(
        "select doc_id from raw.documents where doc_id in (select unnest($ids)) "
        "union select doc_id from dq.quarantine where doc_id in (select unnest($ids))",
        {"ids": ids},
    ).fetchall()
    return {r[0] for r in rows}


def unchanged_sources(con: duckdb.DuckDBPyConnection, stats: dict[str, tuple[int, int]]
                      ) -> dict[str, str]:
    """The files (source_uri -> (size, mtime_ns) now) that a run already read with the same
    size and modification time, with the skip reason: `already_loaded` when the document
    they held is stored, else `already_quarantined`."""
    if not stats:
        return {}
    rows = con.execute(
        "select s.source_uri, s.byte_size, s.mtime_ns, d.doc_id is not null from raw.sources s "
        "left join raw.documents d on d.doc_id = s.doc_id "
        "where s.source_uri in (select unnest($uris))", {"uris": list(stats)}).fetchall()
    return {uri: "already_loaded" if stored else "already_quarantined"
            for uri, size, mtime, stored in rows if stats.get(uri) == (size, mtime)}


def known_quarantine_ids(con: duckdb.DuckDBPyConnection, qids: Iterable[str]) -> set[str]:
    ids = list(set(qids))
    if not ids:
        return set()
    rows = con.execute("select quarantine_id from dq.quarantine where quarantine_id in (select unnest($ids))",
                       {"ids": ids}).fetchall()
    return {r[0] for r in rows}


# Rows derived from a document, deleted before `--reprocess` writes them again.
DERIVED_TABLES = ("core.articles", "core.paragraphs", "core.removed_lines",
                  "core.detection_evidence", "core.citations", "dq.quarantine")


# Columns handed to DuckDB as UTF-8 bytes and decoded by the load SQL (`decode(col)`):
# DuckDB converts a non-ASCII Python str to VARCHAR character by character, 1.2 s for
# 1,000 stored pages here, against 0.25 s for Python's encode plus 0.2 s to insert bytes.
UTF8_COLUMNS = {"documents": ("content",)}


def _utf8(value: str | bytes | None) -> bytes | None:
    return value if value is None or isinstance(value, bytes) else value.encode("utf-8")


def load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch, sql_dir: Path,
               replace_doc_ids: Iterable[str] = ()) -> dict[str, int]:
    """Write one batch in one transaction; all or nothing. Returns rows inserted per table.

    With `replace_doc_ids` (reprocessing), those documents' derived rows are deleted first,
    inside the same transaction, so a re-derivation is all-or-nothing and idempotent.
    """
    import pandas as pd

    inserted: dict[str, int] = {}
    replace_ids = list(replace_doc_ids)
    with transaction(con):
        if replace_ids:
            for table in DERIVED_TABLES:  # names from the constant above, never from input
                con.execute(f"delete from {table} where doc_id in (select unnest($ids))",
                            {"ids": replace_ids})
        for name, rows in batch.tables().items():
            if not rows:
                continue
            for col in UTF8_COLUMNS.get(name, ()):
                rows = [{**r, col: _utf8(r[col])} for r in rows]
            with registered(con, f"batch_{name}", pd.DataFrame(rows)):
                sql = (sql_dir / "load" / f"{name}.sql").read_text(encoding="utf-8")
                res = con.execute(sql).fetchone()
                inserted[name] = int(res[0]) if res else 0
    return inserted


def refresh_reference(con: duckdb.DuckDBPyConnection, outlets: list[dict]) -> None:
    """Replace ref.outlets with the registry as loaded from its data file: one insert with
    bound parameters (column names are the registry rows' keys, from our own code). No
    DataFrame: a run with nothing new to load then never imports pandas (0.27 -> 0.03 s).
    When the table already holds exactly these rows nothing is written: DuckDB binds the
    insert's ~2,000 parameters slowly (0.2-0.3 s, most of what a re-run of unchanged inputs
    spends in the warehouse), and reading the table back takes a few milliseconds."""
    if _stored_outlets(con, outlets) == _outlet_rows(outlets):
        return
    with transaction(con):
        con.execute("delete from ref.outlets")
        if outlets:
            cols = list(outlets[0])
            row = "(" + ", ".join(["?"] * len(cols)) + ")"
            con.execute(f"insert into ref.outlets ({', '.join(cols)}) values "
                        + ", ".join([row] * len(outlets)), [r[c] for r in outlets for c in cols])


def _outlet_rows(outlets: list[dict]) -> set[tuple]:
    return {_hashable(r.values()) for r in outlets}


def _stored_outlets(con: duckdb.DuckDBPyConnection, outlets: list[dict]) -> set[tuple] | None:
    """ref.outlets' rows in the registry rows' column order (None when there is no row to
    tell the columns from)."""
    if not outlets:
        return None
    rows = con.execute(f"select {', '.join(outlets[0])} from ref.outlets").fetchall()
    return {_hashable(r) for r in rows}


def _hashable(values) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, inputs: list[str]) -> None:
    con.execute(
        "insert into dq.runs (run_id, flow_run_id, started_at, status, inputs) "
        "values ($run_id, $flow_run_id, current_timestamp, 'running', $inputs)",
        {"run_id": run_id, "flow_run_id": flow_run_id, "inputs": json.dumps(inputs)},
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, summary: dict) -> None:
    con.execute(
        "update dq.runs set finished_at = current_timestamp, status = $status, "
        "docs_seen = $seen, docs_loaded = $loaded, docs_skipped = $skipped, "
        "docs_quarantined = $quarantined, summary_json = $summary, error = $error "
        "where run_id = $run_id",
        {"run_id": run_id, "status": status, "error": summary.get("message") if status == "failed" else None,
         "seen": summary.get("seen", 0),
         "loaded": summary.get("loaded", 0), "skipped": summary.get("skipped", 0),
         "quarantined": summary.get("quarantined", 0), "summary": json.dumps(summary)},
    )


def record_validation(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict]) -> None:
    import pandas as pd

    if not rows:
        return
    frame = pd.DataFrame([{**r, "run_id": run_id} for r in rows])
    with registered(con, "validation_frame", frame):
        con.execute("insert or replace into dq.validation_results by name select * from validation_frame")


def abort_stale_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs left 'running' by a killed process as 'aborted', with the counts of what
    they did load (whole batches: each is one transaction). Call while holding the write
    lock: no other process can be running a load then, so every such row is stale."""
    n = con.execute("select count(*) from dq.runs where status = 'running'").fetchone()[0]
    if n:
        con.execute(
            "update dq.runs r set status = 'aborted', finished_at = current_timestamp, "
            "docs_loaded = (select count(*) from core.articles a where a.run_id = r.run_id), "
            "docs_quarantined = (select count(*) from dq.quarantine q where q.run_id = r.run_id), "
            "error = 'the process stopped before the run finished (killed, or the machine went "
            "down); the batches it loaded are kept, a new run does the rest' "
            "where status = 'running'")
        log.warning("marked %d run(s) left running by a stopped process as aborted", n)
    return int(n)


# ---------------------------------------------------------------- staging (warehouse busy)

def stage_batch(staging_dir: Path, run_id: str, seq: int, batch: LoadBatch) -> Path:
    """Keep one batch's rows as `staging/<run_id>/batch-NNNNN.json.gz` (written atomically),
    for when another process holds the warehouse. JSON keeps every value exactly (text,
    ints, floats, nulls), so loading it later writes the same rows as a direct load."""
    import gzip

    folder = Path(staging_dir) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"batch-{seq:05d}.json.gz"
    tmp = final.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(batch.tables(), f, default=_json_text)
    tmp.replace(final)
    return final


def _json_text(value):
    """A value JSON has no type for: the UTF-8 bytes of a packed page's content, as text."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def stage_run(staging_dir: Path, run_id: str, inputs: list[str], summary: dict) -> None:
    folder = Path(staging_dir) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "run.json.tmp"
    tmp.write_text(json.dumps({"run_id": run_id, "inputs": inputs, "summary": summary}), encoding="utf-8")
    tmp.replace(folder / "run.json")


def staged_batches(staging_dir: Path) -> list[Path]:
    return sorted(Path(staging_dir).glob("*/batch-*.json.gz"))


def load_staged(con: duckdb.DuckDBPyConnection, staging_dir: Path, sql_dir: Path) -> int:
    """Load batches staged by runs that could not get the warehouse, oldest first; one
    transaction per batch, then delete the file. Idempotent inserts make a repeat safe.
    Returns the number of batches loaded."""
    import gzip

    staging_dir = Path(staging_dir)
    if not staging_dir.is_dir():
        return 0
    n = 0
    for folder in sorted(p for p in staging_dir.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("batch-*.json.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                tables = json.load(fh)
            load_batch(con, LoadBatch(**tables), sql_dir)
            f.unlink()
            n += 1
        run_file = folder / "run.json"
        if run_file.exists():
            meta = json.loads(run_file.read_text(encoding="utf-8"))
            s = meta.get("summary", {})
            con.execute(
                "insert or ignore into dq.runs (run_id, flow_run_id, started_at, finished_at, status, "
                "inputs, docs_seen, docs_loaded, docs_skipped, docs_quarantined, summary_json) "
                "values ($run_id, $run_id, current_timestamp, current_timestamp, 'loaded_from_staging', "
                "$inputs, $seen, $loaded, $skipped, $quarantined, $summary)",
                {"run_id": meta["run_id"], "inputs": json.dumps(meta.get("inputs", [])),
                 "seen": s.get("seen", 0), "loaded": s.get("loaded", 0),
                 "skipped": s.get("skipped", 0), "quarantined": s.get("quarantined", 0),
                 "summary": json.dumps(s)})
            run_file.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
    if n:
        log.warning("loaded %d batch(es) staged by earlier runs that could not get the warehouse", n)
    return n


# ---------------------------------------------------------------- reprocess

def stored_doc_ids(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(doc_id, stored size) of every stored document, for `--reprocess`."""
    return con.execute("select doc_id, byte_size from raw.documents "
                       "order by doc_id").fetchall()


def learned_templates(con: duckdb.DuckDBPyConnection, min_docs: int = 3) -> dict[str, frozenset[str]]:
    """Per site, the fingerprints of lines seen on at least `min_docs` distinct pages."""
    out: dict[str, set[str]] = {}
    for site, fp in con.execute("select site_key, fingerprint from core.line_templates "
                                "where doc_count >= $n", {"n": min_docs}).fetchall():
        out.setdefault(site, set()).add(fp)
    return {k: frozenset(v) for k, v in out.items()}


def known_urls(con: duckdb.DuckDBPyConnection, urls: Iterable[str]) -> set[str]:
    """Which of these URLs some stored document already has."""
    wanted = list({u for u in urls if u})
    if not wanted:
        return set()
    return {r[0] for r in con.execute("select distinct url from raw.documents where url in "
                                      "(select unnest($u))", {"u": wanted}).fetchall()}


def quarantined_doc_ids(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(doc_id, stored size) of the quarantined documents whose decoded content is stored
    (the ones a retry can re-derive; read-stage rejections depend only on the bytes: fix
    the source and run it again)."""
    return con.execute(
        "select doc_id, d.byte_size from raw.documents d "
        "where doc_id in (select doc_id from dq.quarantine) order by doc_id").fetchall()


def stored_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> list[dict]:
    cur = con.execute(
        "select doc_id, source_uri, url, content_type, encoding, byte_size, content "
        "from raw.documents where doc_id in (select unnest($ids)) order by doc_id", {"ids": doc_ids})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
