"""`newsflow run`: the main job."""
from __future__ import annotations

import contextlib
import logging
import sys

from flows.commands.options import add_run_options, settings_from_args


def register(sub) -> None:
    r = sub.add_parser("run", help="run the pipeline over INPUTs into the warehouse",
                       description="Read INPUTs (files, directories or globs of .txt/.html "
                                   "pages, optionally .gz; WARC/WARC.gz; JSONL(.gz) with url + html/text; "
                                   "folders with a urls.tsv manifest), clean, detect, validate and load them. "
                                   "With no INPUT, runs on the bundled sample corpus (examples/). "
                                   "Exits 0 even when some documents are quarantined; 2 for an INPUT "
                                   "that matches nothing, a warehouse that cannot be written or a "
                                   "bad option (checked before Prefect starts); 3 when the warehouse stayed locked (the "
                                   "run's batches are staged and the next run loads them); other "
                                   "non-zero codes when the run itself failed.")
    r.add_argument("inputs", nargs="*", metavar="INPUT")
    add_run_options(r)
    r.add_argument("--reprocess", action="store_true",
                   help="re-derive every stored document (raw.documents) with the current cleaner "
                        "and detectors, without reading the sources again")
    r.add_argument("--retry-quarantined", action="store_true",
                   help="re-derive the quarantined documents whose content is stored (after the "
                        "cleaning rules, registry or expectation suites changed); those that pass "
                        "now are loaded and leave dq.quarantine")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (the live progress line redirects it
    so that messages print above the line instead of through it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def setup_logging(quiet: bool, verbose: bool = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("newsflow: %(message)s"))
    lg = logging.getLogger("newsflow")
    lg.handlers[:] = [handler]
    # -v adds newsflow's debug lines (one per batch loaded) to Prefect's logs
    lg.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    lg.propagate = False
    for noisy in ("great_expectations", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def route_library_logs(log_path, verbose: bool) -> None:
    """Prefect's console handler prints every failed task's traceback (three of them for
    one failure); the user needs one line saying what to do. Unless `verbose`, that
    handler shows only critical records, and every record of Prefect and newsflow at
    warning level or above goes to the run log instead (`log_path`, appended)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    if not verbose:
        # A log handler's own failure (Prefect's API log shipping after the temporary
        # server stopped) is not the user's business either: stdlib's production setting.
        logging.raiseExceptions = False
        for logger in [logging.getLogger()] + [logging.getLogger(n) for n in logging.root.manager.loggerDict]:
            for h in getattr(logger, "handlers", ()):
                if isinstance(h, PrefectConsoleHandler):
                    h.setLevel(logging.CRITICAL)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, encoding="utf-8", delay=True)
    except OSError:
        return
    file_handler.setLevel(logging.WARNING)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("prefect", "newsflow", "flows"):
        logging.getLogger(name).addHandler(file_handler)


def print_summary(s, out=None) -> None:
    w = (out or sys.stdout).write
    w(f"\nnewsflow run {s.run_id}: {s.status}\n")
    w(f"  warehouse    {s.warehouse}\n")
    w(f"  seen         {s.seen:>6}\n")
    w(f"  loaded       {s.loaded:>6}\n")
    if s.staged:
        w(f"  staged       {s.staged:>6}   (not loaded yet: the warehouse was busy)\n")
    w(f"  skipped      {s.skipped:>6}" + (f"   ({_fmt(s.skip_reasons)})" if s.skip_reasons else "") + "\n")
    w(f"  quarantined  {s.quarantined:>6}\n")
    if s.staged_batches:
        w(f"  staged in    {s.staged_batches:>6} batch(es) (the next run loads them)\n")
    if s.loaded_from_staging:
        w(f"  from staging {s.loaded_from_staging:>6} batch(es) staged by an earlier run\n")
    if s.aborted_runs:
        w(f"  aborted      {s.aborted_runs:>6} earlier run(s) left running by a stopped process\n")
    if s.ignored_records:
        w(f"  ignored container records ({_fmt(s.ignored_records)})\n")
    for reason, n in sorted(s.quarantine_reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        w(f"    {n:>5}  {reason}\n")
    if s.warnings:
        w("  warnings (documents loaded; see dq.validation_results):\n")
        for name, n in sorted(s.warnings.items()):
            w(f"    {n:>5}  {name}\n")
    if getattr(s, "dashboard", ""):
        w(f"  dashboard    {s.dashboard}\n")
    if getattr(s, "data_docs", ""):
        w(f"  data docs    {s.data_docs}\n")
    if s.quarantined:
        w("  why: newsflow quarantine --warehouse PATH, or select * from dq.quarantine\n")


def _fmt(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))


def preflight(args) -> tuple[object | None, str | None]:
    """(Settings, None), or (None, the line to print): everything that can be checked
    before Prefect starts (the settings, the INPUTs, the warehouse), in well under a second."""
    from flows.commands import preflight as checks

    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        return None, str(exc)
    if (args.reprocess or args.retry_quarantined) and args.inputs:
        return None, ("--reprocess and --retry-quarantined work on the stored documents; "
                      "give no INPUT")
    problem = checks.check_inputs(args.inputs) or checks.check_warehouse(settings.warehouse)
    return (None, problem) if problem else (settings, None)


def main(args) -> int:
    settings, problem = preflight(args)
    if problem:
        print(f"newsflow: {problem}", file=sys.stderr)
        return 2
    setup_logging(args.quiet, args.verbose)
    from flows.run import progress

    # -v prints Prefect's logs on the terminal, the flow's progress lines among them.
    reporter = progress.install(args.quiet or args.verbose)
    try:
        return _run(args, settings, progress)
    finally:
        if reporter is not None:
            reporter.stop()


def _run(args, settings, progress) -> int:
    from flows.stages.read import InputError
    from flows.run import startup

    # Before prefect is imported: the temporary API starts while the heavy imports run. It is
    # stopped at exit, after Prefect's own exit handlers have flushed their events and logs.
    # GX is imported early only when the run will likely validate something.
    warm = (args.reprocess or args.retry_quarantined
            or startup.inputs_changed_since(args.inputs, settings.warehouse))
    boot = startup.begin(warm=warm)
    progress.status("starting Prefect's temporary API and loading the pipeline…"
                    if boot.api is not None else "loading the pipeline…")
    if warm and settings.local_workers:
        startup.start_forkserver()  # the workers' libraries load while the server boots
    from flows.run import pipeline
    from flows.store.warehouse import WarehouseBusy

    route_library_logs(settings.run_log_path, args.verbose)
    try:
        boot.ready()
        with _no_heartbeats() if boot.api is not None else contextlib.nullcontext():
            # The warehouse slot lives in the Prefect API; a temporary one of our own dies
            # with a killed run and would keep its slot taken for every later run.
            try:
                summary = pipeline.run(list(args.inputs), settings, reprocess=args.reprocess,
                                       retry_quarantined=args.retry_quarantined,
                                       warehouse_slot_wanted=boot.api is None)
            finally:
                _drain_prefect_logs()
    except InputError as exc:
        progress.uninstall()
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    except WarehouseBusy as exc:
        progress.uninstall()
        print(f"newsflow: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # the run failed: one line that says what to do
        progress.uninstall()
        logging.getLogger("flows").error("the run failed", exc_info=exc)
        if args.verbose:
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
        print(f"newsflow: the run failed: {pipeline.failure_message(exc, settings)}", file=sys.stderr)
        hint = ("" if args.verbose else " (-v shows it here)")
        print(f"newsflow: the traceback is in {settings.run_log_path}{hint}; the run is "
              "recorded as failed in dq.runs", file=sys.stderr)
        if settings.dashboard_path.exists():
            print(f"newsflow: the dashboard shows it: {settings.dashboard_path}", file=sys.stderr)
        return 1
    progress.uninstall()
    print_summary(summary)
    if summary.status == "staged":
        print(f"newsflow: {summary.message}\nnewsflow: the run's {summary.staged_batches} batch(es) are "
              f"kept under {settings.staging_dir / summary.run_id}; the next run loads them.",
              file=sys.stderr)
        return 3
    return 0


def _drain_prefect_logs() -> None:
    """Send the flow's last log lines to the API now. Left to Prefect's exit handler, the
    drain runs inside `logging.shutdown()` and, racing the log worker for logging's lock,
    waits out its 1.5-5 s timeout: most of a re-run's wall time."""
    from prefect.logging.handlers import APILogWorker

    try:
        APILogWorker.drain_all(timeout=5)
    except Exception:  # never hide the run's own outcome
        logging.getLogger("flows").debug("draining Prefect's log worker failed", exc_info=True)


def _no_heartbeats():
    """Flow-run heartbeats let a long-lived Prefect server mark crashed runs. The temporary
    server started for this run stops with it, so there they only cost time: Prefect joins
    the heartbeat thread at flow end, and it sleeps in 1 s steps (0.3-1 s of every run)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
