"""The bundled sample corpus (examples/) against examples/expected.json, through the real flow."""
import json
import os
import re

import duckdb
import pytest

from flows.config import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))["files"]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


@pytest.fixture(scope="module")
def articles(prefect_harness, tmp_path_factory):
    from flows.config import Settings
    from flows.run.pipeline import run

    s = Settings.from_env(tmp_path_factory.mktemp("ex") / "ex.duckdb", workers=1)
    summary = run([str(EXAMPLES)], s)
    assert summary.loaded == len(EXPECTED) and summary.quarantined == 0
    con = duckdb.connect(str(s.warehouse), read_only=True)
    rows = con.execute("select source_uri, title, language, outlet_domain, wire_name, published_date, text "
                       "from mart.articles").fetchall()
    return {os.path.basename(r[0]): r for r in rows}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_page(articles, name):
    e = EXPECTED[name]
    _, title, lang, domain, wire, date, text = articles[name]
    assert (title, lang) == (e["title"], e["language"])
    assert domain == e["outlet_domain"] and wire == e["wire"]
    assert str(date) == e["published_date"]
    for s in e["body_must_contain"]:
        assert _norm(s) in _norm(text), s
    for s in e["body_must_not_contain"]:
        assert _norm(s) not in _norm(text), s
