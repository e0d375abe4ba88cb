"""GX Data Docs: every run's results kept in a file store, escaped, offline, rows by doc_id."""
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from flows.config import PROJECT_ROOT
from flows.reports.datadocs import STORE_DIR_NAME, build_data_docs, sanitise_value
from flows.stages.validate.articles import Validator, load_suites

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(2)>'


def _outlet_frame():
    return pd.DataFrame([
        {"outlet_key": "harbour", "name": "The Harbour Ledger", "name_length": 18,
         "domain": "harbourledger.example", "registered": True, "key_matches": True, "registry_consistent": True},
        {"outlet_key": "name:x", "name": HOSTILE, "name_length": 25, "domain": HOSTILE,
         "registered": False, "key_matches": True, "registry_consistent": True},
        {"outlet_key": "domain:y", "name": "y", "name_length": 1, "domain": HOSTILE_ATTR,
         "registered": False, "key_matches": True, "registry_consistent": True},
    ])


def _article_frame(bad_doc: str):
    """Two articles of the articles suite's columns; `bad_doc` has no words."""
    rows = []
    for doc, words in (("doc-good", 300), (bad_doc, 0)):
        rows.append({"doc_id": doc, "title": "A title", "title_length": 7, "language": "en",
                     "language_confidence": 0.99, "word_count": words, "char_count": words * 6,
                     "paragraph_count": 3, "boilerplate_share": 0.2,
                     "published_date": pd.Timestamp("2024-05-01"), "outlet_status": "registered",
                     "has_markup": False, "has_mojibake": False})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def validator():
    v = Validator(load_suites(PROJECT_ROOT / "expectations"), run_name="run-one")
    v.run("core.outlets", _outlet_frame())
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
    assert any(HOSTILE in str(r.to_json_dict()) for r in validator.results)


class _Refs(HTMLParser):
    """Every address a page loads or links to (src, href)."""

    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        self.refs += [(tag, v) for k, v in attrs if k in ("src", "href") and v]


def _local_target(page: Path, ref: str) -> Path | None:
    parts = urlsplit(ref)
    if parts.scheme or ref.startswith("#") or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def test_pages_load_nothing_from_the_network_and_their_assets_exist(validator, tmp_path):
    """Status icons need Font Awesome, layout needs Bootstrap: both are copied into the site
    and referenced by relative paths; no page or stylesheet names an http(s) address."""
    index = build_data_docs(validator, tmp_path / "data_docs")
    site = index.parent
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r"https?://[^\s\"'<>)]+", text.replace('xmlns="http://www.w3.org/2000/svg"', ""))
        assert remote == [], (page, remote)
        assert ">Subscribe<" not in text and "<footer" not in text, page
        refs = _Refs()
        refs.feed(text)
        for tag, ref in refs.refs:
            target = _local_target(page, ref)
            if target is not None:
                assert target.is_file(), (page.relative_to(site), tag, ref)
    for css in site.rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)  # license comments
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert not re.match(r"https?:", url), (css, url)
            if not url.startswith("data:"):
                assert (css.parent / url.split("?")[0].split("#")[0]).is_file(), (css, url)
    (page,) = (site / "validations").rglob("*core.outlets.html")
    text = page.read_text(encoding="utf-8")
    assert "static/vendor/fontawesome/css/all.min.css" in text and "fa-check-circle" in text
    assert "static/vendor/bootstrap/css/bootstrap.min.css" in text
    assert "integrity=" not in text  # the CDN's hashes would block the local files


def test_three_runs_are_all_listed(tmp_path):
    """The site is built from a file store that every run adds to: after three runs the
    index lists all three, each linking to its own pages."""
    out = tmp_path / "w.reports" / "data_docs"
    for run in ("run-a", "run-b", "run-c"):
        v = Validator(load_suites(PROJECT_ROOT / "expectations"), run_name=run)
        v.run("core.outlets", _outlet_frame())
        v.run("core.articles", _article_frame(f"doc-bad-{run}"))
        index = build_data_docs(v, out)
    store = tmp_path / "w.reports" / STORE_DIR_NAME
    assert len(list(store.rglob("*.json"))) == 6
    text = index.read_text(encoding="utf-8")
    for run in ("run-a", "run-b", "run-c"):
        assert f"<code>{run}</code>" in text, run
        pages = list((out / "validations").rglob(f"{run}/*/*.html"))
        assert len(pages) == 2, (run, pages)
        for page in pages:
            assert page.relative_to(out).as_posix() in text
    assert text.index("<code>run-c</code>") < text.index("<code>run-a</code>")  # newest first
    # Incremental builds make only the pages GX wrote offline; the copied ones already are.
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=[\"']https?://", html, re.I), page
        assert "<footer" not in html.lower(), page


def test_the_store_keeps_the_last_runs_only(tmp_path):
    out = tmp_path / "dd"
    v = Validator(load_suites(PROJECT_ROOT / "expectations"))
    for run in ("r1", "r2", "r3"):
        v.run_name = run
        result = v.run("core.outlets", _outlet_frame())
        build_data_docs(v, out, results=[result], keep_runs=2)
    runs = {p.parts[-3] for p in (out / "validations").rglob("*.html")}
    assert runs == {"r2", "r3"}
    assert {p.parts[-3] for p in (tmp_path / STORE_DIR_NAME).rglob("*.json")} == {"r2", "r3"}
    assert "<code>r1</code>" not in (out / "index.html").read_text(encoding="utf-8")


def test_failing_rows_are_named_by_doc_id(tmp_path):
    v = Validator(load_suites(PROJECT_ROOT / "expectations"), run_name="r")
    result = v.run("core.articles", _article_frame("doc-without-words"))
    failed = [er for er in result.results if not er.success]
    assert failed and all(er.result.get("unexpected_index_column_names") == ["doc_id"] for er in failed)
    index = build_data_docs(v, tmp_path / "dd")
    (page,) = (index.parent / "validations").rglob("*core.articles.html")
    text = page.read_text(encoding="utf-8")
    assert "doc-without-words" in text
    assert "df.filter" not in text


def test_a_truncated_stored_result_is_dropped_not_fatal(validator, tmp_path):
    out = tmp_path / "dd"
    build_data_docs(validator, out)
    (stored,) = (tmp_path / STORE_DIR_NAME).rglob("*.json")
    stored.write_text('{"cut short', encoding="utf-8")
    other = Validator(load_suites(PROJECT_ROOT / "expectations"), run_name="run-two")
    other.run("core.outlets", _outlet_frame())
    index = build_data_docs(other, out)
    assert "<code>run-two</code>" in index.read_text(encoding="utf-8")
    assert not stored.exists()


def test_only_the_given_results_are_rendered(validator, tmp_path):
    frame = pd.DataFrame([{"doc_id": "d", "line_no": 1, "reason": "ad_label", "text_length": 3}])
    chosen = validator.run("core.removed_lines", frame)
    out = tmp_path / "dd"
    build_data_docs(validator, out, results=[chosen])
    rendered = [p.name for p in (out / "validations").rglob("*.html")]
    assert rendered == ["newsflow-core.removed_lines.html"]
    assert [p.name for p in (tmp_path / STORE_DIR_NAME).rglob("*.json")] == ["newsflow-core.removed_lines.json"]


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
