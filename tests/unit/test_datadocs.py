"""GX Data Docs for a run: built from the validator's results, escaped, offline."""
import re

import pandas as pd
import pytest

from flows.config import PROJECT_ROOT
from flows.reports.datadocs import build_data_docs, sanitise_value
from flows.stages.validate.articles import Validator, load_suites

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def validator():
    v = Validator(load_suites(PROJECT_ROOT / "expectations"))
    frame = pd.DataFrame([
        {"outlet_key": "harbour", "name": "The Harbour Ledger", "name_length": 18,
         "domain": "harbourledger.example", "registered": True, "key_matches": True, "registry_consistent": True},
        {"outlet_key": "name:x", "name": HOSTILE, "name_length": 25, "domain": HOSTILE,
         "registered": False, "key_matches": True, "registry_consistent": True},
        {"outlet_key": "domain:y", "name": "y", "name_length": 1, "domain": HOSTILE_ATTR,
         "registered": False, "key_matches": True, "registry_consistent": True},
    ])
    v.run("core.outlets", frame)
    return v


def test_sanitise_value_escapes_and_bounds():
    assert sanitise_value(HOSTILE) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert sanitise_value({"partial_unexpected_list": [HOSTILE] * 100, "n": 3}) == {
        "partial_unexpected_list": ["&lt;script&gt;alert(1)&lt;/script&gt;"] * 50, "n": 3}
    assert len(sanitise_value("x" * 1000)) == 200


def test_data_docs_are_built_escaped_and_offline(validator, tmp_path):
    index = build_data_docs(validator, tmp_path / "data_docs")
    assert index == tmp_path / "data_docs" / "index.html" and index.exists()
    pages = list((tmp_path / "data_docs").rglob("*.html"))
    suites = {p.stem for p in (tmp_path / "data_docs" / "expectations" / "core").glob("*.html")}
    assert {"articles", "paragraphs", "removed_lines", "outlets"} <= suites
    (outlets_page,) = (tmp_path / "data_docs" / "validations").rglob("*core.outlets.html")
    text = outlets_page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert HOSTILE not in html and "<img src=x" not in html, page
        assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=[\"']https?://", html, re.I), page
        assert not re.search(r"url\(\s*['\"]?https?://", html, re.I), page
    # Offline, GX's JavaScript index is empty: a plain list of the same pages is added.
    index_html = index.read_text(encoding="utf-8")
    assert 'id="newsflow-index"' in index_html
    links = re.findall(r'<a href="((?:validations|expectations)/[^"]+)"', index_html)
    assert any(link.startswith("validations/") for link in links)
    assert all((index.parent / link).exists() for link in links), links
    # The validator's own results are untouched (Data Docs works on copies).
    store = validator.context.validation_results_store
    raw = [store.get(k) for k in store.list_keys()]
    assert any(HOSTILE in str(r.to_json_dict()) for r in raw)


def test_rebuilding_replaces_the_previous_site(validator, tmp_path):
    out = tmp_path / "dd"
    build_data_docs(validator, out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_data_docs(validator, out)
    assert not (out / "stale.html").exists() and (out / "index.html").exists()


def test_only_the_given_results_are_rendered(validator, tmp_path):
    frame = pd.DataFrame([{"doc_id": "d", "line_no": 1, "reason": "ad_label", "text_length": 3}])
    chosen = validator.run("core.removed_lines", frame)
    out = tmp_path / "dd"
    build_data_docs(validator, out, results=[chosen])
    rendered = [p.name for p in (out / "validations").rglob("*.html")]
    assert rendered == ["newsflow-core.removed_lines.html"]


def test_a_build_that_dies_leaves_the_previous_site_whole(validator, tmp_path, monkeypatch):
    """A run killed while GX renders used to leave data_docs/ without index.html (the old
    site was deleted first); now the new site is built beside it and swapped in."""
    import great_expectations.data_context.data_context.abstract_data_context as adc

    out = tmp_path / "dd"
    build_data_docs(validator, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def dies(self, *a, **k):
        raise KeyboardInterrupt("killed while rendering")

    monkeypatch.setattr(adc.AbstractDataContext, "build_data_docs", dies)
    with pytest.raises(KeyboardInterrupt):
        build_data_docs(validator, out)
    assert (out / "index.html").exists()
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    monkeypatch.undo()
    build_data_docs(validator, out)  # the half-built folder of the killed build is no obstacle
    assert (out / "index.html").exists() and not (tmp_path / "dd.building").exists()
