"""The writer's DuckDB settings: checkpoints only when the log holds half the buffer pool."""
from flows.config import MIB, default_checkpoint_threshold
from flows.store import warehouse as wh


def test_checkpoint_threshold_is_half_the_pool_and_never_below_duckdbs_default():
    assert default_checkpoint_threshold(376 * MIB) == 188 * MIB
    assert default_checkpoint_threshold(1024 * MIB) == 512 * MIB
    assert default_checkpoint_threshold(16 * MIB) == 16 * MIB


def test_the_writer_connection_carries_the_threshold(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb", memory_limit="256MB")
    try:
        setting = con.execute("select current_setting('checkpoint_threshold')").fetchone()[0]
    finally:
        con.close()
    assert setting == "128.0 MiB"


def test_a_connection_without_a_limit_keeps_duckdbs_default(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        setting = con.execute("select current_setting('checkpoint_threshold')").fetchone()[0]
    finally:
        con.close()
    assert setting == "16.0 MiB"
