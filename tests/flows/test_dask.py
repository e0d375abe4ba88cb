"""Dask mode: the CPU stage on a Dask cluster gives the same tables as a local run."""
from __future__ import annotations

import os

import duckdb
import pytest

from flows.config import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

PAGES = FIXTURES / "pages"
EXAMPLES = FIXTURES.parent.parent / "examples"
SCHEMAS = ("raw", "core", "dq")
SKIP_TABLES = {"dq.runs"}  # one row per run: ids and timestamps only


def _inputs() -> list[str]:
    return [str(p) for p in (PAGES, EXAMPLES) if p.exists()]


def _tables(path) -> dict[str, list[str]]:
    """Every table, minus run ids and timestamps, as sorted row reprs."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols: dict[str, list[str]] = {}
        for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_schema in ('raw', 'core', 'dq') and table_name in "
                "(select table_name from information_schema.tables where table_type = 'BASE TABLE') "
                "order by table_schema, table_name, ordinal_position").fetchall():
            if column.endswith("run_id") or column.endswith("_at"):
                continue
            cols.setdefault(f"{schema}.{table}", []).append(column)
        out = {}
        for name, columns in cols.items():
            if name in SKIP_TABLES:
                continue
            select = ", ".join(f'"{c}"' for c in columns)
            out[name] = sorted(map(repr, con.execute(f"select {select} from {name}").fetchall()))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    # Workers are spawned processes: they must import `flows` from this checkout.
    root = str(FIXTURES.parent.parent)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = root + (os.pathsep + old if old else "")
    try:
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address=None, silence_logs=40) as c:
            yield c
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def test_dask_run_equals_local_run(prefect_harness, cluster, tmp_path):
    from flows.run.pipeline import run

    inputs = _inputs()
    local = Settings.from_env(tmp_path / "local" / "w.duckdb", workers=1, batch_size=64)
    remote = Settings.from_env(tmp_path / "dask" / "w.duckdb", workers=1, batch_size=64,
                               dask_address=cluster.scheduler_address)
    first = run(inputs, local)
    second = run(inputs, remote)

    assert first.status == second.status == "completed"
    assert (first.seen, first.loaded, first.quarantined) == (second.seen, second.loaded, second.quarantined)
    assert first.loaded > 0
    # The chunks really went to the cluster.
    prefixes = set(cluster.scheduler.task_prefixes)
    assert "extract_for_the_flow" in prefixes, prefixes
    a, b = _tables(local.warehouse), _tables(remote.warehouse)
    assert a.keys() == b.keys() and "core.articles" in a
    for name in a:
        assert a[name] == b[name], name


def test_dask_executor_maps_in_order_and_raises(cluster):
    from flows.run.dask_runner import DaskExecutor

    with DaskExecutor(cluster.scheduler_address) as ex:
        assert ex.workers == 2
        assert list(ex.map(pow, [2, 3, 4], [2, 2, 2])) == [4, 9, 16]
        assert ex.submit(divmod, 7, 2).result() == (3, 1)
        with pytest.raises(ZeroDivisionError):
            list(ex.map(divmod, [1], [0]))
