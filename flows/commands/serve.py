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

from flows.commands.options import add_run_options, run_overrides, settings_from_args

DEFAULT_NAME = "newsflow-scheduled"


def register(sub) -> None:
    r = sub.add_parser(
        "serve", help="run the pipeline on a schedule (Prefect serve: --cron or --interval)",
        description="Serve the newsflow flow with a schedule: every run reads INPUTs and loads "
                    "what is new. Needs a Prefect API: start one with `prefect server start` and "
                    "set PREFECT_API_URL (see docs/scheduling.md). The run options "
                    "(batch size, workers, timeouts ...) are those of `newsflow run`; they become "
                    "the deployment's parameters (run_options), over the NEWSFLOW_* environment "
                    "variables. Each run logs its progress and summary to Prefect (the UI's run page).")
    r.add_argument("inputs", nargs="*", metavar="INPUT")
    when = r.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "0 * * * *" (hourly)')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    r.add_argument("--name", default=DEFAULT_NAME, help=f"deployment name (default {DEFAULT_NAME})")
    add_run_options(r, serve=True)


def main(args) -> int:
    from flows.commands import preflight
    from flows.run.startup import configured_api_url

    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    inputs = [os.path.abspath(i) if os.path.exists(i) else i for i in args.inputs] or \
        [str(settings.examples_dir)]
    # Fail now on a typo, not at the first scheduled run.
    problem = preflight.check_inputs(inputs) or preflight.check_warehouse(settings.warehouse)
    if problem:
        print(f"newsflow: {problem}", file=sys.stderr)
        return 2
    if not configured_api_url():
        # Prefect's temporary server has no scheduler: runs would never come due.
        print("newsflow: serve needs a Prefect server to schedule runs. Start one with "
              "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api "
              "(see docs/scheduling.md).", file=sys.stderr)
        return 2
    if args.verbose:  # Prefect's own INFO lines, here and in the runs it starts
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    from flows.run.pipeline import newsflow_run

    newsflow_run.serve(
        name=args.name,
        cron=args.cron,
        interval=args.interval,
        # What the deployment carries: each run builds its Settings from these (over the
        # NEWSFLOW_* variables of the process that runs it).
        parameters={"inputs": inputs, "warehouse": str(settings.warehouse),
                    "run_options": deployment_options(args), "quiet": bool(args.quiet)},
        # A run due while the previous one still works is cancelled, not queued: the next
        # run picks up whatever it would have loaded.
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        tags=["newsflow"],
        description="Scheduled incremental newsflow run.",
    )
    return 0


def deployment_options(args) -> dict:
    """The run options given on the command line, as JSON-able flow parameters."""
    return run_overrides(args)
