"""The dashboard page: built from the dq and core tables, escaped, fine on an empty warehouse."""
import re
from html.parser import HTMLParser

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from flows.reports.dashboard import render_dashboard, write_dashboard
from flows.store.warehouse import migrate

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(2)>'


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    migrate(c, PROJECT_ROOT / "sql")
    yield c
    c.close()


def _fill(con):
    con.execute("""
        insert into dq.runs (run_id, started_at, finished_at, status, docs_seen, docs_loaded,
                             docs_skipped, docs_quarantined)
        values ('run-one', timestamp '2024-05-01 10:00', timestamp '2024-05-01 10:01', 'completed', 5, 2, 0, 3),
               ('run-two', timestamp '2024-05-02 10:00', timestamp '2024-05-02 10:01', 'completed', 6, 1, 5, 0)""")
    con.execute("""
        insert into dq.validation_results values
        ('run-one', 'core.articles', 'expect_column_values_to_not_be_null(title)',
         'expect_column_values_to_not_be_null', 'title', 'warning', false, null, 4, 1),
        ('run-one', 'core.articles', 'expect_column_values_to_be_unique(doc_id)',
         'expect_column_values_to_be_unique', 'doc_id', 'critical', true, null, 4, 0)""")
    con.execute("""
        insert into dq.quarantine (quarantine_id, doc_id, source_uri, stage, reason, detail,
                                   failed_expectations, run_id)
        values ('q1', 'q1', $uri, 'clean', $reason, $detail, $failed, 'run-one'),
               ('q2', 'q2', '/in/empty.txt', 'read', 'empty_document', '0 bytes', null, 'run-one')""",
                {"uri": "/in/" + HOSTILE_ATTR, "reason": HOSTILE, "detail": HOSTILE,
                 "failed": '["<b>bold</b>"]'})
    for doc, outlet, lang, share in (("a1", HOSTILE, "en", 0.25), ("a2", "Harbour Ledger", "en", 0.5),
                                     ("a3", None, "de", 0.0)):
        con.execute("""
            insert into core.articles (doc_id, source_uri, title, text, language, language_confidence,
                outlet_name, word_count, char_count, paragraph_count, removed_line_count,
                boilerplate_share, extractor, run_id)
            values ($doc, 'x', $title, 'text', $lang, 0.99, $outlet, 100, 600, 3, 2, $share, 'lines', 'run-one')""",
                    {"doc": doc, "title": HOSTILE, "lang": lang, "outlet": outlet, "share": share})
    con.execute("""insert into core.removed_lines values ('a1', 1, $t, $r, null), ('a1', 2, 'Ad', 'ad_label', null)""",
                {"t": HOSTILE, "r": HOSTILE})


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.bad_attrs = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        self.bad_attrs += [k for k, _ in attrs if k.startswith("on")]


def test_empty_warehouse_says_no_runs_yet(con):
    page = render_dashboard(con)
    assert "No runs yet" in page and 'id="no-runs"' in page
    assert "<svg" not in page


def test_unmigrated_database_says_no_runs_yet():
    c = duckdb.connect(":memory:")
    assert "No runs yet" in render_dashboard(c)


def test_charts_and_tables_show_the_data(con):
    _fill(con)
    page = render_dashboard(con)
    for chart in ("chart-runs", "chart-pass-grid", "chart-expectations", "chart-quarantine", "chart-outlets",
                  "chart-languages", "chart-boilerplate", "chart-removed"):
        assert f'id="{chart}"' in page, chart
    assert page.count('class="run"') == 2
    assert 'data-run-id="run-one"' in page and 'data-run-id="run-two"' in page
    assert 'id="kpi-articles">3<' in page and 'id="kpi-quarantined">2<' in page
    assert "Harbour Ledger" in page and "(unknown outlet)" in page
    assert "empty_document" in page and "/in/empty.txt" in page
    assert "75.0%" in page                       # title not null: 1 of 4 rows failed
    assert page.count('class="cell"') == 2 * 2   # two expectations by two runs
    assert "run-two: not evaluated" in page
    assert "#ef8f00" in page and "#c62828" in page  # warning and critical colours
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_hostile_text_is_escaped_everywhere(con):
    _fill(con)
    page = render_dashboard(con)
    assert HOSTILE not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    p = _Collect()
    p.feed(page)
    assert p.scripts == 0 and p.bad_attrs == []
    assert "img" not in p.tags


