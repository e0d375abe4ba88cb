"""Settings: the only reader of environment variables, the only place paths are built.

Everything else receives a `Settings` (or the pieces of it it needs) as an argument, so
stages stay pure and tests can point a run at a temporary warehouse.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Quiet, offline defaults for the libraries we orchestrate. Set before prefect / GX are
# imported (cli.py calls `apply_library_environment` first thing), never overriding a
# value the user chose.
LIBRARY_ENVIRONMENT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    # Prefect's temporary server can take >20 s to start on a cold, busy machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
    # Server services a one-shot local run does not need. Names checked against
    # prefect/settings/models/server/services.py (3.9.1) by tests/unit/test_startup.py.
    # A temporary server runs only the "ephemeral" services (task run recorder, event
    # persister, triggers/actions, event logger, distributors); the others are listed so
    # a `prefect server start` launched from this environment stays quiet too.
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED": "false",
    # Kept on: they record task-run states and events, which the Prefect UI shows.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "true",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "true",
    "TQDM_DISABLE": "1",
}


def apply_library_environment(environ: dict | None = None) -> None:
    """Set telemetry-off and start-up defaults unless the user already set them."""
    env = os.environ if environ is None else environ
    for key, value in LIBRARY_ENVIRONMENT.items():
        env.setdefault(key, value)


MIB = 1024 * 1024


def machine_memory_bytes() -> int:
    """Memory this process may use: the machine's RAM, or the cgroup's limit when lower
    (a container or a systemd slice), so limits derived from it fit where newsflow runs."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 4 * 1024 * MIB
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and 0 < int(raw) < total:
            total = int(raw)
    return total


