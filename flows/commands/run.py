"""`newsflow run`: the main job."""
from __future__ import annotations

import logging
import sys

from flows.config import Settings


def register(sub) -> None:
    r = sub.add_parser("run", help="run the pipeline over INPUTs into the warehouse",
                       description="Read INPUTs (files, directories or globs of .txt/.html "
                                   "pages, optionally .gz), clean, detect, validate and load them. "
                                   "With no INPUT, runs on the bundled sample corpus (examples/). "
                                   "Exits 0 even when some documents are quarantined; non-zero "
                                   "only when the run itself failed.")
    r.add_argument("inputs", nargs="*", metavar="INPUT")
    r.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    r.add_argument("--batch-size", type=int, help="documents per batch (default 64)")
    r.add_argument("--workers", type=int, help="worker processes for cleaning (default: one per core)")
    r.add_argument("--dask-address", metavar="ADDR",
                   help="run cleaning on this Dask scheduler (tcp://host:8786) instead of local processes")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary")


def setup_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsflow: %(message)s"))
    lg = logging.getLogger("newsflow")
    lg.handlers[:] = [handler]
    lg.setLevel(logging.WARNING if quiet else logging.INFO)
    lg.propagate = False
    for noisy in ("great_expectations", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def print_summary(s, out=None) -> None:
    w = (out or sys.stdout).write
    w(f"\nnewsflow run {s.run_id}: {s.status}\n")
    w(f"  warehouse    {s.warehouse}\n")
    w(f"  seen         {s.seen:>6}\n")
    w(f"  loaded       {s.loaded:>6}\n")
    w(f"  skipped      {s.skipped:>6}" + (f"   ({_fmt(s.skip_reasons)})" if s.skip_reasons else "") + "\n")
    w(f"  quarantined  {s.quarantined:>6}\n")
    for reason, n in sorted(s.quarantine_reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        w(f"    {n:>5}  {reason}\n")
    if s.warnings:
        w("  warnings (documents loaded; see dq.validation_results):\n")
        for name, n in sorted(s.warnings.items()):
            w(f"    {n:>5}  {name}\n")
    if s.quarantined:
        w("  why: newsflow quarantine --warehouse PATH, or select * from dq.quarantine\n")


def _fmt(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))


def main(args) -> int:
    from flows.stages.read import InputError

    from flows import startup

    settings = Settings.from_env(args.warehouse, batch_size=args.batch_size, workers=args.workers,
                                 dask_address=args.dask_address)
    setup_logging(args.quiet)
    # Before prefect is imported: the API starts while we import. It is stopped at exit,
    # after Prefect's own exit handlers have flushed their events and logs.
    boot = startup.begin()
    from flows import pipeline
    from flows.warehouse import WarehouseBusy

    try:
        boot.ready()
        summary = pipeline.run(list(args.inputs), settings)
    except InputError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 3
    print_summary(summary)
    return 0
