"""Imported once by the extraction workers' forkserver, so every worker forks with the
libraries loaded and langdetect's 55 language profiles parsed (about 1.5 s of CPU a worker
would otherwise spend before its first document), and jusText's stop lists read. Importing this module in any other
process only costs that time there; nothing else depends on it."""
import trafilatura  # noqa: F401
from langdetect.detector_factory import init_factory

init_factory()
import flows.stages.detect._fast_langdetect  # noqa: E402,F401  (and numpy)

from flows.stages._stoplists import load_stoplists

load_stoplists().lists  # noqa: B018  (reads and caches them in this process)
