"""mart views, analysis queries and search on a warehouse built by the real flow.

One module-scoped warehouse: the five seeds (different stories on the same topic: Russia,
Ukraine, January 2022) plus tests/fixtures/syndication (one made-up AP story on two sites
with different chrome, and an unrelated local story). The clean and detect stages are still
being improved, so assertions rest on article text and source files, not on titles or
outlet names.
"""
from __future__ import annotations

import io
import re
from argparse import Namespace
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FIXTURES, SEEDS, need_shared

SYNDICATION = FIXTURES / "syndication"
PHRASE = re.compile(r"\bfalse[\s\-]+flag\b", re.IGNORECASE)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(prefect_harness, tmp_path_factory):
    from flows.config import Settings
    from flows.run.pipeline import run

    need_shared(SEEDS)
    s = Settings.from_env(tmp_path_factory.mktemp("marts") / "marts.duckdb", workers=1)
    summary = run([str(SEEDS), str(SYNDICATION)], s)
    assert summary.status == "completed"
    return s


@pytest.fixture
def con(built):
    c = duckdb.connect(str(built.warehouse), read_only=True)
    yield c
    c.close()


def _ids(con) -> dict[str, str]:
    """file name -> doc_id of every loaded article."""
    return {Path(u).name: d for d, u in con.execute("select doc_id, source_uri from core.articles").fetchall()}


def test_all_fixture_pages_loaded(con):
    names = set(_ids(con))
    assert {p.name for p in SEEDS.glob("*.txt")} <= names
    assert {"ridgeway-dam-inspection.txt", "lakeshore-dam-inspection.html",
            "ridgeway-bakery-reopens.txt"} <= names


def test_every_mart_object_runs(con, built):
    for f in sorted((built.sql_dir / "views" / "mart").glob("*.sql")):
        if f.stem == "term_counts":
            con.execute("select * from mart.term_counts('ukraine')").fetchall()
        else:
            con.execute(f"select * from mart.{f.stem}").fetchall()  # name from our own file list


def test_the_two_reprints_form_one_cluster_and_nothing_else_clusters(con):
    ids = _ids(con)
    members = con.execute("select cluster_id, doc_id, similarity from core.story_clusters").fetchall()
    clusters: dict[str, set[str]] = {}
    for cid, doc, _ in members:
        clusters.setdefault(cid, set()).add(doc)
    dam = {ids["ridgeway-dam-inspection.txt"], ids["lakeshore-dam-inspection.html"]}
    assert dam in clusters.values()
    assert len(clusters) == 1, "the seeds (same topic, different stories) must not cluster"
    assert min(s for _, d, s in members if d in dam) >= 0.5
    view = con.execute("select cluster_id, article_count, earliest_doc_id, wire_name "
                       "from mart.story_clusters").fetchall()
    assert len(view) == 1 and view[0][0] == min(dam) and view[0][1] == 2
    # earliest publisher: by published_date (unknown last), then loaded_at, then doc_id
    rows = con.execute("select doc_id, published_date, loaded_at from core.articles "
                       "where doc_id in (select unnest($d))", {"d": sorted(dam)}).fetchall()
    rows.sort(key=lambda r: (r[1] is None, r[1] or 0, r[2], r[0]))
    assert view[0][2] == rows[0][0]
    named = con.execute("select max(wire_name) from core.articles where doc_id in (select unnest($d))",
                        {"d": sorted(dam)}).fetchone()[0]
    assert view[0][3] == named


def test_term_counts_false_flag_matches_the_text(con):
    texts = dict(con.execute("select doc_id, coalesce(title, '') || chr(10) || text from core.articles").fetchall())
    expected = {d: len(PHRASE.findall(t)) for d, t in texts.items() if PHRASE.search(t)}
    ids = _ids(con)
    assert {ids[n] for n in ids if n[:3] in ("000", "001", "004")} <= set(expected)
    rows = con.execute("select doc_ids, occurrences from mart.term_counts('false flag')").fetchall()
    got = {d for r in rows for d in r[0]}
    assert got == set(expected)
    assert sum(r[1] for r in rows) == sum(expected.values())


def test_per_outlet_day_and_profiles_add_up(con):
    total = con.execute("select count(*) from core.articles").fetchone()[0]
    assert con.execute("select sum(article_count) from mart.articles_per_outlet_day").fetchone()[0] == total
    assert con.execute("select sum(article_count) from mart.outlet_profiles").fetchone()[0] == total
    bad_mix = con.execute("select count(*) from mart.articles_per_outlet_day "
                          "where list_sum(map_values(language_mix)) != article_count").fetchone()[0]
    assert bad_mix == 0
    wrong_ref = con.execute("select count(*) from mart.outlet_profiles p join ref.outlets r using (outlet_id) "
                            "where p.country is distinct from r.country or p.kind is distinct from r.kind"
                            ).fetchone()[0]
    assert wrong_ref == 0


