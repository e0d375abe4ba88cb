"""`newsflow dashboard`: write the data-quality dashboard (one offline HTML page)."""
from __future__ import annotations

import sys
from pathlib import Path

from flows.config import Settings


def register(sub) -> None:
    d = sub.add_parser("dashboard", help="write the data-quality dashboard (one HTML file)",
                       description="Read the warehouse (read-only) and write one self-contained "
                                   "HTML page: documents per run, pass rate per expectation, "
                                   "quarantine reasons, articles by outlet and language, "
                                   "boilerplate share, the latest quarantined documents. "
                                   "Prints the path of the page.")
    d.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    d.add_argument("--out", metavar="PATH", help="where to write the page "
                                                 "(default: <warehouse stem>.reports/dashboard.html "
                                                 "beside the warehouse, e.g. warehouse/news.reports/)")


def main(args) -> int:
    settings = Settings.from_env(args.warehouse)
    from flows.reports.dashboard import write_dashboard
    from flows.store.warehouse import WarehouseBusy

    out = Path(args.out).resolve() if args.out else settings.dashboard_path
    try:
        path = write_dashboard(settings.warehouse, out, wait_s=settings.lock_wait_s,
                               expectations_dir=settings.expectations_dir)
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 3
    print(path)
    return 0
