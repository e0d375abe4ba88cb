"""ref.outlets follows the registry file: rewritten when it changed, left alone when not."""
from flows.config import Settings
from flows.run.pipeline import _registry_rows
from flows.stages.detect.detector import load_registry
from flows.store import warehouse as wh


def _names(con) -> dict[str, str]:
    return dict(con.execute("select outlet_id, name from ref.outlets").fetchall())


def test_a_changed_registry_replaces_the_rows_and_an_unchanged_one_keeps_them(tmp_path):
    settings = Settings()
    rows = _registry_rows(load_registry(settings.reference_dir))
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        wh.migrate(con, settings.sql_dir)
        wh.refresh_reference(con, rows)
        assert len(_names(con)) == len(rows)
        renamed = [{**rows[0], "name": "Renamed Outlet", "aliases": ["RO"]}] + rows[2:]
        wh.refresh_reference(con, renamed)
        names = _names(con)
        assert names[rows[0]["outlet_id"]] == "Renamed Outlet"
        assert rows[1]["outlet_id"] not in names and len(names) == len(rows) - 1
        snapshot = con.execute("select * from ref.outlets order by outlet_id").fetchall()
        wh.refresh_reference(con, renamed)
        assert con.execute("select * from ref.outlets order by outlet_id").fetchall() == snapshot
        wh.refresh_reference(con, [])
        assert _names(con) == {}
    finally:
        con.close()
