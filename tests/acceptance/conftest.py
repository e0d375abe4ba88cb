"""The shared corpora run once per session through the real command (`bench/corpora.py`):
the quality floors and the false-quarantine check read the same four warehouses."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def _corpora_module():
    spec = importlib.util.spec_from_file_location("corpora", ROOT / "bench" / "corpora.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def corpora_runs(tmp_path_factory):
    """({corpus: scorer summary}, the folder holding `<corpus>.duckdb` for each corpus of
    `bench/corpora.CORPORA`): `newsflow run` with default settings on each, scored."""
    mod = _corpora_module()
    if not mod.available(SHARED):
        pytest.skip(f"no corpora under {SHARED}")
    workdir = tmp_path_factory.mktemp("corpora")
    return mod.measure(SHARED, keep=workdir), workdir
