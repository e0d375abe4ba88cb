"""The options `newsflow run` and `newsflow serve` share: one function adds them to both.

Not a sub-command (not in COMMANDS). Standard library and `flows.config` only, so `--help`
stays instant. Values are checked as they are parsed: a bad one is one line and exit 2.
"""
from __future__ import annotations

import argparse

from flows.config import Settings, parse_size

# The Settings fields these options set (flow parameters of a served run).
SETTINGS_FIELDS = {"batch_size": "batch_size", "batch_bytes": "batch_bytes",
                   "workers": "workers", "doc_timeout": "doc_timeout_s",
                   "lock_wait": "lock_wait_s", "duckdb_memory_limit": "duckdb_memory_limit",
                   "dask_address": "dask_address"}


def add_run_options(r: argparse.ArgumentParser, *, serve: bool = False) -> None:
    """--warehouse, batch sizes, workers, timeouts, Dask, -q/-v: the same for `run` and `serve`."""
    r.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    r.add_argument("--batch-size", type=positive_int, metavar="N",
                   help="documents per batch (default 512; the last batches of a run are smaller)")
    r.add_argument("--batch-bytes", type=size, metavar="SIZE",
                   help="raw bytes per batch, e.g. 64MB (default: a twelfth of DuckDB's memory limit); "
                        "a batch is loaded in one transaction that must fit in that limit")
    r.add_argument("--duckdb-memory-limit", type=memory_limit, metavar="SIZE",
                   help="DuckDB's buffer pool for the run, e.g. 1GB (default: 1/64 of this machine's "
                        "memory, 256MB to 1GB; env NEWSFLOW_DUCKDB_MEMORY_LIMIT); beyond it DuckDB "
                        "spills to PATH.tmp beside the warehouse")
    r.add_argument("--workers", type=non_negative_int, metavar="N",
                   help="worker processes for cleaning (default: one per core; 0 = in-process, no timeout)")
    r.add_argument("--doc-timeout", type=non_negative_float, metavar="SECONDS",
                   help="stop and quarantine (reason 'timeout') a page whose cleaning takes longer (default 30)")
    r.add_argument("--lock-wait", type=non_negative_float, metavar="SECONDS",
                   help="how long to wait for a warehouse held by another process before staging "
                        "the run's batches under warehouse/staging/ (default 60)")
    r.add_argument("--dask-address", type=dask_address, metavar="ADDR",
                   help="run cleaning and detection on this existing Dask scheduler "
                        "(tcp://host:8786) instead of local worker processes")
    if serve:
        r.add_argument("-q", "--quiet", action="store_true",
                       help="the runs log no progress lines, only their summary")
        r.add_argument("-v", "--verbose", action="store_true",
                       help="Prefect's own INFO logs of the runs, and full tracebacks")
    else:
        r.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary")
        r.add_argument("-v", "--verbose", action="store_true",
                       help="show Prefect's task logs and full tracebacks on the terminal (they always "
                            "go to the run log beside the warehouse, PATH.log)")


def run_overrides(args) -> dict:
    """The Settings fields the options set (options not given are left out)."""
    return {field: getattr(args, opt) for opt, field in SETTINGS_FIELDS.items()
            if getattr(args, opt, None) is not None}


def settings_from_args(args) -> Settings:
    """Settings from NEWSFLOW_* variables, then the options; ValueError names a bad variable."""
    return Settings.from_env(args.warehouse, **run_overrides(args))


# ---------------------------------------------------------------- value types

def positive_int(value: str) -> int:
    n = _int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return n


def non_negative_int(value: str) -> int:
    n = _int(value)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return n


def non_negative_float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not x >= 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {value}")
    return x


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None


def size(value: str) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def memory_limit(value: str) -> str:
    if size(value) < 1024 * 1024:
        raise argparse.ArgumentTypeError(f"{value!r} is too small for DuckDB (write e.g. 512MB or 2GB)")
    return value.strip()  # checked here; DuckDB reads the string itself


def dask_address(value: str) -> str:
    """`tcp://host:8786` or `host:8786` (what dask.distributed.Client accepts)."""
    import re

    if not re.fullmatch(r"(?:[a-z][a-z0-9+.-]*://)?[^\s/:]+(?::\d{1,5})?/?", value.strip(), re.I):
        raise argparse.ArgumentTypeError(f"not a scheduler address: {value!r} (write e.g. tcp://host:8786)")
    return value.strip()
