"""`newsflow quarantine`: what could not become an article, and why (read-only)."""
from __future__ import annotations

import json
import sys

from flows.config import Settings

COUNTS_SQL = """
select reason, stage, count(*) as documents
from dq.quarantine
where $reason is null or reason = $reason
group by reason, stage
order by documents desc, reason, stage
"""

ROWS_SQL = """
select source_uri, stage, reason, detail, failed_expectations, quarantined_at
from dq.quarantine
where $reason is null or reason = $reason
order by quarantined_at desc, source_uri
limit $limit
"""


def register(sub) -> None:
    q = sub.add_parser("quarantine", help="list quarantined documents, counted by reason",
                       description="Read dq.quarantine (read-only): first the number of documents "
                                   "per reason and stage, then the documents themselves, newest "
                                   "first, with the source, stage, reason, detail and the "
                                   "expectations they failed.")
    q.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    q.add_argument("--reason", metavar="R", help="only documents quarantined for this reason")
    q.add_argument("--limit", metavar="N", type=int, default=50,
                   help="documents to list (default 50; 0 lists only the counts)")


def _one_line(text, width: int = 0) -> str:
    """Scraped text on one terminal line: control characters (escape sequences included)
    shown as spaces, never interpreted by the terminal."""
    s = "" if text is None else "".join(" " if (ord(c) < 32 or 0x7f <= ord(c) < 0xa0) else c for c in str(text))
    s = " ".join(s.split())
    return s if not width or len(s) <= width else s[: width - 1] + "…"


def _failed(raw) -> str:
    if not raw:
        return ""
    try:
        names = json.loads(raw)
    except ValueError:
        return _one_line(raw)
    return ", ".join(_one_line(n) for n in names) if isinstance(names, list) else _one_line(raw)


def main(args, out=None) -> int:
    out = out or sys.stdout
    settings = Settings.from_env(args.warehouse)
    if args.limit is not None and args.limit < 0:
        print("newsflow: --limit must be 0 or more", file=sys.stderr)
        return 2
    if not settings.warehouse.exists():
        print(f"newsflow: no warehouse at {settings.warehouse} yet; run `newsflow run` first",
              file=sys.stderr)
        return 2
    from flows.store.warehouse import WarehouseBusy, open_warehouse

    try:
        with open_warehouse(settings.warehouse, read_only=True, wait_s=settings.lock_wait_s) as con:
            has_table = con.execute("select count(*) from information_schema.tables "
                                    "where table_schema = 'dq' and table_name = 'quarantine'").fetchone()[0]
            if not has_table:
                counts, rows = [], []
            else:
                counts = con.execute(COUNTS_SQL, {"reason": args.reason}).fetchall()
                rows = (con.execute(ROWS_SQL, {"reason": args.reason, "limit": args.limit}).fetchall()
                        if args.limit else [])
    except WarehouseBusy as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 3

    w = out.write
    total = sum(n for _, _, n in counts)
    scope = f" for reason {_one_line(args.reason)!r}" if args.reason else ""
    if not total:
        w(f"nothing quarantined{scope} in {settings.warehouse}\n")
        return 0
    w(f"{total} quarantined document{'s' if total != 1 else ''}{scope} in {settings.warehouse}\n\n")
    w(f"  {'documents':>9}  {'stage':<9} reason\n")
    for reason, stage, n in counts:
        w(f"  {n:>9}  {_one_line(stage):<9} {_one_line(reason)}\n")
    if rows:
        shown = f"newest {len(rows)} of {total}" if len(rows) < total else f"all {total}"
        w(f"\n{shown}:\n")
        for source_uri, stage, reason, detail, failed, at in rows:
            w(f"\n  {_one_line(source_uri)}\n")
            w(f"    {_one_line(stage)} / {_one_line(reason)}   ({at:%Y-%m-%d %H:%M:%S})\n")
            if detail:
                w(f"    detail: {_one_line(detail, 300)}\n")
            if failed:
                w(f"    failed: {_failed(failed)}\n")
    if len(rows) < total and args.limit:
        w(f"\n(--limit {args.limit}; more with --limit N, or select * from dq.quarantine)\n")
    return 0
