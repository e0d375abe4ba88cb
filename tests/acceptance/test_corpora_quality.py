"""Acceptance: newsflow on the shared corpora (pages nobody here chose) against pinned floors.

Runs the real command on fundus and trafilatura-eval, as HTML and as plain text, and scores
each warehouse with the corpora's own scorers (`bench/corpora.py`; about two minutes in
all). Floors live in quality_floors.json under "corpora": set slightly below the figures
measured when they were pinned; raise them when the scores rise, never lower them silently.
Skips with a message when ../shared/corpora is absent.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text())["corpora"]


def _corpora_module():
    spec = importlib.util.spec_from_file_location("corpora", ROOT / "bench" / "corpora.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    mod = _corpora_module()
    if not mod.available(SHARED):
        pytest.skip(f"no corpora under {SHARED}")
    return mod.measure(SHARED, keep=tmp_path_factory.mktemp("corpora"))


def _floor_cases():
    return [(corpus, key) for corpus, floors in sorted(FLOORS.items())
            if not corpus.startswith("_") for key in sorted(floors)]


@pytest.mark.parametrize("corpus,key", _floor_cases(), ids=[f"{c}:{k}" for c, k in _floor_cases()])
def test_corpus_floor(results, corpus, key):
    got = results[corpus][key]
    assert got >= FLOORS[corpus][key], f"{corpus} {key} {got:.4f} < floor {FLOORS[corpus][key]}"
