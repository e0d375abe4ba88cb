"""`newsflow serve`: run the pipeline on a schedule with Prefect's own `serve`.

`serve` registers a deployment of the `newsflow` flow with a cron or interval schedule and
runs each scheduled run in a subprocess until stopped (Ctrl-C). Overlapping runs are kept
apart by the deployment's concurrency limit (1, a run due while one works is cancelled), the `newsflow-warehouse` global
concurrency limit each run holds, and finally the DuckDB file lock. Every run is
incremental: documents already loaded are skipped before extraction.
"""
from __future__ import annotations

import os
import sys

from flows.config import Settings

DEFAULT_NAME = "newsflow-scheduled"


def register(sub) -> None:
    r = sub.add_parser(
        "serve", help="run the pipeline on a schedule (Prefect serve: --cron or --interval)",
        description="Serve the newsflow flow with a schedule: every run reads INPUTs and loads "
                    "what is new. Needs a Prefect API: start one with `prefect server start` and "
                    "set PREFECT_API_URL (see the README, 'Scheduled, incremental runs'). Batch size, workers and timeouts come from "
                    "NEWSFLOW_* environment variables.")
    r.add_argument("inputs", nargs="*", metavar="INPUT")
    when = r.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "0 * * * *" (hourly)')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    r.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default: warehouse/news.duckdb)")
    r.add_argument("--name", default=DEFAULT_NAME, help=f"deployment name (default {DEFAULT_NAME})")


def main(args) -> int:
    settings = Settings.from_env(args.warehouse)
    inputs = [os.path.abspath(i) if os.path.exists(i) else i for i in args.inputs] or \
        [str(settings.examples_dir)]
    from flows.sources import InputError, expand_inputs

    try:
        expand_inputs(inputs)  # fail now on a typo, not at the first scheduled run
    except InputError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        # Prefect's temporary server has no scheduler: runs would never come due.
        print("newsflow: serve needs a Prefect server to schedule runs. Start one with "
              "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api "
              "(see the README, 'Scheduled, incremental runs').", file=sys.stderr)
        return 2

    from flows.run.pipeline import newsflow_run

    newsflow_run.serve(
        name=args.name,
        cron=args.cron,
        interval=args.interval,
        parameters={"inputs": inputs, "warehouse": str(settings.warehouse)},
        # A run due while the previous one still works is cancelled, not queued: the next
        # run picks up whatever it would have loaded.
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        tags=["newsflow"],
        description="Scheduled incremental newsflow run.",
    )
    return 0
