"""The writer's DuckDB settings: small row groups, a checkpoint every quarter pool of log."""
from flows.config import MIB, default_checkpoint_threshold
from flows.store import warehouse as wh


def _row_groups(con, table: str) -> int:
    return con.execute("select count(distinct row_group_id) from pragma_storage_info(?)",
                       [table]).fetchone()[0]


def test_checkpoint_threshold_is_a_quarter_of_the_pool_and_never_below_duckdbs_default():
    assert default_checkpoint_threshold(376 * MIB) == 94 * MIB
    assert default_checkpoint_threshold(1024 * MIB) == 256 * MIB
    assert default_checkpoint_threshold(32 * MIB) == 16 * MIB


def test_the_writer_writes_small_row_groups_so_a_checkpoint_rewrites_little(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb", memory_limit="256MB")
    try:
        con.execute("create table t as select range as i from range(10000)")
        con.execute("checkpoint")
        assert _row_groups(con, "t") == 5  # 10,000 rows in groups of 2,048
        assert con.execute("select current_database()").fetchone()[0] == "warehouse"
        setting = con.execute("select current_setting('checkpoint_threshold')").fetchone()[0]
    finally:
        con.close()
    assert setting == "64.0 MiB"


def test_a_connection_without_a_limit_keeps_duckdbs_default(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        setting = con.execute("select current_setting('checkpoint_threshold')").fetchone()[0]
    finally:
        con.close()
    assert setting == "16.0 MiB"


def test_the_file_opens_again_with_its_tables_where_they_were(tmp_path):
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    con.execute("create schema raw")
    con.execute("create table raw.t as select 1 as i")
    con.close()
    reader = wh.connect(path, read_only=True)
    try:
        assert reader.execute("select i from raw.t").fetchall() == [(1,)]
    finally:
        reader.close()
    writer = wh.connect(path)
    try:
        writer.execute("insert into raw.t values (2)")
        assert writer.execute("select count(*) from raw.t").fetchone()[0] == 2
    finally:
        writer.close()


def test_a_quote_in_the_path_is_no_sql(tmp_path):
    path = tmp_path / "it's here.duckdb"
    con = wh.connect(path)
    try:
        assert con.execute("select 1").fetchone() == (1,)
    finally:
        con.close()
    assert path.exists()
