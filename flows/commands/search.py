"""`newsflow search`: full-text search over the loaded articles."""
from __future__ import annotations

import sys

from flows.config import Settings


def register(sub) -> None:
    r = sub.add_parser("search", help="full-text search over the loaded articles",
                       description="Rank articles by how well their title and body match QUERY "
                                   "(BM25 over DuckDB's fts index, rebuilt after every run; "
                                   "articles holding the words as a phrase come first). Prints "
                                   "outlet, date, title and a snippet per hit. Opens the warehouse "
                                   "read-only and waits while a run holds it.")
    r.add_argument("query", metavar="QUERY", help='words to look for, e.g. "false flag"')
    r.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    r.add_argument("--limit", type=int, default=10, metavar="N", help="hits to show (default 10)")


def main(args, out=None) -> int:
    from flows.store.fts import SearchUnavailable
    from flows.store.readonly import WarehouseMissing
    from flows.store.search import format_hits, search
    from flows.store.warehouse import WarehouseBusy

    out = out or sys.stdout
    settings = Settings.from_env(args.warehouse)
    notice = lambda msg: print(f"newsflow: {msg}", file=sys.stderr)  # noqa: E731
    try:
        hits = search(settings.warehouse, args.query, settings.sql_dir, max(1, args.limit),
                      wait_s=settings.lock_wait_s, on_wait=notice)
    except WarehouseBusy as exc:
        notice(str(exc))
        return 3
    except (WarehouseMissing, SearchUnavailable) as exc:
        notice(str(exc))
        return 2
    out.write(format_hits(hits, args.query))
    return 0 if hits else 1
