"""How the flow cuts its input into batches (pure; no Prefect)."""
from __future__ import annotations

import pytest

from flows.run.pipeline import _tapered_batches


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


def test_batches_are_cut_by_bytes_too():
    # 100 items of 10 bytes, at most 512 items and 95 bytes a batch: nine items each.
    batches = list(_tapered_batches(range(100), 512, 95, lambda _x: 10))
    assert [x for b in batches for x in b] == list(range(100))
    assert all(len(b) <= 9 for b in batches)
    assert len(batches[0]) == 9


def test_an_item_heavier_than_the_byte_cap_goes_alone():
    weights = {0: 1, 1: 500, 2: 1, 3: 1}
    batches = list(_tapered_batches(range(4), 512, 100, weights.__getitem__))
    assert batches == [[0], [1], [2, 3]]


def test_byte_cap_keeps_the_taper_and_bounds_read_ahead():
    pulled = []

    def items():
        for i in range(5000):
            pulled.append(i)
            yield i

    gen = _tapered_batches(items(), 512, 1000, lambda _x: 10)  # 100 items a batch by bytes
    first = next(gen)
    assert len(first) == 100
    assert len(pulled) <= 200 + 1  # two batches' worth of bytes ahead, not 2 x 512 items
    rest = [x for b in gen for x in b]
    assert first + rest == list(range(5000))


def test_source_weight_reads_a_gzip_trailer(tmp_path):
    import gzip

    from flows.run.pipeline import source_weight
    from flows.records import SourceRef

    page = tmp_path / "p.html.gz"
    page.write_bytes(gzip.compress(b"x" * 100_000))
    plain = tmp_path / "p.txt"
    plain.write_bytes(b"y" * 1234)
    assert source_weight(SourceRef(str(page)), 10**9) == 100_000
    assert source_weight(SourceRef(str(page)), 5_000) == 5_000  # capped as the read is
    assert source_weight(SourceRef(str(plain)), 10**9) == 1234
    assert source_weight(SourceRef("x#1", container="x", payload=b"abc"), 10**9) == 3
    assert source_weight(SourceRef(str(tmp_path / "gone.txt")), 10**9) == 0
