"""How the flow cuts its input into batches (pure; no Prefect)."""
from __future__ import annotations

import pytest

from flows.pipeline import _tapered_batches


@pytest.mark.parametrize("n", [0, 1, 63, 100, 512, 513, 1000, 1500, 5000])
def test_batches_keep_every_item_once_in_order(n):
    out = [x for b in _tapered_batches(iter(range(n)), 512) for x in b]
    assert out == list(range(n))


def test_full_batches_then_halves_down_to_an_eighth():
    sizes = [len(b) for b in _tapered_batches(range(5000), 512)]
    assert sizes == [512] * 8 + [452, 226, 113, 113]
    assert [len(b) for b in _tapered_batches(range(1500), 512)] == [512, 494, 247, 123, 124]


def test_small_runs_and_small_sizes_are_not_tapered():
    assert [len(b) for b in _tapered_batches(range(300), 512)] == [300]
    assert [len(b) for b in _tapered_batches(range(7), 3)] == [3, 3, 1]