def _analysis(built, name):
    return (built.sql_dir / "analysis" / f"{name}.sql").read_text(encoding="utf-8")


def test_analysis_queries(con, built):
    files = sorted(p.stem for p in (built.sql_dir / "analysis").glob("*.sql"))
    assert 4 <= len(files) <= 6
    results = {name: con.execute(_analysis(built, name)).fetchall() for name in files}

    jan = con.execute("select count(*) from core.articles where published_date >= date '2022-01-01' "
                      "and published_date < date '2022-02-01' and regexp_matches(lower(coalesce(title,'') "
                      "|| chr(10) || text), 'false[\\s\\-]+flag')").fetchone()[0]
    assert sum(r[1] for r in results["false_flag_january_2022"]) == jan

    largest = results["largest_syndication_clusters"]
    assert len(largest) == 1 and largest[0][0] == 2

    shares: dict[str, float] = {}
    for outlet, _, _, share in results["language_mix_per_outlet"]:
        shares[outlet] = shares.get(outlet, 0) + share
    assert shares and all(v == pytest.approx(1.0, abs=0.01) for v in shares.values())

    cites = con.execute("select count(*) from mart.citation_graph where not self_citation").fetchone()[0]
    assert len(results["who_cites_whom"]) == cites
    assert len(results["boilerplate_heavy_outlets"]) == con.execute(
        "select count(*) from mart.outlet_profiles").fetchone()[0]


def test_search_command_ranks_phrase_articles_first(built):
    from flows.commands import search as cmd
    from flows.store.search import search

    hits = search(built.warehouse, "false flag", built.sql_dir, limit=10)
    names = [Path(h.source_uri).name[:3] for h in hits]
    with_phrase = [h.phrase_match for h in hits]
    assert {"000", "001", "004"} <= set(names[:with_phrase.count(True)])
    assert with_phrase == sorted(with_phrase, reverse=True)
    assert "002" not in names[:with_phrase.count(True)]

    out = io.StringIO()
    code = cmd.main(Namespace(query="false flag", warehouse=str(built.warehouse), limit=3), out=out)
    text = out.getvalue()
    assert code == 0 and text.count("doc_id") == 3
    assert PHRASE.search(text), "snippets show the phrase"

    dam = search(built.warehouse, "Caldwell River dam spillway", built.sql_dir, limit=5)
    assert {Path(h.source_uri).name for h in dam[:2]} == {"ridgeway-dam-inspection.txt",
                                                           "lakeshore-dam-inspection.html"}


def test_search_query_is_a_value_not_sql(built, con):
    from flows.store.search import search

    before = con.execute("select count(*) from core.articles").fetchone()[0]
    hostile = search(built.warehouse, "x'); drop table core.articles; --", built.sql_dir)
    assert all(not h.phrase_match for h in hostile)  # words like "table" may match; SQL never runs
    assert search(built.warehouse, "   ", built.sql_dir) == []
    assert con.execute("select count(*) from core.articles").fetchone()[0] == before


def test_snapshot_is_searchable(built, tmp_path):
    from flows.store.readonly import snapshot_file
    from flows.store.search import search

    snap = snapshot_file(built.warehouse, tmp_path / "news.snapshot.duckdb")
    hits = search(snap, "false flag", built.sql_dir, limit=3)
    assert len(hits) == 3 and all(h.phrase_match for h in hits)
    again = snapshot_file(built.warehouse, snap)  # replaced atomically, no leftovers
    assert again == snap and sorted(p.name for p in tmp_path.iterdir()) == ["news.snapshot.duckdb"]


def test_postload_refresh_twice_changes_nothing(built):
    from flows.store import postload

    def state(c):
        return (c.execute("select * from core.story_clusters order by doc_id").fetchall(),
                c.execute("select doc_id, hashvalues from core.article_minhash order by doc_id").fetchall())

    c = duckdb.connect(str(built.warehouse))
    try:
        before = state(c)
        # The run already refreshed from these articles: nothing to do.
        assert postload.refresh(c, built.sql_dir) == {}
        counts = postload.refresh(c, built.sql_dir, force=True)
        assert counts["minhash_computed"] == 0 and counts["story_clusters"] == 1
        assert state(c) == before
    finally:
        c.close()
