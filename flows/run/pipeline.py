"""The newsflow Prefect flow: read -> clean -> detect -> validate -> load, batch by batch.

The flow only wires tasks; each task is a thin wrapper over one pure batch function in
`flows.stages`. Tasks move batches, never one task per document (the orchestrator's
overhead would dominate). Sources are listed lazily and consumed a batch at a time, so a
crawl of any size never sits in memory. The flow process holds the one DuckDB writer for
the run; the CPU stages (clean, detect) run in supervised worker processes with a
per-document timeout. Each batch is loaded in one transaction and keyed on content hashes,
so a repeated, retried or resumed run changes nothing. When another process holds the
warehouse, each batch is staged under `warehouse/staging/<run_id>/` for the next run.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
import contextlib
import functools
import gc
from contextlib import contextmanager
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
# Batches are big nested records: quote() stops Prefect from walking every field of every
# document looking for futures (that walk cost as much CPU as extraction itself).
from prefect.utilities.annotations import quote

from flows.store import postload
from flows.reports.dashboard import save_dashboard
from flows.reports.datadocs import build_data_docs
from flows.store import warehouse as wh
from flows.config import Settings
from flows.run import progress as prog
from flows.records import Article, BatchResult, RawDocument, Rejection, SourceRef
from flows.sources import SourceStats, expand_inputs
from flows.stages.clean.byline import load_byline_rules
from flows.stages.clean.cleaner import CleanOptions
from flows.stages.detect.detector import OutletRegistry, load_registry
from flows.stages.clean._placement import load_caption_classes
from flows.stages.clean.lines import load_line_rules
from flows.stages.clean.walls import load_wall_rules
from flows.stages.load import build_load_batch, template_rows
from flows.stages.read import ReadOptions, list_sources, read_batch
from flows.stages.validate.articles import (ValidationOutcome, Validator, load_suites, merge_results,
                                  validate_articles)
from flows.stages.validate.tables import TableValidation, quarantine_failing, validate_load_batch
from flows.run.worker import ExtractOptions, ExtractPool, extract_chunk, nothing_extracted

log = logging.getLogger("newsflow")

# The global concurrency limit every run takes one slot of: two scheduled (or manual) runs
# against the same Prefect API never write at once. The DuckDB file lock is the backstop.
WAREHOUSE_LIMIT = "newsflow-warehouse"


@dataclass
class RunSummary:
    """What a run did, in counts that add up: seen = loaded + staged + skipped + quarantined."""

    run_id: str = ""
    warehouse: str = ""
    seen: int = 0
    loaded: int = 0
    staged: int = 0                # articles kept under staging/ (warehouse busy), not yet loaded
    skipped: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    ignored_records: dict[str, int] = field(default_factory=dict)  # container records that are not pages
    staged_batches: int = 0        # batches kept under staging/ because the warehouse was busy
    loaded_from_staging: int = 0   # batches staged by earlier runs, loaded at this run's start
    aborted_runs: int = 0          # runs left 'running' by a killed process, marked aborted
    dashboard: str = ""            # path of the data-quality dashboard written after the run
    data_docs: str = ""            # path of GX Data Docs' index.html
    status: str = "running"        # running / completed / staged / failed
    message: str = ""

    def add_quarantine(self, reason: str, n: int = 1) -> None:
        self.quarantined += n
        self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + n

    def add_skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + n

    def as_dict(self) -> dict:
        return asdict(self)


TAPER_MIN_SIZE = 64  # smaller batch sizes (tests, debugging) are cut evenly


def _tapered_batches(items: Iterable, size: int, max_bytes: int | None = None,
                     weight: Callable[[object], int] | None = None) -> Iterator[list]:
    """Lists of at most `size` items and at most `max_bytes` of `weight` (an item heavier
    than that goes alone), except near the end: what is left once fewer than two batches
    remain goes out in halves (750, 375, 187 ... down to size/8 to size/4); a run of at
    most `size` items is one batch.

    Why the bytes: a batch is loaded in one DuckDB transaction, whose rows must fit in the
    buffer pool; 512 HTML pages (90 MB) outgrew a 256 MB pool where 512 mixed pages fit.
    Why the taper: the flow validates and loads batch n while the workers extract batch
    n+1, so the last batch's validation and load run alone, with the workers idle. A small
    last batch keeps that tail short while big batches elsewhere amortise the per-batch
    costs (GX's fixed cost per suite run, Prefect's task runs). Reads at most two batches
    of refs ahead (refs are paths, or records' payloads for crawl containers)."""
    cap = max_bytes if max_bytes and max_bytes > 0 else float("inf")
    weigh = weight or (lambda _item: 0)
    it = iter(items)
    buf: list = []
    weights: list[int] = []
    held = 0  # sum(weights)

    def take(n: int) -> list:
        """The first items of `buf`, at most `n` and `cap` bytes (at least one)."""
        nonlocal held
        k, total = 0, 0
        while k < min(n, len(buf)) and (k == 0 or total + weights[k] <= cap):
            total += weights[k]
            k += 1
        out = buf[:k]
        del buf[:k], weights[:k]
        held -= total
        return out

    exhausted = False
    full = 0
    while True:
        while len(buf) < 2 * size and held < 2 * cap:
            try:
                item = next(it)
            except StopIteration:
                exhausted = True
                break
            buf.append(item)
            weights.append(weigh(item))
            held += weights[-1]
        if exhausted:
            break
        yield take(size)
        full += 1
    tail = size // 8
    if size < TAPER_MIN_SIZE or (not full and len(buf) <= size):
        tail = size  # small sizes are cut evenly; a small run is one batch
    while len(buf) > 2 * tail:
        yield take(len(buf) // 2)
    while buf:
        yield take(size)


def source_weight(ref: SourceRef, max_bytes: int) -> int:
    """A source's raw size before reading it, for cutting batches by bytes: a container
    record's payload, a file's size, a gzip file's uncompressed size from its trailer
    (ISIZE, the last member's size mod 2**32: an estimate, capped at `max_bytes` as the
    read is)."""
    if ref.payload is not None:
        return len(ref.payload)
    if ref.container is not None or ref.problem is not None:
        return 0
    try:
        size = os.stat(ref.open_path).st_size
        if ref.open_path.lower().endswith(".gz") and size >= 18:  # only a gzip is opened
            with open(ref.open_path, "rb") as f:
                f.seek(-4, os.SEEK_END)
                size = max(size, int.from_bytes(f.read(4), "little"))
    except OSError:
        return 0
    return min(size, max_bytes)


# ---------------------------------------------------------------- tasks (thin wrappers)

@task(name="discover", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def discover_task(inputs: list[str]) -> list[str]:
    """The input files (no content read yet); InputError when an input matches nothing."""
    return expand_inputs(inputs)


@task(name="read", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def read_task(refs: list[SourceRef], opts: ReadOptions) -> BatchResult:
    return read_batch(refs, opts)


@task(name="clean-detect", cache_policy=NO_CACHE)
def extract_task(docs: list[RawDocument], opts: ExtractOptions,
                 pool: ExtractPool | None, on_docs=None) -> tuple[BatchResult, BatchResult]:
    """Clean then detect, in worker processes with a per-document timeout (in-process
    when the run has no pool: `--workers 0` or no timeout). `on_docs(done, rejected)` is
    told as documents finish (progress; no Prefect call)."""
    if pool is None:
        out = extract_chunk(docs, opts)
        if on_docs is not None:
            on_docs(len(docs), len(out[0].rejected) + len(out[1].rejected))
        return out
    return pool.extract(docs, on_docs=on_docs)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(articles: list[Article], validator: Validator):
    return validate_articles(articles, validator)


@task(name="validate-tables", cache_policy=NO_CACHE)
def validate_tables_task(batch, validator: Validator):
    return validate_load_batch(batch, validator)


@task(name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load_task(con, batch, sql_dir: Path, replace_doc_ids: list[str] | None = None) -> dict[str, int]:
    # Safe to retry: one transaction per batch, every insert keyed on natural keys.
    return wh.load_batch(con, batch, sql_dir, replace_doc_ids or ())


@task(name="stage", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def stage_task(staging_dir: Path, run_id: str, seq: int, batch) -> Path:
    # The warehouse is held by another process: keep the rows for the next run to load.
    return wh.stage_batch(staging_dir, run_id, seq, batch)


def _registry_rows(registry: OutletRegistry) -> list[dict]:
    return [{"outlet_id": e.outlet_id, "name": e.name, "aliases": list(e.aliases),
             "domains": list(e.domains), "country": e.country, "languages": list(e.languages),
             "kind": e.kind, "signatures": list(e.signatures)} for e in registry.entries]


def _summary_markdown(s: RunSummary) -> str:
    from html import escape

    lines = [f"# newsflow run `{escape(s.run_id)}`", "",
             "| documents | count |", "|---|---|",
             f"| seen | {s.seen} |", f"| loaded | {s.loaded} |",
             f"| skipped (already loaded) | {s.skipped} |", f"| quarantined | {s.quarantined} |"]
    if s.quarantine_reasons:
        lines += ["", "| quarantine reason | documents |", "|---|---|"]
        lines += [f"| {escape(k)} | {v} |" for k, v in sorted(s.quarantine_reasons.items())]
    if s.warnings:
        lines += ["", "| warning expectation | failing rows |", "|---|---|"]
        lines += [f"| {escape(k)} | {v} |" for k, v in sorted(s.warnings.items())]
    if s.dashboard or s.data_docs:
        lines += ["", f"Dashboard: `{escape(s.dashboard)}`  ", f"Data Docs: `{escape(s.data_docs)}`"]
    return "\n".join(lines)


# ---------------------------------------------------------------- the flow

def build_extract_options(settings: Settings, registry: OutletRegistry) -> ExtractOptions:
    return ExtractOptions(clean=CleanOptions(rules=load_line_rules(settings.reference_dir),
                                             byline=load_byline_rules(settings.reference_dir),
                                             caption_classes=load_caption_classes(settings.reference_dir)),
                          registry=registry, language_seed=settings.language_seed,
                          walls=load_wall_rules(settings.reference_dir))


@contextmanager
def warehouse_slot(wait_s: float):
    """Hold one slot of the `newsflow-warehouse` global concurrency limit (created with one
    slot when missing) for the run. Without a reachable API, or after `wait_s`, the run goes
    on: the DuckDB lock still keeps writers apart, and a busy warehouse stages the work."""
    from prefect.concurrency.sync import concurrency

    try:
        _ensure_limit(WAREHOUSE_LIMIT)
        # A killed run's slot frees itself when its lease (renewed while the run lives) expires.
        cm = concurrency(WAREHOUSE_LIMIT, occupy=1, timeout_seconds=wait_s, strict=True,
                         lease_duration=60, raise_on_lease_renewal_failure=False)
        cm.__enter__()
    except Exception as exc:  # TimeoutError, no API, an old server ...
        log.info("running without the %s concurrency slot: %s", WAREHOUSE_LIMIT, exc)
        yield False
        return
    try:
        yield True
    finally:
        cm.__exit__(None, None, None)


def _ensure_limit(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            except ObjectAlreadyExists:
                pass


class _ValidatorSlot:
    """The run's GX `Validator`, built in a background thread from the first batch that has
    documents to check (importing great_expectations and building its context take ~5 s of
    CPU, done while the workers extract). A run with nothing new never imports GX."""

    def __init__(self, suites: dict[str, dict], run_name: str | None = None):
        self.suites = suites
        self.run_name = run_name
        self._thread: threading.Thread | None = None
        self._value: Validator | None = None
        self._error: BaseException | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._build, name="newsflow-gx", daemon=True)
            self._thread.start()

    def _build(self) -> None:
        try:
            self._value = Validator(self.suites, run_name=self.run_name)
        except BaseException as exc:  # re-raised in the flow's thread by get()
            self._error = exc

    def get(self) -> Validator:
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


class _Seen:
    """Which documents this run has already handled (content hashes), to skip repeats."""

    def __init__(self) -> None:
        self.ids: set[str] = set()


@flow(name="newsflow", log_prints=False, validate_parameters=False)
def newsflow_run(inputs: list[str] | None = None, warehouse: str | None = None,
                 settings: Settings | None = None, reprocess: bool = False,
                 retry_quarantined: bool = False, warehouse_slot_wanted: bool = True,
                 run_options: dict | None = None, quiet: bool = False) -> RunSummary:
    """Run the pipeline over INPUTs (files, directories, globs; pages, WARC, JSONL) into the
    warehouse, batch by batch. With `reprocess`, re-derive every stored raw document instead;
    with `retry_quarantined`, only the stored documents that are in dq.quarantine (after the
    rules, registry or suites changed), replacing their quarantine rows.
    `warehouse_slot_wanted=False` when the Prefect API is a temporary server of this run's
    own: a slot taken there outlives a killed run (its lease lives in the server's memory),
    and the DuckDB file lock keeps writers apart anyway.
    `run_options` are Settings fields (batch_size, workers ...: what `newsflow serve` passes
    on); `quiet` leaves the periodic progress lines out of the run log (the summary stays)."""
    rederive = reprocess or retry_quarantined
    settings = settings or Settings.from_env(warehouse, **(run_options or {}))
    inputs = list(inputs or [])
    run_id = str(flow_run.get_id() or uuid.uuid4())
    summary = RunSummary(run_id=run_id, warehouse=str(settings.warehouse))
    run_log = _run_logger()
    tracker = prog.Tracker(run_log=None if quiet else run_log)
    if not rederive:
        tracker.status("listing inputs…")
    files = [] if rederive else discover_task(inputs)
    registry = load_registry(settings.reference_dir)
    extract_opts: ExtractOptions | None = None  # built for the first batch with documents
    validator = _ValidatorSlot(load_suites(settings.expectations_dir), run_name=run_id)
    validation_rows: list[dict] = []
    data_docs: Future | None = None

    slot = (warehouse_slot(max(settings.lock_wait_s, 1.0)) if warehouse_slot_wanted
            else contextlib.nullcontext(False))
    with slot, _extract_pool(settings) as pool:
        tracker.status("opening the warehouse…")
        try:
            con = wh.connect(settings.warehouse, wait_s=settings.lock_wait_s,
                             memory_limit=settings.duckdb_memory_limit,
                             temp_directory=settings.duckdb_temp_dir)
        except wh.WarehouseBusy as exc:
            if rederive:
                raise
            con = None
            summary.message = str(exc)
            log.warning("%s Working on and staging each batch under %s instead.", exc,
                        settings.staging_dir / run_id)
        try:
            if con is not None:
                wh.migrate(con, settings.sql_dir)
                summary.aborted_runs = wh.abort_stale_runs(con)
                summary.loaded_from_staging = wh.load_staged(con, settings.staging_dir, settings.sql_dir)
                wh.refresh_reference(con, _registry_rows(registry))
                wh.start_run(con, run_id, run_id,
                             ["--reprocess"] if reprocess else ["--retry-quarantined"]
                             if retry_quarantined else [str(i) for i in inputs])
            if rederive:
                doc_sizes = wh.stored_doc_ids(con) if reprocess else wh.quarantined_doc_ids(con)
                tracker.set_total(len(doc_sizes))
                batches = _stored_batches(con, settings, doc_sizes)
            else:
                stats = SourceStats()
                refs = tracker.count_sources(
                    list_sources(files, max_bytes=settings.max_bytes, stats=stats), files)
                batches = ((refs_batch, None) for refs_batch in _tapered_batches(
                    refs, settings.batch_size, settings.effective_batch_bytes,
                    lambda ref: source_weight(ref, settings.max_bytes)))
            seen = _Seen()
            pending: _Pending | None = None
            tracker.begin()
            try:
                for n, (batch_refs, stored) in enumerate(batches, start=1):
                    docs, rejections, sources = _read_batch(batch_refs, stored, con, settings,
                                                            summary, seen, run_id)
                    if docs and extract_opts is None:  # the first batch to extract
                        extract_opts = _extract_options(settings, registry, con)
                        if pool is not None:  # its workers start on first use, with these
                            pool.opts = extract_opts
                        _freeze_long_lived()
                    size = len(stored) if stored is not None else len(batch_refs)
                    tracker.batch_read(n, size, len(docs), len(rejections))
                    extracted = pending.future.result() if pending is not None else None
                    # The workers start on batch n while this process validates and loads
                    # batch n-1: neither side waits for the other.
                    current = _Pending(n, stored, docs, rejections, sources, extract_task.submit(
                        quote(docs), quote(extract_opts), quote(pool),
                        quote(tracker.extracted_callback(n))) if docs else _NOTHING_TO_EXTRACT)
                    current.size = size
                    if docs:
                        validator.start()  # GX loads while the workers extract
                    if pending is not None:
                        _finish_batch(pending, extracted, con, settings, run_id, summary,
                                      validator, validation_rows)
                        tracker.batch_finished(pending.n, pending.size, summary.quarantined)
                        del extracted
                        _release_memory()
                    pending = current
                if pending is not None:
                    _finish_batch(pending, pending.future.result(), con, settings, run_id,
                                  summary, validator, validation_rows)
                    tracker.batch_finished(pending.n, pending.size, summary.quarantined)
                    pending = None
                    _release_memory()  # before the post-load step and the reports
            finally:
                if pending is not None:  # an error: let the extraction in flight end first
                    pending.future.wait()
            tracker.finish()  # the documents are done; the post-load steps are phases
            if not rederive:
                summary.ignored_records = dict(stats.ignored)
            if con is None:
                summary.status = "staged"
                wh.stage_run(settings.staging_dir, run_id, inputs, summary.as_dict())
                run_log.info(prog.summary_line(summary))
                return summary
            tracker.status("recording validation results…")
            wh.record_validation(con, run_id, merge_results(validation_rows))
            if validator.started:  # GX renders (Python) while DuckDB works on the post-load
                data_docs = _background(lambda: _quality_report(
                    lambda: build_data_docs(validator.get(), settings.data_docs_dir,
                                          store_dir=settings.validation_store_dir), "Data Docs"))
            tracker.status("refreshing derived tables…")
            postload.refresh(con, settings.sql_dir, force=rederive)
            summary.status = "completed"
            wh.finish_run(con, run_id, "completed", summary.as_dict())
            tracker.status("writing the dashboard…")
            summary.dashboard = str(_write_dashboard(con, settings))
        except BaseException as exc:
            summary.status = "failed"
            summary.message = failure_message(exc, settings)
            tracker.finish()
            run_log.error("run failed: %s", summary.message)
            if con is not None:
                con = _record_failure(con, settings, run_id, summary)
            raise
        finally:
            if con is not None:
                con.close()

    if data_docs is not None:  # else nothing was validated: the last run's Data Docs stand
        tracker.status("writing Data Docs…")
        summary.data_docs = str(data_docs.result())
    elif (settings.data_docs_dir / "index.html").exists():
        summary.data_docs = str(settings.data_docs_dir / "index.html")
    create_markdown_artifact(markdown=_summary_markdown(summary), key="newsflow-run-summary",
                             description="newsflow run: documents loaded, skipped, quarantined")
    tracker.finish()
    run_log.info(prog.summary_line(summary))
    return summary


def _run_logger():
    """The flow run's Prefect logger, at INFO whatever PREFECT_LOGGING_LEVEL says (the
    temporary server's runs keep Prefect's own chatter at WARNING): its lines reach the
    Prefect API (the UI's run page, `prefect flow-run logs`) and, in a served run, the
    terminal of `newsflow serve`. Outside a run: the `newsflow` logger."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError
    from prefect.logging.loggers import PrefectLogAdapter

    try:
        base = get_run_logger()
    except MissingContextError:
        return log
    lg = logging.getLogger("prefect.flow_runs.newsflow")
    lg.setLevel(logging.INFO)
    return PrefectLogAdapter(lg, dict(base.extra))


def _record_failure(con, settings: Settings, run_id: str, summary: RunSummary):
    """Mark the run failed in dq.runs and write the dashboard that shows why; the
    connection to close afterwards (None when none is open). When DuckDB invalidated the
    connection (a commit that ran out of memory and could not roll back: "database has been
    invalidated"), the file itself is intact, so it is opened again for these two writes."""
    import duckdb

    try:
        try:
            wh.finish_run(con, run_id, "failed", summary.as_dict())
        except duckdb.FatalException:
            con.close()
            con = None
            con = wh.connect(settings.warehouse, wait_s=min(settings.lock_wait_s, 5.0),
                             memory_limit=settings.duckdb_memory_limit,
                             temp_directory=settings.duckdb_temp_dir)
            wh.finish_run(con, run_id, "failed", summary.as_dict())
    except Exception:  # the original error matters more
        log.exception("could not record the failed run")
        return con
    _write_dashboard(con, settings)  # the dashboard shows the failed run with its reason
    return con


def _out_of_memory(exc: BaseException) -> bool:
    """DuckDB's own OOM error, or the fatal error it turns into when the rollback after it
    needs memory too (the message quotes the original "Out of Memory Error")."""
    import duckdb

    return isinstance(exc, duckdb.OutOfMemoryException) or (
        isinstance(exc, duckdb.Error) and "out of memory error" in str(exc).lower())


def failure_message(exc: BaseException, settings: Settings) -> str:
    """One line for a failed run: what happened and the setting to change, for the
    terminal and dq.runs (the traceback goes to the run log)."""
    import duckdb

    first = first_line(exc)
    if _out_of_memory(exc):
        return (f"DuckDB ran out of its memory limit ({settings.duckdb_memory_limit}) while "
                f"writing a batch of at most {settings.batch_size} documents / "
                f"{settings.effective_batch_bytes // 2**20} MB. Raise the limit "
                "(--duckdb-memory-limit or NEWSFLOW_DUCKDB_MEMORY_LIMIT, e.g. 2GB) or cut "
                f"smaller batches (--batch-bytes or NEWSFLOW_BATCH_BYTES, e.g. "
                f"{max(1, settings.effective_batch_bytes // 2**21)}MB), then run again; "
                "nothing of the failed batch was written")
    if isinstance(exc, duckdb.IOException) and "read-only" in first.lower():
        return f"the warehouse {settings.warehouse} cannot be written ({first}); choose a writable --warehouse"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted; batches loaded before the interruption stay loaded, run again to go on"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message, cut at `limit` characters."""
    return (str(exc).strip().splitlines() or [""])[0][:limit]


@functools.cache
def _libc():
    import ctypes

    return ctypes.CDLL("libc.so.6")


def _release_memory() -> None:
    """Give the freed memory of a finished batch back to the system. glibc keeps freed
    blocks of large strings (a batch's pages) in its heap, so without this the process
    stays at its largest batch's size plus the next one's."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _freeze_long_lived() -> None:
    """Move everything alive before the first batch (the imported libraries, Prefect's
    client, the warehouse connection) out of the cyclic collector's reach (`gc.freeze`).

    Why: these objects live for the whole run, yet every full collection walks them again.
    Called once per run, when the first batch with documents to extract has been read and
    before it is submitted, so of the batches' objects only that batch's documents are
    frozen: they sit in no reference cycle and are still freed by reference counting; the
    futures and results, which may form cycles, come later. After a `gc.collect` so no
    garbage is frozen; that collection costs 0.1-0.2 s, which a re-run over unchanged inputs
    (no document to extract) does not pay."""
    gc.collect()
    gc.freeze()


def _write_dashboard(con, settings: Settings):
    """The dashboard after a run, completed or failed; its path, or "" when it failed."""
    return _quality_report(lambda: save_dashboard(
        con, settings.dashboard_path, source=str(settings.warehouse),
        expectations_dir=settings.expectations_dir), "dashboard")


def _background(fn) -> Future:
    """Run `fn` in a thread of its own; the future holds its result."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsflow-report")
    try:
        return pool.submit(fn)
    finally:
        pool.shutdown(wait=False)  # the thread ends with `fn`


def _quality_report(build, what: str):
    """Build a report file; a failure here is logged, never fails a run that loaded its data."""
    try:
        return build()
    except Exception:
        log.exception("could not write the %s", what)
        return ""


def _extract_options(settings: Settings, registry: OutletRegistry, con) -> ExtractOptions:
    """The workers' options, with the templates learned from the warehouse (none when the
    run stages its batches). Built only once a batch has documents to extract: the rules,
    the line model and the templates cost 0.1-0.2 s, which a re-run over unchanged inputs
    does not need."""
    opts = build_extract_options(settings, registry)
    if con is None:
        return opts
    return replace(opts, templates=wh.learned_templates(con, settings.template_min_docs))


@contextmanager
def _extract_pool(settings: Settings):
    """The extraction pool; its `opts` are set before its first batch (`_extract_options`)."""
    if settings.dask_address:  # an existing Dask cluster does the CPU stage
        from flows.run.dask_runner import DaskExtractPool

        pool = DaskExtractPool(None, settings.dask_address)
        try:
            yield pool
        finally:
            pool.close()
        return
    if not settings.local_workers:
        yield None
        return
    pool = ExtractPool(None, settings.workers, settings.doc_timeout_s)
    try:
        yield pool
    finally:
        pool.close()


def _stored_batches(con, settings: Settings, doc_sizes: list[tuple[str, int]]):
    """(None, stored documents) per batch of raw.documents, for `--reprocess` and
    `--retry-quarantined`, cut by count and bytes as a run's inputs are, and packed as the
    pages a run reads are."""
    for batch in _tapered_batches(doc_sizes, settings.batch_size, settings.effective_batch_bytes,
                                  lambda pair: pair[1]):
        ids = [doc_id for doc_id, _size in batch]
        docs = [RawDocument(doc_id=r["doc_id"], source_uri=r["source_uri"], url=r["url"],
                            content_type=r["content_type"], text=r["content"],
                            encoding=r["encoding"], byte_size=r["byte_size"]).packed()
                for r in wh.stored_documents(con, ids)]
        yield None, docs


class _NothingToExtract:
    """Stands in for extract_task's future when a batch has no new document."""

    @staticmethod
    def result() -> tuple[BatchResult, BatchResult]:
        return nothing_extracted()

    @staticmethod
    def wait() -> None:
        return None


_NOTHING_TO_EXTRACT = _NothingToExtract()


@dataclass
class _Pending:
    """A batch whose extraction is running in the worker processes."""

    n: int
    stored: list[RawDocument] | None  # the stored documents re-derived (reprocess), else None
    docs: list[RawDocument]
    rejections: list[Rejection]
    sources: list[dict]  # raw.sources rows of the batch's files
    future: object  # PrefectFuture of extract_task
    size: int = 0  # documents in the batch (refs, or stored documents), for progress


def _read_batch(batch_refs, stored, con, settings: Settings, summary: RunSummary, seen: _Seen,
                run_id: str) -> tuple[list[RawDocument], list[Rejection], list[dict]]:
    """Read a batch (or take the stored documents) and drop the ones already loaded: files
    unchanged since a run read them (raw.sources: same size and mtime) are not even read.
    Returns the new documents, the rejections, and the raw.sources rows of the files read."""
    if stored is not None:  # reprocess: every stored document is re-derived
        summary.seen += len(stored)
        return list(stored), [], []
    summary.seen += len(batch_refs)
    stats = file_stats(batch_refs)
    unchanged = {} if con is None else wh.unchanged_sources(con, stats)
    for reason in unchanged.values():
        summary.add_skip(reason)
    todo = [r for r in batch_refs if r.source_uri not in unchanged]
    # No task run for a batch of unchanged files (a re-run over a large crawl is mostly those).
    read = (read_task(quote(todo), quote(ReadOptions(max_bytes=settings.max_bytes, pack=True))) if todo
            else BatchResult())
    held = {d.source_uri: d.doc_id for d in read.kept}
    held.update({r.source_uri: r.doc_id for r in read.rejected if r.doc_id})
    sources = [{"source_uri": uri, "byte_size": stats[uri][0], "mtime_ns": stats[uri][1],
                "doc_id": doc_id, "run_id": run_id}
               for uri, doc_id in held.items() if uri in stats]
    new_docs, rejections = _skip_known(con, read, seen, summary)
    return new_docs, rejections, sources


def file_stats(refs: Iterable[SourceRef]) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of each plain file among `refs` (not records inside a container)."""
    out = {}
    for r in refs:
        if r.container is None and r.payload is None and r.problem is None:
            try:
                st = os.stat(r.open_path)
            except OSError:
                continue
            out[r.source_uri] = (st.st_size, st.st_mtime_ns)
    return out


def _finish_batch(p: _Pending, extracted: tuple[BatchResult, BatchResult], con,
                  settings: Settings, run_id: str, summary: RunSummary, gx: _ValidatorSlot,
                  validation_rows) -> None:
    """Validate an extracted batch and load it in one transaction (or stage it when the
    warehouse is held by another process)."""
    cleaned, detected = extracted
    new_docs, stored, n = p.docs, p.stored, p.n
    if not (new_docs or p.rejections or p.sources or stored):  # every file unchanged: no tasks
        # Debug (newsflow run -v): the progress line is what a user reads.
        log.debug("batch %d (%d documents) done, nothing new; so far %d loaded, %d skipped, "
                  "%d quarantined", n, p.size, summary.loaded + summary.staged, summary.skipped,
                  summary.quarantined)
        return
    rejections = list(p.rejections) + list(cleaned.rejected) + list(detected.rejected)
    validator = gx.get() if detected.kept else None
    outcome = (validate_task(quote(list(detected.kept)), quote(validator)) if detected.kept
               else ValidationOutcome())
    validation_rows.extend(outcome.results)
    rejections += outcome.rejected
    _count_warnings(outcome.results, summary)

    by_id = {d.doc_id: d for d in new_docs}
    quarantined_docs = [by_id[r.doc_id] for r in rejections if r.doc_id in by_id]
    batch = build_load_batch(outcome.kept, rejections, run_id, quarantined_docs,
                             outcome.failed_expectations)
    tables = (validate_tables_task(quote(batch), quote(validator)) if validator is not None
              else TableValidation())
    validation_rows.extend(tables.results)
    _count_warnings(tables.results, summary)
    if tables.failing_docs:
        batch = quarantine_failing(batch, tables.failing_docs, run_id)
        rejections += [Rejection(q["doc_id"], q["source_uri"], q["stage"], q["reason"], q["detail"])
                       for q in batch.quarantine if q["doc_id"] in tables.failing_docs]
    if con is not None and stored is None:
        kept_ids = {a["doc_id"] for a in batch.articles}
        articles = [a for a in outcome.kept if a.doc_id in kept_ids]
        batch.line_templates = template_rows(articles, wh.known_urls(
            con, [a.page.doc.url or a.page.canonical_url for a in articles]))
    batch.sources = p.sources
    if con is None:
        stage_task(settings.staging_dir, run_id, n, quote(batch))
        summary.staged_batches += 1
        summary.staged += len(batch.articles)
    else:
        load_task(quote(con), quote(batch), settings.sql_dir,
                  [d.doc_id for d in new_docs] if stored is not None else None)
        summary.loaded += len(batch.articles)
    for r in rejections:
        summary.add_quarantine(r.reason)
    log.debug("batch %d (%d documents) %s; so far %d loaded, %d skipped, %d quarantined", n,
              p.size, "staged" if con is None else "loaded", summary.loaded + summary.staged,
              summary.skipped, summary.quarantined)


def _count_warnings(results: list[dict], summary: RunSummary) -> None:
    for r in results:
        if r["severity"] != "critical" and not r["success"]:
            summary.warnings[r["expectation"]] = (summary.warnings.get(r["expectation"], 0)
                                                  + int(r["unexpected_count"] or 0))


def _skip_known(con, read: BatchResult, seen: _Seen, summary: RunSummary):
    """Incremental: drop documents already in the warehouse or earlier in this run."""
    rejections: list[Rejection] = list(read.rejected)
    known = set() if con is None else wh.known_doc_ids(
        con, [d.doc_id for d in read.kept] + [r.doc_id for r in rejections if r.doc_id])
    new_docs: list[RawDocument] = []
    for d in read.kept:
        if d.doc_id in known:
            summary.add_skip("already_loaded")
        elif d.doc_id in seen.ids:
            summary.add_skip("duplicate_in_run")
        else:
            seen.ids.add(d.doc_id)
            new_docs.append(d)
    fresh = []
    for r in rejections:
        if r.doc_id and (r.doc_id in known or r.doc_id in seen.ids):
            summary.add_skip("already_quarantined")
        else:
            if r.doc_id:
                seen.ids.add(r.doc_id)
            fresh.append(r)
    known_q = set() if con is None else wh.known_quarantine_ids(
        con, [wh_qid(r) for r in fresh if not r.doc_id])
    out = []
    for r in fresh:
        if not r.doc_id and wh_qid(r) in known_q:
            summary.add_skip("already_quarantined")
        else:
            out.append(r)
    return new_docs, out


def wh_qid(r: Rejection) -> str:
    from flows.stages.load import quarantine_id

    return quarantine_id(r.doc_id, r.source_uri)


def default_inputs(settings: Settings) -> list[str]:
    return [str(settings.examples_dir)]


def run(inputs: list[str], settings: Settings, reprocess: bool = False,
        retry_quarantined: bool = False, warehouse_slot_wanted: bool = True) -> RunSummary:
    """Entry point for the CLI and tests."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if reprocess or retry_quarantined:
        return newsflow_run(inputs=[], settings=settings, reprocess=reprocess,
                            retry_quarantined=retry_quarantined,
                            warehouse_slot_wanted=warehouse_slot_wanted)
    return newsflow_run(inputs=inputs or default_inputs(settings), settings=settings,
                        warehouse_slot_wanted=warehouse_slot_wanted)