def test_write_dashboard_defaults_next_to_the_warehouse(tmp_path):
    wh = tmp_path / "w.duckdb"
    c = duckdb.connect(str(wh))
    migrate(c, PROJECT_ROOT / "sql")
    _fill(c)
    c.close()
    out = write_dashboard(wh)
    assert out == tmp_path / "dashboard.html"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and 'id="chart-runs"' in text
    assert not list(tmp_path.glob(".dashboard-*"))


def test_write_dashboard_of_a_missing_warehouse_is_the_empty_page(tmp_path):
    out = write_dashboard(tmp_path / "nope.duckdb", tmp_path / "d" / "x.html")
    assert "No runs yet" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "nope.duckdb").exists()


def test_command_writes_and_prints_the_path(tmp_path, capsys):
    from flows.commands.cli import main

    wh = tmp_path / "w.duckdb"
    c = duckdb.connect(str(wh))
    migrate(c, PROJECT_ROOT / "sql")
    _fill(c)
    c.close()
    assert main(["dashboard", "--warehouse", str(wh), "--out", str(tmp_path / "dq.html")]) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("dq.html") and (tmp_path / "dq.html").exists()
    assert re.search(r"<svg", (tmp_path / "dq.html").read_text(encoding="utf-8"))


# ------------------------------------------------------------ newsflow quarantine

def _warehouse(tmp_path):
    wh = tmp_path / "w.duckdb"
    c = duckdb.connect(str(wh))
    migrate(c, PROJECT_ROOT / "sql")
    _fill(c)
    c.execute("update dq.quarantine set detail = $d where quarantine_id = 'q2'", {"d": "bell\x1b[31m red"})
    c.close()
    return wh


def test_quarantine_command_counts_by_reason_then_lists(tmp_path, capsys):
    from flows.commands.cli import main

    wh = _warehouse(tmp_path)
    assert main(["quarantine", "--warehouse", str(wh)]) == 0
    out = capsys.readouterr().out
    assert out.index("documents  stage") < out.index("/in/empty.txt")
    assert re.search(r"^\s+1\s+read\s+empty_document$", out, re.M)
    assert "failed: <b>bold</b>" in out and "\x1b" not in out   # terminal: no escape sequences
    assert main(["quarantine", "--warehouse", str(wh), "--reason", "empty_document", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "1 quarantined document for reason 'empty_document'" in out and "<script>" not in out
    assert main(["quarantine", "--warehouse", str(wh), "--limit", "0"]) == 0
    assert "/in/empty.txt" not in capsys.readouterr().out


def test_quarantine_command_without_a_warehouse(tmp_path, capsys):
    from flows.commands.cli import main

    assert main(["quarantine", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_save_dashboard_with_an_open_connection(con, tmp_path):
    from flows.reports.dashboard import expectation_label, save_dashboard

    _fill(con)
    out = save_dashboard(con, tmp_path / "x" / "d.html", source="run connection")
    assert 'id="chart-expectations"' in out.read_text(encoding="utf-8")
    assert expectation_label("core.articles", "expect_column_values_to_not_be_null(title)") == "articles.title not null"
    assert expectation_label("core.paragraphs", "expect_compound_columns_to_be_unique(doc_id,paragraph_no)") \
        == "paragraphs.doc_id,paragraph_no unique"


def test_a_locked_warehouse_gives_a_clear_message(tmp_path, capsys, monkeypatch):
    import subprocess
    import sys

    from flows.commands.cli import main

    wh = tmp_path / "w.duckdb"
    duckdb.connect(str(wh)).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(30)", str(wh)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception) as err:
            write_dashboard(wh, tmp_path / "d.html", wait_s=0.5)
        assert type(err.value).__name__ == "WarehouseBusy" and "held by another process" in str(err.value)
        monkeypatch.setenv("NEWSFLOW_LOCK_WAIT", "0.5")
        assert main(["dashboard", "--warehouse", str(wh)]) == 3
        assert "held by another process" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
