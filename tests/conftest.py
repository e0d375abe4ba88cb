"""Shared fixtures: library environment, the shared gold data, a Prefect test harness."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.config import PROJECT_ROOT, Settings, apply_library_environment

apply_library_environment()
os.environ.setdefault("NEWSFLOW_WORKERS", "1")

SHARED = PROJECT_ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
BENCH = SHARED / "bench"
FIXTURES = Path(__file__).parent / "fixtures"


def need_shared(path: Path = SHARED) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared gold data sits beside the project)")
    return path


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect API for the whole session (starting one costs ~20 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env(tmp_path / "wh" / "test.duckdb", workers=1)
