"""Every user-facing core table has a suite, every suite names a real table, and every
suite runs through the real Validator on a small frame built the way the flow builds it."""
import csv
import json

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from flows.stages.load import LoadBatch, outlet_key
from flows.stages.validate.articles import Validator, load_suites
from flows.stages.validate.tables import (
    TABLE_SUITES, outlet_frame, paragraph_frame, quarantine_failing, removed_line_frame,
    validate_load_batch)
from flows.store.warehouse import migrate

EXPECTATIONS = PROJECT_ROOT / "expectations"
USER_TABLES = {"core.articles", "core.paragraphs", "core.removed_lines", "core.outlets"}
# Columns a suite may check that are derived in the frame rather than stored in the table.
DERIVED = {"title_length", "has_markup", "has_mojibake", "outlet_status", "text_length",
           "name_length", "key_matches", "registry_consistent"}


@pytest.fixture(scope="module")
def schema():
    con = duckdb.connect(":memory:")
    migrate(con, PROJECT_ROOT / "sql")
    cols = {}
    for s, t, c in con.execute("select table_schema, table_name, column_name from information_schema.columns "
                               "where table_schema not in ('information_schema', 'pg_catalog')").fetchall():
        cols.setdefault(f"{s}.{t}", set()).add(c)
    con.close()
    return cols


@pytest.fixture(scope="module")
def suites():
    return load_suites(EXPECTATIONS)


@pytest.fixture(scope="module")
def validator(suites):
    return Validator(suites)


def test_every_user_table_has_a_suite(suites, schema):
    assert USER_TABLES <= set(schema)
    assert USER_TABLES <= set(suites)


def test_every_suite_names_a_real_table_and_real_columns(suites, schema):
    for name, suite in suites.items():
        assert name in schema, f"suite {name} names no table in sql/ddl"
        for e in suite["expectations"]:
            columns = [e["kwargs"]["column"]] if "column" in e["kwargs"] else e["kwargs"].get("column_list", [])
            for c in columns:
                assert c in schema[name] or c in DERIVED, f"{name}: {e['type']} checks unknown column {c}"


def test_suite_files_are_sorted_and_every_expectation_says_why_and_how_bad():
    for f in EXPECTATIONS.glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data["name"] == f.stem
        if f.stem != "core.articles":  # owned elsewhere; see "Data quality you can see" in the README
            assert f.read_text(encoding="utf-8").strip() == json.dumps(data, indent=2, sort_keys=True,
                                                                       ensure_ascii=False)
        for e in data["expectations"]:
            assert e["severity"] in ("critical", "warning"), (f.name, e)
            assert e["meta"]["why"].strip(), (f.name, e)


def test_expectation_names_are_unique_within_a_suite(suites):
    """dq.validation_results is keyed on (run, suite, expectation name, severity)."""
    for name, suite in suites.items():
        keys = [(e["type"], e["kwargs"].get("column"), tuple(e["kwargs"].get("column_list", ())), e["severity"])
                for e in suite["expectations"]]
        assert len(keys) == len(set(keys)), name


def test_removed_line_reasons_cover_the_reference_rules(suites):
    with open(PROJECT_ROOT / "warehouse" / "reference" / "chrome_phrases.csv", encoding="utf-8") as f:
        rule_reasons = {r["reason"] for r in csv.DictReader(f)}
    known = next(e for e in suites["core.removed_lines"]["expectations"]
                 if e["type"] == "expect_column_values_to_be_in_set")["kwargs"]["value_set"]
    assert rule_reasons | {"title_line"} <= set(known)


def test_paragraph_languages_match_the_article_languages(suites):
    def langs(suite):
        return next(e for e in suites[suite]["expectations"]
                    if e["kwargs"].get("column") == "language")["kwargs"]["value_set"]
    assert langs("core.paragraphs") == langs("core.articles")


# ------------------------------------------------------------ the suites on small frames

def _article(doc, outlet_id="harbour", name="The Harbour Ledger", domain="harbourledger.example"):
    return {"doc_id": doc, "source_uri": f"/in/{doc}.html", "outlet_id": outlet_id, "outlet_name": name,
            "outlet_domain": domain, "outlet_key": outlet_key(outlet_id, name, domain),
            "wire_id": None, "wire_name": None}


