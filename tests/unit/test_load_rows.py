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

    from flows.store import warehouse
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


def _outlet_row(key, oid, name, domain, registered):
    return {"outlet_key": key, "outlet_id": oid, "name": name, "domain": domain,
            "registered": registered, "first_run_id": "run-1"}


def test_one_outlet_row_per_outlet_keeps_the_real_name():
    """A site seen through its HTML page ("The GiveWell Blog") and through a plain-text
    page (only its domain) is one outlet: one row, with the name. A registry outlet
    matched on two of its domains is one row too. Before, both rows reached the batch's
    uniqueness check and quarantined every article naming the site."""
    from flows.stages.load import one_row_per_outlet

    rows = [
        _outlet_row("domain:blog.givewell.org", None, "blog.givewell.org", "blog.givewell.org", False),
        _outlet_row("ap", "ap", "Associated Press", "apnews.com", True),
        _outlet_row("domain:blog.givewell.org", None, "The GiveWell Blog", "blog.givewell.org", False),
        _outlet_row("ap", "ap", "Associated Press", "hosted.ap.org", True),
        _outlet_row("domain:blog.givewell.org", None, "blog.givewell.org", "blog.givewell.org", False),
    ]
    out = one_row_per_outlet(rows)
    assert [(r["outlet_key"], r["name"], r["domain"]) for r in out] == [
        ("domain:blog.givewell.org", "The GiveWell Blog", "blog.givewell.org"),
        ("ap", "Associated Press", "apnews.com")]


def test_rows_that_disagree_on_the_registry_stay_apart():
    """A disagreement on the registry (id or flag) for one key is a conflicting definition
    of the outlet: both rows stay, for the uniqueness check to catch."""
    from flows.stages.load import one_row_per_outlet

    rows = [_outlet_row("x", "x", "X", "x.com", True), _outlet_row("x", None, "X", "x.com", False)]
    assert len(one_row_per_outlet(rows)) == 2


def test_one_domain_with_several_site_names_is_one_outlet_with_aliases():
    """A site names itself differently from page to page ("NTV" / "NTV.com.tr"; "Funke
    Mediengruppe" / "FUNKE Mediengruppe" under one name key): one row, the first real
    name standing, the others as aliases. Before, the rows stayed apart and the batch's
    uniqueness check quarantined every article of the site."""
    from flows.stages.load import one_row_per_outlet

    rows = [_outlet_row("domain:y.com", None, "y.com", "y.com", False),
            _outlet_row("domain:y.com", None, "Y News", "y.com", False),
            _outlet_row("domain:y.com", None, "y.com", "y.com", False),
            _outlet_row("domain:y.com", None, "Y Daily", "y.com", False),
            _outlet_row("domain:y.com", None, "Y News", "y.com", False),
            _outlet_row("name:funke", None, "Funke", None, False),
            _outlet_row("name:funke", None, "FUNKE", None, False)]
    out = one_row_per_outlet(rows)
    assert [(r["outlet_key"], r["name"], r["aliases"]) for r in out] == [
        ("domain:y.com", "Y News", ["Y Daily"]), ("name:funke", "Funke", ["FUNKE"])]


def _outlets_table(tmp_path):
    import duckdb

    from flows.store import warehouse
    from flows.config import Settings

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.migrate(con, Settings().sql_dir)
    warehouse.migrate(con, Settings().sql_dir)  # the DDL is idempotent

    def load(*rows):
        from flows.stages.load import LoadBatch, one_row_per_outlet

        warehouse.load_batch(con, LoadBatch(outlets=one_row_per_outlet(list(rows))), Settings().sql_dir)
        return con.execute("select outlet_key, name, aliases from core.outlets order by 1").fetchall()

    return load


def test_load_keeps_one_row_per_outlet_across_batches(tmp_path):
    """A key already stored with another name is not a second row and not an error: the
    new name joins its aliases; a bare domain gives way to a real name; a repeated batch
    changes nothing."""
    load = _outlets_table(tmp_path)
    assert load(_outlet_row("domain:y.com", None, "y.com", "y.com", False)) == [
        ("domain:y.com", "y.com", [])]
    assert load(_outlet_row("domain:y.com", None, "Y News", "y.com", False)) == [
        ("domain:y.com", "Y News", [])]
    assert load(_outlet_row("domain:y.com", None, "Y Daily", "y.com", False),
                _outlet_row("domain:z.com", None, "Z", "z.com", False)) == [
        ("domain:y.com", "Y News", ["Y Daily"]), ("domain:z.com", "Z", [])]
    again = load(_outlet_row("domain:y.com", None, "Y Daily", "y.com", False),
                 _outlet_row("domain:y.com", None, "Y News", "y.com", False),
                 _outlet_row("domain:y.com", None, "y.com", "y.com", False))
    assert again == [("domain:y.com", "Y News", ["Y Daily"]), ("domain:z.com", "Z", [])]
