"""CPU work for documents, run in worker processes: clean, then detect, with a timeout.

trafilatura and langdetect hold the GIL, so the CPU stages run in processes, not threads.
This module imports no Prefect, so a worker starts quickly; everything a worker needs
travels with it as an argument (`ExtractOptions`), so there is no hidden state.

`ExtractPool` is a small supervisor: one pipe per worker process, chunks of documents sent
to each, one result message back per document. A document that runs longer than the
per-document timeout (a huge, deeply nested or regex-hostile page) gets its worker killed
and replaced; the document is quarantined with reason `timeout` and the rest of its chunk
is sent again, so one pathological page never stalls a batch. (concurrent.futures cannot
stop a running task, hence the supervisor.)
"""
from __future__ import annotations

import functools
import logging
import math
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait
from typing import Callable, Mapping, Sequence

from flows.records import Article, BatchResult, RawDocument, Rejection
from flows.stages.load import page_line_prints, site_key
from flows.stages.syndicate import SyndicateOptions, signature
from flows.stages.clean.walls import WallRules, reject_walls
from flows.stages.clean.cleaner import CleanOptions, clean_batch
from flows.stages.detect.detector import OutletRegistry, detect_batch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractOptions:
    clean: CleanOptions
    registry: OutletRegistry
    language_seed: int = 0
    walls: WallRules | None = None  # cookie/login walls and error pages, rejected after cleaning
    # Learned site chrome: site (URL host) -> fingerprints of lines seen on many of its pages.
    templates: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # MinHash signatures for syndication (None: left to the post-load hook), and line
    # fingerprints for template learning, computed here with the other per-document work.
    syndicate: SyndicateOptions | None = field(default_factory=SyndicateOptions)
    line_prints: bool = True
    # Called with each document before it is cleaned, in the worker (a picklable top-level
    # function). For tests and diagnostics, e.g. to simulate a page that hangs.
    before_doc: Callable[[RawDocument], None] | None = None




def extract_chunk(docs: Sequence[RawDocument], opts: ExtractOptions) -> tuple[BatchResult, BatchResult]:
    """Clean and detect a chunk; returns the two stages' batch results. Packed documents
    (the flow's form, when it runs this in-process or on Dask) are unpacked first."""
    docs = [d.unpacked() for d in docs]
    if opts.before_doc is not None:
        for d in docs:
            opts.before_doc(d)
    cleaned = _clean_by_site(docs, opts)
    if opts.walls is not None:
        cleaned = _reject_walls(cleaned, opts.walls)
    detected = detect_batch(cleaned.kept, opts.registry, opts.language_seed,
                            opts.clean.rules.stoplists)
    if opts.syndicate is not None or opts.line_prints:
        detected = replace(detected, kept=tuple(_annotate(a, opts) for a in detected.kept))
    return cleaned, detected


def extract_for_the_flow(docs: Sequence[RawDocument], opts: ExtractOptions) -> tuple[BatchResult, BatchResult]:
    """`extract_chunk`'s results as a remote worker (a Dask task) sends them back: without
    the raw pages the flow already holds (`_for_the_flow`; `with_docs` puts them back)."""
    return _for_the_flow(*extract_chunk(docs, opts))


def nothing_extracted() -> tuple[BatchResult, BatchResult]:
    """What extracting no document gives: the (cleaned, detected) pair with zero counts."""
    return BatchResult(counts={"cleaned": 0}), BatchResult(counts={"detected": 0})


def _annotate(a: Article, opts: ExtractOptions) -> Article:
    """The article with its MinHash signature and line fingerprints (see ExtractOptions)."""
    minhash = None
    if opts.syndicate is not None:
        sig = signature(a.doc_id, a.page.text, opts.syndicate, _permutations(opts.syndicate))
        minhash = (opts.syndicate.method, sig.shingle_count, sig.hashvalues)
    # Fingerprints only serve template learning, which is per site: none for pages without
    # an address (the loader skips those).
    has_site = site_key(a.page.doc.url or a.page.canonical_url) is not None
    prints = page_line_prints(a.page) if opts.line_prints and has_site else ()
    return replace(a, minhash=minhash, line_prints=prints)


@functools.lru_cache(maxsize=4)
def _permutations(opts: SyndicateOptions):
    """datasketch's permutations for these options: the same for every document, and about
    as costly to make as a signature, so made once per worker."""
    from datasketch import MinHash

    return MinHash(num_perm=opts.num_perm, seed=opts.seed, scheme=opts.scheme).permutations


