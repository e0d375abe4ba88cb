"""Load stage (pure half): rows for every table from articles and rejections."""
import json

from flows.records import (Article, CleanPage, Citation, Evidence, LineDecision, OutletMatch,
                           RawDocument, Rejection)
from flows.stages.load import build_load_batch, quarantine_id


def _article():
    doc = RawDocument("d" * 64, "/x/a.txt", None, "text", "T\nbody one\nAdvertisement", "utf-8", 30)
    lines = (LineDecision(1, "T", False, "title_line", "title"),
             LineDecision(2, "body one", True, "kept"),
             LineDecision(3, "Advertisement", False, "ad_label", "phrase:advertisement"))
    page = CleanPage(doc, "T", None, "2022-01-02", None, None, None, ("body one",), lines, "lines")
    outlet = OutletMatch("presstv", "Press TV", "presstv.ir", True, 0.9,
                         (Evidence("copyright_line", "© Press TV", 3),))
    cit = (Citation("reuters", "Reuters", "Reuters reported it.", "X reported"),)
    return Article(page, "en", 0.99, outlet, None, cit)


def test_rows_for_one_article_and_one_rejection():
    rej = Rejection(None, "/x/huge.txt", "read", "too_large", "more than 1 bytes")
    b = build_load_batch([_article()], [rej], "run-1")
    assert len(b.documents) == 1 and len(b.articles) == 1
    art = b.articles[0]
    assert art["word_count"] == 2 and art["removed_line_count"] == 2
    assert 0 < art["boilerplate_share"] < 1
    assert [r["reason"] for r in b.removed_lines] == ["title_line", "ad_label"]
    assert b.evidence[0]["signal"] == "copyright_line" and b.citations[0]["cited_name"] == "Reuters"
    q = b.quarantine[0]
    assert q["quarantine_id"] == quarantine_id(None, "/x/huge.txt") and q["reason"] == "too_large"


def test_failed_expectations_are_recorded_as_json():
    rej = Rejection("e" * 64, "/x/b.txt", "validate", "failed_word_count_between", "")
    b = build_load_batch([], [rej], "run-1",
                         failed_expectations={"e" * 64: ["expect_column_values_to_be_between(word_count)"]})
    assert json.loads(b.quarantine[0]["failed_expectations"]) == ["expect_column_values_to_be_between(word_count)"]


def test_stored_page_keeps_every_character(tmp_path):
    """raw.documents.content reaches DuckDB as UTF-8 bytes decoded by the load SQL
    (warehouse.UTF8_COLUMNS, for speed): any script, emoji and NBSP come back as stored,
    and a second load of the same batch changes nothing."""
    from dataclasses import replace

    import duckdb

    from flows import warehouse
    from flows.config import Settings

    text = "Київ — 東京 🙂 café\u00a0«quotes» مرحبا\nsecond line"
    art = _article()
    art = replace(art, page=replace(art.page, doc=replace(art.page.doc, text=text)))
    sql_dir = Settings().sql_dir
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.migrate(con, sql_dir)
    batch = build_load_batch([art], [], "run-1")
    warehouse.load_batch(con, batch, sql_dir)
    warehouse.load_batch(con, batch, sql_dir)
    assert con.execute("select content from raw.documents").fetchall() == [(text,)]
