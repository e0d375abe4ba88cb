"""The newsflow Prefect flow: read -> clean -> detect -> validate -> load, batch by batch.

The flow only wires tasks; each task is a thin wrapper over one pure batch function in
`flows.stages`. Tasks move batches, never one task per document (the orchestrator's
overhead would dominate). The flow process holds the one DuckDB writer for the run; the
CPU stages (clean, detect) run in worker processes when a batch is big enough to pay
for them. Each batch is loaded in one transaction and keyed on content hashes, so a
repeated or resumed run changes nothing.
"""
from __future__ import annotations

import logging
import os
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Sequence

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
# Batches are big nested records: quote() stops Prefect from walking every field of every
# document looking for futures (that walk cost as much CPU as extraction itself).
from prefect.utilities.annotations import quote

from flows import postload
from flows import warehouse as wh
from flows.config import Settings
from flows.records import Article, BatchResult, RawDocument, Rejection, SourceRef
from flows.stages.clean import CleanOptions
from flows.stages.detect import OutletRegistry, load_registry
from flows.stages.lines import load_line_rules
from flows.stages.load import build_load_batch
from flows.stages.read import ReadOptions, list_sources, read_batch
from flows.stages.validate import Validator, load_suites, merge_results, validate_articles
from flows.worker import ExtractOptions, extract_chunk

log = logging.getLogger("newsflow")

MIN_DOCS_FOR_POOL = 16


@dataclass
class RunSummary:
    """What a run did, in counts that add up: seen = loaded + skipped + quarantined."""

    run_id: str = ""
    warehouse: str = ""
    seen: int = 0
    loaded: int = 0
    skipped: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    status: str = "running"

    def add_quarantine(self, reason: str, n: int = 1) -> None:
        self.quarantined += n
        self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + n

    def add_skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + n

    def as_dict(self) -> dict:
        return asdict(self)


