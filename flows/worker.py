"""CPU work for one chunk of documents, run in a worker process: clean, then detect.

trafilatura and langdetect hold the GIL, so the CPU stages run in processes, not threads.
This module imports no Prefect, so a spawned worker starts quickly; everything a chunk
needs travels with it as an argument (`ExtractOptions`), so there is no hidden state.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

from flows.records import Article, BatchResult, RawDocument, Rejection
from flows.stages.clean import CleanOptions, clean_batch
from flows.stages.detect import OutletRegistry, detect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractOptions:
    clean: CleanOptions
    registry: OutletRegistry
    language_seed: int = 0


def detect_batch(pages, registry: OutletRegistry, seed: int) -> BatchResult:
    kept: list[Article] = []
    rejected: list[Rejection] = []
    counts: dict[str, int] = {}
    for page in pages:
        try:
            kept.append(detect(page, registry, seed))
        except Exception as exc:  # one odd page must not sink the batch
            log.exception("detect failed on %s", page.doc.source_uri)
            r = Rejection(page.doc.doc_id, page.doc.source_uri, "detect",
                          f"error_{type(exc).__name__}", str(exc)[:500])
            rejected.append(r)
            counts[r.reason] = counts.get(r.reason, 0) + 1
    counts["detected"] = len(kept)
    return BatchResult(kept=tuple(kept), rejected=tuple(rejected), counts=counts)


def extract_chunk(docs: Sequence[RawDocument], opts: ExtractOptions) -> tuple[BatchResult, BatchResult]:
    """Clean and detect a chunk; returns the two stages' batch results."""
    cleaned = clean_batch(docs, opts.clean)
    detected = detect_batch(cleaned.kept, opts.registry, opts.language_seed)
    return cleaned, detected