def _good_batch() -> LoadBatch:
    b = LoadBatch()
    b.articles = [_article("d1"), _article("d2", None, "Valley News", "valleynews.example")]
    b.paragraphs = [{"doc_id": "d1", "paragraph_no": 1, "text": "Ferries sail.", "language": "en",
                     "script": "Latin", "foreign_language": False},
                    {"doc_id": "d1", "paragraph_no": 2, "text": "More ferries sail.", "language": None,
                     "script": None, "foreign_language": False},
                    {"doc_id": "d2", "paragraph_no": 1, "text": "Orchards.", "language": "en",
                     "script": "Latin", "foreign_language": False}]
    b.removed_lines = [{"doc_id": "d1", "line_no": 1, "text": "- Advertisement -", "reason": "ad_label", "rule": "x"},
                       {"doc_id": "d2", "line_no": 4, "text": "Title", "reason": "title_line", "rule": None}]
    harbour = {"outlet_key": "harbour", "outlet_id": "harbour", "name": "The Harbour Ledger",
               "domain": "harbourledger.example", "registered": True, "first_run_id": "r"}
    b.outlets = [harbour, dict(harbour),  # the same outlet named by two articles: one row
                 {"outlet_key": "domain:valleynews.example", "outlet_id": None, "name": "Valley News",
                  "domain": "valleynews.example", "registered": False, "first_run_id": "r"}]
    return b


def _by_name(results, suite):
    return {(r["expectation"], r["severity"]): r for r in results if r["suite"] == suite}


def test_good_rows_pass_every_table_suite(validator):
    out = validate_load_batch(_good_batch(), validator)
    assert {r["suite"] for r in out.results} == set(TABLE_SUITES.values())
    failed = [r for r in out.results if not r["success"]]
    assert failed == [] and out.failing_docs == {}
    assert len(out.gx_results) == 3


def test_bad_paragraphs_fail_critically_and_name_their_article(validator):
    b = _good_batch()
    b.paragraphs[1]["text"] = "Caf&eacute; <b>tags</b>"
    b.paragraphs.append({"doc_id": "d2", "paragraph_no": 1, "text": "dup", "language": "xx",
                         "script": None, "foreign_language": False})
    out = validate_load_batch(b, validator)
    res = _by_name(out.results, "core.paragraphs")
    assert not res[("expect_column_values_to_be_in_set(has_markup)", "critical")]["success"]
    assert not res[("expect_compound_columns_to_be_unique(doc_id,paragraph_no)", "critical")]["success"]
    assert not res[("expect_column_values_to_be_in_set(language)", "warning")]["success"]
    assert set(out.failing_docs) == {"d1", "d2"}
    assert "core.paragraphs: expect_column_values_to_be_in_set(has_markup)" in out.failing_docs["d1"]


def test_bad_removed_lines_fail(validator):
    b = _good_batch()
    b.removed_lines += [{"doc_id": "d2", "line_no": 0, "text": "x", "reason": "Kept Line", "rule": None},
                        {"doc_id": "d2", "line_no": 7, "text": "y", "reason": "kept", "rule": None},
                        {"doc_id": "d2", "line_no": 9, "text": "z", "reason": "brand_new_reason", "rule": None}]
    out = validate_load_batch(b, validator)
    res = _by_name(out.results, "core.removed_lines")
    assert not res[("expect_column_values_to_be_between(line_no)", "critical")]["success"]
    assert not res[("expect_column_values_to_match_regex(reason)", "critical")]["success"]
    assert not res[("expect_column_values_to_not_be_in_set(reason)", "critical")]["success"]
    known = res[("expect_column_values_to_be_in_set(reason)", "warning")]
    assert not known["success"] and known["unexpected_count"] == 3
    assert set(out.failing_docs) == {"d2"}


def test_bad_outlets_fail_and_quarantine_the_articles_naming_them(validator):
    b = _good_batch()
    b.outlets[2] = {"outlet_key": "domain:www.valleynews.example", "outlet_id": None, "name": "  ",
                    "domain": "WWW.ValleyNews.example", "registered": True, "first_run_id": "r"}
    b.articles[1]["outlet_domain"] = "WWW.ValleyNews.example"
    b.articles[1]["outlet_name"] = "  "
    out = validate_load_batch(b, validator)
    res = _by_name(out.results, "core.outlets")
    assert res[("expect_column_values_to_be_unique(outlet_key)", "critical")]["success"]
    for failing in (("expect_column_values_to_be_in_set(key_matches)", "critical"),
                    ("expect_column_values_to_be_between(name_length)", "critical"),
                    ("expect_column_values_to_match_regex(domain)", "warning"),
                    ("expect_column_values_to_be_in_set(registry_consistent)", "critical")):
        assert not res[failing]["success"], failing
    assert set(out.failing_docs) == {"d2"}

    kept = quarantine_failing(b, out.failing_docs, "run-1")
    assert [a["doc_id"] for a in kept.articles] == ["d1"]
    assert {r["doc_id"] for r in kept.paragraphs} == {"d1"}
    assert {r["doc_id"] for r in kept.removed_lines} == {"d1"}
    assert [o["outlet_key"] for o in kept.outlets] == ["harbour"]
    (q,) = kept.quarantine
    assert q["doc_id"] == "d2" and q["stage"] == "validate" and q["reason"] == "failed_outlets"
    assert "key_matches" in q["detail"] and json.loads(q["failed_expectations"])