def _chunks(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ---------------------------------------------------------------- tasks (thin wrappers)

@task(name="discover", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def discover_task(inputs: list[str]) -> list[SourceRef]:
    return list(list_sources(inputs))


@task(name="read", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def read_task(refs: list[SourceRef], opts: ReadOptions) -> BatchResult:
    return read_batch(refs, opts)


@task(name="clean-detect", cache_policy=NO_CACHE)
def extract_task(docs: list[RawDocument], opts: ExtractOptions, pool: Executor | None,
                 workers: int) -> tuple[BatchResult, BatchResult]:
    """Clean then detect. Large batches are split across worker processes."""
    if pool is None or len(docs) < MIN_DOCS_FOR_POOL:
        return extract_chunk(docs, opts)
    size = max(1, -(-len(docs) // workers))
    parts = list(pool.map(extract_chunk, list(_chunks(docs, size)), [opts] * workers))
    cleaned = _merge([p[0] for p in parts])
    detected = _merge([p[1] for p in parts])
    return cleaned, detected


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(articles: list[Article], validator: Validator):
    return validate_articles(articles, validator)


@task(name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load_task(con, batch, sql_dir: Path) -> dict[str, int]:
    # Safe to retry: one transaction per batch, every insert keyed on natural keys.
    return wh.load_batch(con, batch, sql_dir)


def _merge(results: list[BatchResult]) -> BatchResult:
    kept, rejected, counts = [], [], {}
    for r in results:
        kept.extend(r.kept)
        rejected.extend(r.rejected)
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    return BatchResult(tuple(kept), tuple(rejected), counts)


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
    return "\n".join(lines)


# ---------------------------------------------------------------- the flow

@flow(name="newsflow", log_prints=False, validate_parameters=False)
def newsflow_run(inputs: list[str], warehouse: str | None = None,
                 settings: Settings | None = None) -> RunSummary:
    """Run the pipeline over INPUTs (files, directories, globs) into the warehouse."""
    settings = settings or Settings.from_env(warehouse)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    summary = RunSummary(run_id=run_id, warehouse=str(settings.warehouse))

    refs = discover_task(inputs)
    log.info("found %d input documents", len(refs))
    registry = load_registry(settings.reference_dir)
    extract_opts = ExtractOptions(
        clean=CleanOptions(rules=load_line_rules(settings.reference_dir)),
        registry=registry, language_seed=settings.language_seed)
    read_opts = ReadOptions(max_bytes=settings.max_bytes)
    validator = Validator(load_suites(settings.expectations_dir))
    validation_rows: list[dict] = []

    con = wh.connect(settings.warehouse, wait_s=settings.lock_wait_s)
    pool: ProcessPoolExecutor | None = None
    try:
        wh.migrate(con, settings.sql_dir)
        wh.refresh_reference(con, _registry_rows(registry))
        wh.start_run(con, run_id, run_id, [str(i) for i in inputs])
        workers = settings.workers
        if settings.dask_address:
            from flows.dask_runner import DaskExecutor

            pool = DaskExecutor(settings.dask_address)
            workers = pool.workers
        elif settings.workers > 1 and len(refs) >= MIN_DOCS_FOR_POOL:
            pool = ProcessPoolExecutor(settings.workers, mp_context=get_context("forkserver"))
        seen_in_run: dict[str, str] = {}
        for n, batch_refs in enumerate(_chunks(refs, settings.batch_size), start=1):
            summary.seen += len(batch_refs)
            read = read_task(quote(batch_refs), quote(read_opts))
            rejections: list[Rejection] = list(read.rejected)

            # Incremental: skip documents already in the warehouse or earlier in this run.
            known = wh.known_doc_ids(con, [d.doc_id for d in read.kept]
                                     + [r.doc_id for r in rejections if r.doc_id])
            new_docs: list[RawDocument] = []
            for d in read.kept:
                if d.doc_id in known:
                    summary.add_skip("already_loaded")
                elif d.doc_id in seen_in_run:
                    summary.add_skip("duplicate_in_run")
                else:
                    seen_in_run[d.doc_id] = d.source_uri
                    new_docs.append(d)
            fresh_rejections = []
            for r in rejections:
                if r.doc_id and r.doc_id in known:
                    summary.add_skip("already_quarantined")
                else:
                    fresh_rejections.append(r)
            known_q = wh.known_quarantine_ids(con, [wh_qid(r) for r in fresh_rejections if not r.doc_id])
            rejections = []
            for r in fresh_rejections:
                if not r.doc_id and wh_qid(r) in known_q:
                    summary.add_skip("already_quarantined")
                else:
                    rejections.append(r)

            cleaned, detected = extract_task(quote(new_docs), quote(extract_opts), quote(pool), workers)
            rejections += list(cleaned.rejected) + list(detected.rejected)
            outcome = validate_task(quote(list(detected.kept)), quote(validator))
            validation_rows.extend(outcome.results)
            rejections += outcome.rejected
            for r in outcome.results:
                if r["severity"] != "critical" and not r["success"]:
                    summary.warnings[r["expectation"]] = (summary.warnings.get(r["expectation"], 0)
                                                          + int(r["unexpected_count"] or 0))

            by_id = {d.doc_id: d for d in new_docs}
            quarantined_docs = [by_id[r.doc_id] for r in rejections if r.doc_id in by_id]
            batch = build_load_batch(outcome.kept, rejections, run_id, quarantined_docs,
                                     outcome.failed_expectations)
            load_task(quote(con), quote(batch), settings.sql_dir)
            summary.loaded += len(outcome.kept)
            for r in rejections:
                summary.add_quarantine(r.reason)
            log.info("batch %d: %d/%d documents done (loaded %d, skipped %d, quarantined %d)",
                     n, summary.seen, len(refs), summary.loaded, summary.skipped, summary.quarantined)

        wh.record_validation(con, run_id, merge_results(validation_rows))
        postload.refresh(con, settings.sql_dir)
        summary.status = "completed"
        wh.finish_run(con, run_id, "completed", summary.as_dict())
    except BaseException:
        summary.status = "failed"
        try:
            wh.finish_run(con, run_id, "failed", summary.as_dict())
        except Exception:  # the original error matters more
            log.exception("could not record the failed run")
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        con.close()

    create_markdown_artifact(markdown=_summary_markdown(summary), key="newsflow-run-summary",
                             description="newsflow run: documents loaded, skipped, quarantined")
    return summary


def wh_qid(r: Rejection) -> str:
    from flows.stages.load import quarantine_id

    return quarantine_id(r.doc_id, r.source_uri)


def default_inputs(settings: Settings) -> list[str]:
    return [str(settings.examples_dir)]


def run(inputs: list[str], settings: Settings) -> RunSummary:
    """Entry point for the CLI and tests."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    return newsflow_run(inputs=inputs or default_inputs(settings), settings=settings)
