"""The batch form shared by every stage: apply a per-document function to a batch.

Expected failures come back from the function as `Rejection` values; an unexpected
exception on one document becomes the rejection `error_<Type>` and is logged once, so one
bad page never sinks a batch. Counts are kept by reason, plus `<label>` for the kept ones.
"""
from __future__ import annotations

import logging
from typing import Callable, Iterable, TypeVar

from flows.records import BatchResult, Rejection

log = logging.getLogger(__name__)

T = TypeVar("T")


def apply_batch(items: Iterable[T], fn: Callable[[T], object], *, stage: str, label: str,
                identity: Callable[[T], tuple[str | None, str]]) -> BatchResult:
    """`fn` on each item; `identity(item)` gives (doc_id, source_uri) for error rejections."""
    kept, rejected, counts = [], [], {}
    for item in items:
        try:
            out = fn(item)
        except Exception as exc:  # one bad document must not sink the batch
            doc_id, uri = identity(item)
            log.exception("%s failed on %s", stage, uri)
            out = Rejection(doc_id, uri, stage, f"error_{type(exc).__name__}", str(exc)[:500])
        if isinstance(out, Rejection):
            rejected.append(out)
            counts[out.reason] = counts.get(out.reason, 0) + 1
        else:
            kept.append(out)
    counts[label] = len(kept)
    return BatchResult(kept=tuple(kept), rejected=tuple(rejected), counts=counts)