def test_two_names_for_one_outlet_key_are_one_outlet_not_a_failure(validator):
    """Before, a second name for a key failed the uniqueness check and quarantined every
    article naming the outlet."""
    from flows.stages.load import one_row_per_outlet

    b = _good_batch()
    b.outlets.append({**b.outlets[0], "name": "Harbour Ledger (old)"})
    b.outlets = one_row_per_outlet(b.outlets)
    out = validate_load_batch(b, validator)
    assert _by_name(out.results, "core.outlets")[
        ("expect_column_values_to_be_unique(outlet_key)", "critical")]["success"]
    assert not out.failing_docs
    assert b.outlets[0]["aliases"] == ["Harbour Ledger (old)"]


def test_a_conflicting_outlet_row_quarantines_only_its_own_articles(validator):
    """Rows of one key that disagree on the registry fail uniqueness; only the articles of
    the repeating row go, the first row's articles load, and one row per key stays."""
    b = _good_batch()
    first = b.outlets[0]
    b.outlets.append({**first, "outlet_id": None, "registered": False})
    b.articles[1].update(outlet_key=first["outlet_key"], outlet_id=None, outlet_registered=False,
                         outlet_name=first["name"], outlet_domain=first["domain"])
    out = validate_load_batch(b, validator)
    assert not _by_name(out.results, "core.outlets")[
        ("expect_column_values_to_be_unique(outlet_key)", "critical")]["success"]
    assert set(out.failing_docs) == {"d2"}
    kept = quarantine_failing(b, out.failing_docs, "run-1")
    assert [a["doc_id"] for a in kept.articles] == ["d1"]
    assert [(o["outlet_key"], o["outlet_id"]) for o in kept.outlets] == [(first["outlet_key"], first["outlet_id"])]


def test_frames_have_their_columns_even_when_empty():
    assert list(paragraph_frame([]).columns)[:2] == ["doc_id", "paragraph_no"]
    assert "reason" in removed_line_frame([]).columns
    assert "key_matches" in outlet_frame([]).columns


def test_real_stage_output_passes_every_table_suite(validator):
    """The fixture pages through the real read, clean, detect and articles validation (no
    Prefect): the rows build_load_batch makes pass the table suites, so wiring them into
    the flow quarantines nothing that loads today."""
    from flows.config import Settings
    from flows.stages.clean.cleaner import CleanOptions
    from flows.stages.detect.detector import load_registry
    from flows.stages.clean.lines import load_line_rules
    from flows.stages.load import build_load_batch
    from flows.stages.read import ReadOptions, list_sources, read_batch
    from flows.stages.validate.articles import validate_articles
    from flows.run.worker import ExtractOptions, extract_chunk
    from tests.conftest import FIXTURES

    s = Settings()
    read = read_batch(list(list_sources([str(FIXTURES / "pages")])), ReadOptions())
    opts = ExtractOptions(clean=CleanOptions(rules=load_line_rules(s.reference_dir)),
                          registry=load_registry(s.reference_dir))
    _, detected = extract_chunk(list(read.kept), opts)
    outcome = validate_articles(list(detected.kept), validator)
    batch = build_load_batch(outcome.kept, [], "run-1")
    assert batch.paragraphs and batch.removed_lines and batch.outlets
    out = validate_load_batch(batch, validator)
    assert [r for r in out.results if not r["success"]] == [] and out.failing_docs == {}


def test_removed_line_reasons_cover_the_phrase_list():
    """Every reason a phrase in chrome_phrases.csv can give is a known removal reason."""
    import csv

    from flows.config import Settings

    s = Settings()
    suite = json.loads((s.expectations_dir / "core.removed_lines.json").read_text())
    known = next(set(e["kwargs"]["value_set"]) for e in suite["expectations"]
                 if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "reason")
    with open(s.reference_dir / "chrome_phrases.csv", encoding="utf-8", newline="") as f:
        reasons = {r["reason"] for r in csv.DictReader(f)}
    assert reasons <= known, reasons - known
