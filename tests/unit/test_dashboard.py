"""The dashboard page: built from the dq and core tables, escaped, fine on an empty warehouse."""
import os
import re
import stat
from html.parser import HTMLParser

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from flows.reports.dashboard import expectation_labels, load_suite_files, render_dashboard, write_dashboard
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
    assert 'class="sev sev-warning"' in page and 'class="sev sev-critical"' in page  # severity badges
    # colour = result: the passing check is all green, the 75 % one green and red
    bars = _bars(page)
    assert [r for r, _ in bars] == ["partial", "pass"]  # worst first
    (passing,) = [b for r, b in bars if r == "pass"]
    assert 'class="pass"' in passing and 'fill="#2e7d32"' in passing and 'class="fail"' not in passing
    (partial,) = [b for r, b in bars if r == "partial"]
    assert 'class="pass"' in partial and 'class="fail"' in partial
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def _bars(page):
    """(result, markup) of each bar of the pass-rate-per-expectation chart."""
    chart = page[page.index('id="chart-expectations"'):]
    chart = chart[:chart.index("</svg>")]
    return [(m.group(1), m.group(2)) for m in
            re.finditer(r'<g class="bar result-(\w+)">(.*?)(?=<g class="bar |$)', chart, re.S)]


def test_hostile_text_is_escaped_everywhere(con):
    _fill(con)
    page = render_dashboard(con)
    assert HOSTILE not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    p = _Collect()
    p.feed(page)
    assert p.scripts == 0 and p.bad_attrs == []
    assert "img" not in p.tags


def _filled_warehouse(path):
    c = duckdb.connect(str(path))
    migrate(c, PROJECT_ROOT / "sql")
    _fill(c)
    c.close()
    return path


def test_write_dashboard_defaults_to_the_warehouses_reports_folder(tmp_path):
    """Named after the warehouse: two warehouses in one folder keep their own pages."""
    from flows.config import Settings

    one, two = _filled_warehouse(tmp_path / "w.duckdb"), _filled_warehouse(tmp_path / "other.duckdb")
    out = write_dashboard(one)
    assert out == tmp_path / "w.reports" / "dashboard.html" == Settings.from_env(one).dashboard_path
    assert write_dashboard(two) == tmp_path / "other.reports" / "dashboard.html"
    assert Settings.from_env(one).data_docs_dir == tmp_path / "w.reports" / "data_docs"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and 'id="chart-runs"' in text
    assert not list(out.parent.glob(".dashboard-*")) and not (tmp_path / "dashboard.html").exists()


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_the_page_gets_the_mode_of_a_file_the_user_creates(tmp_path, umask, mode):
    wh = _filled_warehouse(tmp_path / "w.duckdb")
    old = os.umask(umask)
    try:
        out = write_dashboard(wh)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o777 & ~umask


def _fail_a_run(con, error=HOSTILE + " DuckDB ran out of its memory limit (16MB)"):
    con.execute("""
        insert into dq.runs (run_id, started_at, finished_at, status, docs_seen, docs_loaded,
                             docs_skipped, docs_quarantined, error)
        values ('run-bad', timestamp '2024-05-03 10:00', timestamp '2024-05-03 10:02:05', 'failed',
                7, 0, 0, 0, $error)""", {"error": error})


def test_a_failed_run_shows_its_reason_duration_and_documents(con):
    _fill(con)
    _fail_a_run(con)
    page = render_dashboard(con)
    assert 'id="failed-runs"' in page
    section = page[page.index('id="failed-runs"'):]
    section = section[:section.index("</section>")]
    assert "ran out of its memory limit (16MB)" in section and "&lt;script&gt;" in section
    assert "2 min 05 s" in section and "saw 7 documents" in section
    assert 'class="run run-failed" data-run-id="run-bad" data-status="failed"' in page
    bar = page[page.index('class="run run-failed" data-run-id="run-bad"'):]
    bar = bar[:bar.index("</g>")]
    assert 'class="seg-unloaded"' in bar and "not loaded 7" in bar  # the documents it saw stay
    assert "✕ failed" in bar
    assert 'id="kpi-last-error"' in page                           # the last run failed: why, up top
    assert "1 min 00 s" in page                                     # completed runs' duration too
    assert HOSTILE not in page


def test_no_failed_runs_no_failed_section(con):
    _fill(con)
    assert 'id="failed-runs"' not in render_dashboard(con)


def test_each_check_has_its_own_label():
    keys = [("core.articles", "expect_column_values_to_be_between(language_confidence)", "critical"),
            ("core.articles", "expect_column_values_to_be_between(language_confidence)", "warning"),
            ("core.articles", "expect_column_values_to_be_between(published_date)", "warning"),
            ("core.articles", "expect_column_values_to_not_be_null(title)", "warning")]
    labels = expectation_labels(keys, load_suite_files(PROJECT_ROOT / "expectations"))
    assert len(set(labels.values())) == len(keys)
    assert labels[keys[0]] == "articles.language_confidence between 0–1"
    assert labels[keys[1]] == "articles.language_confidence between 0.5–1"
    assert labels[keys[2]] == "articles.published_date between"  # alone of its kind: no bounds
    # Without the suite files, severity tells them apart.
    bare = expectation_labels(keys)
    assert bare[keys[0]].endswith("critical") and bare[keys[1]].endswith("warning")
    # Every check of the real suites has a label of its own.
    suites = load_suite_files(PROJECT_ROOT / "expectations")
    from flows.stages.validate.articles import expectation_name

    class Cfg:
        def __init__(self, e):
            self.type, self.kwargs = e["type"], e["kwargs"]

    real = []
    for name, suite in suites.items():
        for e in suite["expectations"]:
            cols = e["kwargs"].get("column_list")
            exp = f"{e['type']}({','.join(cols)})" if cols else expectation_name(Cfg(e))
            real.append((name, exp, str(e.get("severity", "critical")).lower()))
    all_labels = expectation_labels(real, suites)
    assert len(set(all_labels.values())) == len(set(real))


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
