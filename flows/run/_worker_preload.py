"""Imported once by the extraction workers' forkserver, so every worker forks with the
libraries loaded and langdetect's 55 language profiles parsed (about 1.5 s of CPU a worker
would otherwise spend before its first document), and jusText's stop lists read. Importing
this module in any other process only costs that time there; nothing else depends on it.

datasketch is imported here too: its package imports scipy, redis and cryptography (~45 MB
and ~0.5 s of CPU), which each worker otherwise paid again on its first document (the
MinHash signature). Last, `gc.freeze()` moves everything loaded so far out of the
collector's reach: a collection in a worker then never writes to these objects' headers,
so their memory pages stay shared with the forkserver instead of being copied per worker.
"""
import gc

import trafilatura  # noqa: F401
from langdetect.detector_factory import init_factory

init_factory()
import datasketch  # noqa: E402,F401  (MinHash for the syndication signatures)

import flows.stages.detect._fast_langdetect  # noqa: E402,F401  (and numpy)

from flows.stages._stoplists import load_stoplists

load_stoplists().lists  # noqa: B018  (reads and caches them in this process)

gc.collect()
gc.freeze()
