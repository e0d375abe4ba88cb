"""`--retry-quarantined`: after a suite changes, quarantined documents are re-derived."""
import json
import shutil

import duckdb

from tests.conftest import FIXTURES


def test_retry_quarantined_loads_documents_once_the_rule_is_relaxed(prefect_harness, tmp_path):
    from flows.config import Settings
    from flows.run.pipeline import run

    strict = tmp_path / "expectations"
    shutil.copytree(Settings().expectations_dir, strict)
    suite_file = strict / "core.articles.json"
    suite = json.loads(suite_file.read_text())
    for e in suite["expectations"]:
        if e["kwargs"].get("column") == "word_count" and e["severity"] == "critical":
            e["kwargs"].update(min_value=100000, max_value=200000)  # no article passes
    suite_file.write_text(json.dumps(suite))

    wh = tmp_path / "w.duckdb"
    pages = [str(FIXTURES / "pages" / "harbour_article.html"), str(FIXTURES / "pages" / "valley_news.txt")]
    first = run(pages, Settings.from_env(wh, workers=1, expectations_dir=strict))
    assert first.loaded == 0 and first.quarantine_reasons == {"word_count_out_of_range": 2}

    retry = run([], Settings.from_env(wh, workers=1), retry_quarantined=True)
    assert retry.status == "completed" and retry.seen == 2 and retry.loaded == 2
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from dq.quarantine").fetchone()[0] == 0
    assert con.execute("select count(*) from mart.articles").fetchone()[0] == 2