def _clean_by_site(docs: Sequence[RawDocument], opts: ExtractOptions) -> BatchResult:
    """Clean, giving each document its site's learned templates (none for pages without URL)."""
    if not opts.templates:
        return clean_batch(docs, opts.clean)
    groups: dict[str | None, list[RawDocument]] = {}
    for d in docs:
        site = site_key(d.url)
        groups.setdefault(site if site in opts.templates else None, []).append(d)
    return merge([clean_batch(group, opts.clean if site is None
                              else replace(opts.clean, templates=opts.templates[site]))
                  for site, group in groups.items()])


def _reject_walls(cleaned: BatchResult, rules: WallRules) -> BatchResult:
    kept, rejected, counts = [], list(cleaned.rejected), dict(cleaned.counts)
    for page in cleaned.kept:
        out = reject_walls(page, rules)
        if isinstance(out, Rejection):
            rejected.append(out)
            counts[out.reason] = counts.get(out.reason, 0) + 1
            counts["cleaned"] = counts.get("cleaned", 1) - 1
        else:
            kept.append(page)
    return BatchResult(tuple(kept), tuple(rejected), counts)


def merge(results: Sequence[BatchResult]) -> BatchResult:
    kept, rejected, counts = [], [], {}
    for r in results:
        kept.extend(r.kept)
        rejected.extend(r.rejected)
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    return BatchResult(tuple(kept), tuple(rejected), counts)


def _worker_main(conn, opts: ExtractOptions) -> None:
    """Worker loop: warm up, say ready, then per chunk send back (i, cleaned, detected) per document."""
    try:  # first use imports and compiles lazily; keep that off the first document's clock
        extract_chunk([_WARM_UP_DOC], replace(opts, before_doc=None))
    except Exception:
        pass
    conn.send("ready")
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        for i, doc in enumerate(_received(chunk)):
            try:
                cleaned, detected = extract_chunk([doc], opts)
            except Exception as exc:  # extract_chunk already turns per-page errors into rejections
                r = Rejection(doc.doc_id, doc.source_uri, "clean", f"error_{type(exc).__name__}",
                              str(exc)[:500])
                cleaned, detected = BatchResult((), (r,), {r.reason: 1}), BatchResult()
            conn.send((i, *_for_the_flow(cleaned, detected)))


def _to_send(chunk: Sequence[RawDocument]) -> list[tuple[RawDocument, bytes]]:
    """Documents as sent to a worker: each page's text as UTF-8 bytes beside it (a packed
    document's own bytes). Pickling a non-ASCII str makes CPython cache its UTF-8 form
    inside the str for the str's lifetime, so an unpacked page sent would hold its text
    twice until it is loaded."""
    return [(replace(d, text="", utf8=None), d.content_utf8) for d in chunk]


def _received(chunk: list[tuple[RawDocument, bytes]]) -> list[RawDocument]:
    return [replace(d, text=body.decode("utf-8", "surrogatepass")) for d, body in chunk]


def _for_the_flow(cleaned: BatchResult, detected: BatchResult) -> tuple[BatchResult, BatchResult]:
    """A worker's results without what the flow process already holds: the raw page (its
    HTML is most of a batch's bytes; sending it back doubled the flow's memory) and the
    cleaned pages, which the articles carry. `with_docs` puts the flow's own documents back."""
    articles = tuple(replace(a, page=replace(a.page, doc=replace(a.page.doc, text="")))
                     for a in detected.kept)
    return replace(cleaned, kept=()), replace(detected, kept=articles)


def with_docs(detected: BatchResult, docs: Mapping[str, RawDocument]) -> BatchResult:
    """The articles with their raw documents, taken from `docs` (by doc_id)."""
    articles = tuple(replace(a, page=replace(a.page, doc=docs[a.doc_id])) if a.doc_id in docs
                     else a for a in detected.kept)
    return replace(detected, kept=articles)


_WARM_UP_DOC = RawDocument(
    doc_id="0" * 64, source_uri="warm-up", url=None, content_type="html", encoding="utf-8",
    byte_size=0, text="<html><head><title>Warm up</title></head><body><article><p>"
                      + "A short paragraph of words to warm the cleaner up. " * 8
                      + "</p></article></body></html>")
STARTUP_TIMEOUT_S = 300.0


