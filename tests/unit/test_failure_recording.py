"""A run that DuckDB failed for memory says which setting to change, and is recorded as
failed in dq.runs even when the failure invalidated the run's connection."""
from dataclasses import replace

import duckdb

from flows.config import Settings
from flows.run import pipeline
from flows.store import warehouse as wh

FATAL = ('FATAL Error: Failed: database has been invalidated because of a previous fatal '
         'error.\nOriginal error: "Failed to rollback transaction.\nOriginal Error: Out of '
         'Memory Error: failed to pin block of size 11.0 MiB (111.8 MiB/122.0 MiB used)"')


def test_the_fatal_error_after_an_out_of_memory_commit_gets_the_memory_advice():
    settings = Settings(duckdb_memory_limit="128MB")
    message = pipeline.failure_message(duckdb.FatalException(FATAL), settings)
    assert message.startswith("DuckDB ran out of its memory limit (128MB)")
    assert "--batch-bytes" in message and "e.g. 8MB" in message
    assert not pipeline.failure_message(duckdb.FatalException("FATAL Error: disk full"),
                                        settings).startswith("DuckDB ran out")


class _Invalidated:
    """What DuckDB's connection does once the database is invalidated: every statement
    raises FatalException."""

    closed = False

    def execute(self, *_a, **_k):
        raise duckdb.FatalException(FATAL)

    def close(self):
        self.closed = True


def test_an_invalidated_connection_is_replaced_to_record_the_failed_run(tmp_path):
    settings = replace(Settings(), warehouse=tmp_path / "w.duckdb")
    con = wh.connect(settings.warehouse)
    wh.migrate(con, settings.sql_dir)
    wh.start_run(con, "r1", "r1", ["in"])
    con.close()
    summary = pipeline.RunSummary(run_id="r1", warehouse=str(settings.warehouse))
    summary.status, summary.message = "failed", "DuckDB ran out of its memory limit"
    dead = _Invalidated()
    fresh = pipeline._record_failure(dead, settings, "r1", summary)
    try:
        assert dead.closed and fresh is not dead
        assert fresh.execute("select status, error from dq.runs").fetchall() == [
            ("failed", "DuckDB ran out of its memory limit")]
    finally:
        fresh.close()