def default_duckdb_memory_mib(machine_bytes: int | None = None) -> int:
    """DuckDB's buffer pool for the run's writer: 1/64 of the machine's memory, at least
    256 MiB and at most 1 GiB. Beyond it DuckDB spills to its temporary directory; what it
    cannot spill is one transaction's rows, which `default_batch_bytes` keeps well below."""
    machine = machine_bytes if machine_bytes is not None else machine_memory_bytes()
    return max(256, min(1024, machine // MIB // 64))


def default_batch_bytes(memory_mib: int) -> int:
    """Raw (decompressed) bytes per batch: a batch is validated and loaded in one DuckDB
    transaction, whose rows (the stored page, its text, paragraphs and removed lines: about
    twice the page) must fit in the buffer pool, and the flow process holds two batches'
    pages (one loading, one extracting). A twelfth of the pool keeps both small: on 5,000
    all-HTML pages the whole process tree peaked at 2.06 GB with an eighth."""
    return max(16 * MIB, memory_mib * MIB // 12)


def default_checkpoint_threshold(memory_bytes: int) -> int:
    """Write-ahead log bytes after which DuckDB checkpoints the writer's database: a quarter
    of its buffer pool, at least DuckDB's default 16 MiB. Each checkpoint rewrites the open
    row group of raw.documents (up to 2,048 pages, `warehouse.ROW_GROUP_SIZE`), so one per
    commit (a batch's log is larger than 16 MiB) cost 5 s of the flow's 60 s of CPU on
    5,000 all-HTML pages; a quarter pool halves that. Committed rows not yet checkpointed
    hold pool memory, so the log may not grow near the pool's size: that load also
    completes in a 256 MB pool."""
    return max(16 * MIB, memory_bytes // 4)


def parse_size(value: str) -> int:
    """Bytes from a size as DuckDB writes them ("256MB", "2GiB", "1.5GB", "65536")."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*", str(value), re.IGNORECASE)
    if not m:
        raise ValueError(f"not a size: {value!r} (write e.g. 512MB or 2GB)")
    unit = (m.group(2) or "").lower().rstrip("b").rstrip("i")
    scale = {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}[unit]
    return int(float(m.group(1)) * scale)


_DEFAULT_MEMORY_MIB = default_duckdb_memory_mib()


@dataclass(frozen=True)
class Settings:
    """Where things are and how big batches are. Built once per run by `from_env`."""

    project_root: Path = PROJECT_ROOT
    warehouse: Path = PROJECT_ROOT / "warehouse" / "news.duckdb"
    reference_dir: Path = PROJECT_ROOT / "warehouse" / "reference"
    sql_dir: Path = PROJECT_ROOT / "sql"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    examples_dir: Path = PROJECT_ROOT / "examples"
    # GX costs ~0.2 s per suite run and Prefect ~0.1 s of API work per task run, whatever
    # the size: big batches amortise both (the last ones are smaller, see _tapered_batches)
    batch_size: int = 512
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    doc_timeout_s: float = 30.0
    max_bytes: int = 20 * 1024 * 1024  # decompressed size cap per document
    language_seed: int = 0
    template_min_docs: int = 3  # a line on this many pages of one site is that site's chrome
    lock_wait_s: float = 60.0
    # DuckDB's buffer pool for the run's writer connection, from the machine's memory
    # (default_duckdb_memory_mib). DuckDB's default (80 % of RAM) lets the process grow with
    # the warehouse; with a cap, big operations spill to the temporary directory beside the
    # file instead, and memory stays flat however large the crawl. NEWSFLOW_DUCKDB_MEMORY_LIMIT
    # or --duckdb-memory-limit, any DuckDB size ("256MB", "2GB").
    duckdb_memory_limit: str = f"{_DEFAULT_MEMORY_MIB}MB"
    # A batch is also cut when its documents' raw bytes reach this (all-HTML crawls and
    # 15 MB pages: a count alone lets one transaction outgrow the buffer pool).
    # NEWSFLOW_BATCH_BYTES or --batch-bytes; 0 derives it from the memory limit.
    batch_bytes: int = 0
    # Address of a running Dask scheduler ("tcp://host:8786"); None runs the CPU stage in
    # local worker processes. See flows/run/dask_runner.py.
    dask_address: str | None = None

    @property
    def local_workers(self) -> bool:
        """Whether extraction runs in local worker processes (not in-process, not on Dask)."""
        return self.workers > 0 and self.doc_timeout_s > 0 and not self.dask_address

    @property
    def effective_batch_bytes(self) -> int:
        """The byte cap per batch: as set, or derived from DuckDB's memory limit."""
        if self.batch_bytes > 0:
            return self.batch_bytes
        return default_batch_bytes(parse_size(self.duckdb_memory_limit) // MIB)

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills what does not fit its memory limit (its own default too)."""
        return self.warehouse.with_name(self.warehouse.name + ".tmp")

    @property
    def run_log_path(self) -> Path:
        """Warnings and tracebacks of runs into this warehouse (`news.duckdb` -> `news.log`)."""
        return self.warehouse.with_suffix(".log")

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse.parent

    @property
    def staging_dir(self) -> Path:
        return self.warehouse_dir / "staging"

    @property
    def reports_dir(self) -> Path:
        """The data-quality reports of this warehouse, in a folder named after it
        (`w.duckdb` -> `w.reports/`), so two warehouses in one folder keep theirs apart."""
        return self.warehouse_dir / f"{self.warehouse.stem}.reports"

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs (a site: open its index.html)."""
        return self.reports_dir / "data_docs"

    @property
    def validation_store_dir(self) -> Path:
        """GX's validation results store that Data Docs are built from (the last runs')."""
        return self.reports_dir / "validation_results"

    @property
    def dashboard_path(self) -> Path:
        return self.reports_dir / "dashboard.html"

    @classmethod
    def from_env(cls, warehouse: str | os.PathLike | None = None, **overrides) -> "Settings":
        """Settings from NEWSFLOW_* environment variables, then explicit overrides."""
        s = cls()
        env = os.environ

        def read(name: str, conv):
            try:
                return conv(env[name])
            except ValueError:  # one line that names the variable, for the CLI
                raise ValueError(f"{name}={env[name]!r} is not a valid value") from None

        if env.get("NEWSFLOW_WAREHOUSE"):
            s = replace(s, warehouse=Path(env["NEWSFLOW_WAREHOUSE"]))
        if env.get("NEWSFLOW_BATCH_SIZE"):
            s = replace(s, batch_size=read("NEWSFLOW_BATCH_SIZE", int))
        if env.get("NEWSFLOW_WORKERS"):
            s = replace(s, workers=read("NEWSFLOW_WORKERS", int))
        if env.get("NEWSFLOW_DOC_TIMEOUT"):
            s = replace(s, doc_timeout_s=read("NEWSFLOW_DOC_TIMEOUT", float))
        if env.get("NEWSFLOW_LOCK_WAIT"):
            s = replace(s, lock_wait_s=read("NEWSFLOW_LOCK_WAIT", float))
        if env.get("NEWSFLOW_DUCKDB_MEMORY_LIMIT"):
            read("NEWSFLOW_DUCKDB_MEMORY_LIMIT", parse_size)
            s = replace(s, duckdb_memory_limit=env["NEWSFLOW_DUCKDB_MEMORY_LIMIT"])
        if env.get("NEWSFLOW_BATCH_BYTES"):
            s = replace(s, batch_bytes=read("NEWSFLOW_BATCH_BYTES", parse_size))
        if env.get("NEWSFLOW_DASK_ADDRESS"):
            s = replace(s, dask_address=env["NEWSFLOW_DASK_ADDRESS"])
        if warehouse is not None:
            s = replace(s, warehouse=Path(warehouse).resolve())
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(s, **overrides) if overrides else s
