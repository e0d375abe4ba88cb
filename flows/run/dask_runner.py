"""Run the CPU stage (`flows.run.worker.extract_chunk`) on an existing Dask cluster.

The flow keeps its shape: one Prefect task per batch, the flow process still reads, validates
and is the one DuckDB writer. Only the clean+detect work of a batch is split into chunks
and sent to the cluster with `distributed.Client.map`; results come back as the same
`BatchResult`s the local process pool returns, so the tables are identical.

Why not prefect-dask's `DaskTaskRunner(address=...)`: it makes every chunk a Prefect task
run *on the Dask worker*, so each worker needs the Prefect API (without a shared
PREFECT_API_URL each worker process starts its own temporary server: 20 small tasks took
50 s instead of 2 here), and each chunk pays task-run bookkeeping. `flows.run.worker` imports
no Prefect, so a plain `client.map` needs nothing on the workers but this package and its
extraction libraries, and costs one scheduler round trip per chunk.

`DaskExecutor` is a `concurrent.futures.Executor`, so the flow uses it exactly where it
uses its `ProcessPoolExecutor`. Workers must be able to import `flows` (install the
project, same version, in the workers' environment).
"""
from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from typing import Any, Callable, Iterable, Iterator

log = logging.getLogger("newsflow")


class DaskExecutor(Executor):
    """`map`/`submit` on a Dask cluster at `address` ("tcp://host:8786")."""

    def __init__(self, address: str, timeout_s: float = 30.0, client=None):
        from distributed import Client

        self.address = address
        self._own_client = client is None
        self.client = client or Client(address, timeout=timeout_s, set_as_default=False)

    @property
    def workers(self) -> int:
        """Total worker threads in the cluster: how many chunks to cut a batch into."""
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) \
            else self.client.scheduler_info()
        n = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
        return max(1, n)

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        return _as_cf(self.client.submit(fn, *args, pure=False, **kwargs))

    def map(self, fn: Callable, *iterables: Iterable, timeout: float | None = None,
            chunksize: int = 1) -> Iterator[Any]:
        futures = self.client.map(fn, *[list(it) for it in iterables], pure=False)
        # Results in input order, like Executor.map; a worker's exception is raised here.
        return iter(self.client.gather(futures))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._own_client and self.client is not None:
            self.client.close()
        self.client = None


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def _as_cf(dask_future) -> Future:
    """A concurrent.futures.Future that completes with the Dask future."""
    out: Future = Future()

    def done(f):
        try:
            out.set_result(f.result())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            out.set_exception(exc)

    dask_future.add_done_callback(done)
    return out



class DaskExtractPool:
    """The flow's extraction pool on a Dask cluster: the same `opts` / `extract(docs)` /
    `close()` interface as `flows.run.worker.ExtractPool`. A batch is cut into about two chunks
    per worker thread; results are merged in input order. (No per-document timeout here:
    a stuck page holds one Dask task; set the cluster's own limits.)"""

    def __init__(self, opts, address: str, executor: DaskExecutor | None = None):
        self.opts = opts
        self.executor = executor or DaskExecutor(address)

    def extract(self, docs, on_docs=None):
        """`on_docs(done, rejected)` is told as each chunk's results come back."""
        from flows.run.worker import extract_for_the_flow, merge, nothing_extracted, with_docs

        docs = list(docs)
        if not docs:
            return nothing_extracted()
        parts = max(1, min(len(docs), 2 * self.executor.workers))
        size = -(-len(docs) // parts)
        chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
        results = []
        for chunk, r in zip(chunks, self.executor.map(extract_for_the_flow, chunks,
                                                        [self.opts] * len(chunks))):
            results.append(r)
            if on_docs is not None:
                on_docs(len(chunk), len(r[0].rejected) + len(r[1].rejected))
        return (merge([r[0] for r in results]),
                with_docs(merge([r[1] for r in results]), {d.doc_id: d for d in docs}))

    def close(self) -> None:
        self.executor.shutdown()