class _Worker:
    def __init__(self, ctx, opts: ExtractOptions):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, opts), daemon=True,
                                name="newsflow-extract")
        self.proc.start()
        child.close()
        self.ready = False
        self.chunk: list[RawDocument] = []
        self.next = 0
        self.deadline = math.inf

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT_S):
            raise RuntimeError(f"an extraction worker did not start within {STARTUP_TIMEOUT_S:g} s")
        msg = self.conn.recv()  # EOFError if it died while starting
        if msg != "ready":
            raise RuntimeError(f"unexpected first message from a worker: {msg!r}")
        self.ready = True

    def assign(self, chunk: list[RawDocument], timeout: float) -> None:
        self.wait_ready()
        self.chunk, self.next = chunk, 0
        self.deadline = time.monotonic() + timeout
        self.conn.send(_to_send(chunk))

    @property
    def busy(self) -> bool:
        return self.next < len(self.chunk)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)
        self.conn.close()


class ExtractPool:
    """Clean + detect in `workers` processes, with a per-document timeout.

    Workers start on first use and live until `close()` (use as a context manager).
    `extract(docs)` returns (cleaned, detected) like `extract_chunk`; documents that timed
    out or whose worker died are rejections with reason `timeout` / `worker_crashed`.
    """

    def __init__(self, opts: ExtractOptions | None, workers: int, doc_timeout_s: float,
                 start_method: str = "forkserver"):
        self.opts = opts
        self.max_workers = max(1, workers)
        self.timeout = doc_timeout_s
        self.ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # Imported once in the forkserver (started now, so it loads while the flow
            # prepares the warehouse); each worker forks with them loaded.
            from flows.run.startup import start_forkserver

            start_forkserver()
        self.workers: list[_Worker] = []
        self.replaced = 0

    def __enter__(self) -> "ExtractPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers = []

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self.workers[self.workers.index(w)] = _Worker(self.ctx, self.opts)
        self.replaced += 1

    def extract(self, docs: Sequence[RawDocument],
                on_docs: Callable[[int, int], None] | None = None) -> tuple[BatchResult, BatchResult]:
        """`on_docs(done, rejected)` is called in this thread as each document's result
        arrives (for progress; it must be cheap)."""
        docs = list(docs)
        tell = on_docs or (lambda done, rejected: None)
        if not docs:
            return nothing_extracted()
        n_workers = min(self.max_workers, len(docs))
        while len(self.workers) < n_workers:
            self.workers.append(_Worker(self.ctx, self.opts))
        # Small chunks: when a batch runs out, the other workers wait for the last chunk.
        size = max(1, min(8, math.ceil(len(docs) / (4 * n_workers))))
        pending = deque(docs[i:i + size] for i in range(0, len(docs), size))
        cleaned: list[BatchResult] = []
        detected: list[BatchResult] = []

        def fail(w: _Worker, reason: str, detail: str) -> None:
            doc = w.chunk[w.next]
            log.warning("%s on %s: %s", reason, doc.source_uri, detail)
            r = Rejection(doc.doc_id, doc.source_uri, "clean", reason, detail)
            cleaned.append(BatchResult((), (r,), {reason: 1}))
            tell(1, 1)
            rest = w.chunk[w.next + 1:]
            w.chunk, w.next = [], 0
            if rest:
                pending.appendleft(rest)
            self._replace(w)

        while pending or any(w.busy for w in self.workers):
            for w in self.workers:
                if not w.busy and pending:
                    w.assign(pending.popleft(), self.timeout)
            busy = [w for w in self.workers if w.busy]
            now = time.monotonic()
            ready = wait([w.conn for w in busy],
                         timeout=max(0.0, min(w.deadline for w in busy) - now))
            for w in busy:
                if w.conn not in ready:
                    continue
                try:
                    i, c, d = w.conn.recv()
                except (EOFError, OSError):
                    fail(w, "worker_crashed", f"the worker process died (exit code {w.proc.exitcode})")
                    continue
                cleaned.append(c)
                detected.append(d)
                tell(1, len(c.rejected) + len(d.rejected))
                w.next = i + 1
                w.deadline = time.monotonic() + self.timeout
            now = time.monotonic()
            for w in [w for w in self.workers if w.busy and w.deadline <= now]:
                fail(w, "timeout", f"cleaning took longer than {self.timeout:g} s; the worker was stopped")
        return merge(cleaned), with_docs(merge(detected), {d.doc_id: d for d in docs})
