"""mart views and macros on hand-made rows: exact values, no pipeline needed (fast).

A fresh in-memory warehouse gets the real DDL and views (`migrate`), then a few rows typed
straight into core.* so each rule (earliest publisher, wire agency, citation counts, term
matching) is checked against values known in advance.
"""
from datetime import date, datetime

import duckdb
import pytest

from flows.stages.load import outlet_key

from flows.config import Settings
from flows.store.warehouse import migrate

SQL_DIR = Settings().sql_dir


def _article(doc_id, text, *, outlet_id=None, outlet_name=None, domain=None, day=None,
             loaded="2022-02-01 10:00:00", wire=None, language="en", title=None, share=0.1):
    return {"doc_id": doc_id, "source_uri": f"/x/{doc_id}.txt", "title": title or f"title {doc_id}",
            "text": text, "language": language, "language_confidence": 0.99,
            "outlet_id": outlet_id, "outlet_name": outlet_name, "outlet_domain": domain,
            "outlet_key": outlet_key(outlet_id, outlet_name, domain) if outlet_name or domain else None,
            "outlet_registered": outlet_id is not None, "wire_id": wire and wire.lower(),
            "wire_name": wire, "published_date": day and date.fromisoformat(day),
            "word_count": len(text.split()), "char_count": len(text), "paragraph_count": 1,
            "removed_line_count": 0, "boilerplate_share": share, "extractor": "test",
            "run_id": "r1", "loaded_at": datetime.fromisoformat(loaded)}


@pytest.fixture
def con():
    import pandas as pd

    c = duckdb.connect()
    migrate(c, SQL_DIR)
    rows = [
        _article("a1", "Wire story about the dam. A false flag claim.", outlet_id="sputnik",
                 outlet_name="Sputnik International", day="2022-01-14", loaded="2022-02-01 09:00:00"),
        _article("a2", "Wire story about the dam, reprinted.", outlet_name="Valley Gazette",
                 domain="valley.example", day="2022-01-13", loaded="2022-02-01 11:00:00", wire="Reuters"),
        _article("a3", "Wire story about the dam, reprinted again.", outlet_name="Coast Herald",
                 domain="coast.example", day="2022-01-13", loaded="2022-02-01 08:00:00"),
        _article("b1", "Same day copy one.", outlet_name="Coast Herald", domain="coast.example"),
        _article("b2", "Same day copy two.", outlet_name="Valley Gazette", domain="valley.example",
                 loaded="2022-02-01 07:00:00"),
        _article("c1", "FALSE-FLAG operation, a false  flag, not a falseflag nor false flags. "
                       "Software is not war.", outlet_id="sputnik", outlet_name="Sputnik International",
                 day="2022-01-14", language="ru", share=0.3),
    ]
    c.register("rows", pd.DataFrame(rows))
    c.execute("insert into core.articles by name select * from rows")
    c.execute("insert into ref.outlets values ('sputnik', 'Sputnik International', [], [], 'RU', ['en'], "
              "'broadcaster', []), ('reuters', 'Reuters', [], [], 'GB', ['en'], 'wire', [])")
    c.execute("insert into core.story_clusters values "
              "('a1', 'a1', 3, 0.9, 0.95, 'm'), ('a1', 'a2', 3, 0.9, 0.95, 'm'), ('a1', 'a3', 3, 0.8, 0.9, 'm'), "
              "('b1', 'b1', 2, 0.7, 0.8, 'm'), ('b1', 'b2', 2, 0.7, 0.8, 'm')")
    c.execute("insert into core.citations values "
              "('a1', 1, 'reuters', 'Reuters', 'told Reuters', 'told'), "
              "('c1', 1, 'reuters', 'Reuters', 'according to Reuters', 'according_to'), "
              "('c1', 2, null, 'TASS', 'TASS reported', 'reported'), "
              "('a2', 1, 'reuters', 'Reuters', 'Reuters said', 'said')")
    yield c
    c.close()


def test_story_clusters_pick_the_earliest_publisher_and_the_wire(con):
    rows = con.execute("select cluster_id, article_count, outlet_count, wire_name, earliest_doc_id, "
                       "earliest_outlet, earliest_published_date from mart.story_clusters "
                       "order by cluster_id").fetchall()
    # a2 and a3 share the earliest date; a3 was loaded first. Only a2 named the wire.
    assert rows[0] == ("a1", 3, 3, "Reuters", "a3", "Coast Herald", date(2022, 1, 13))
    # no dates at all: loaded_at decides; no member named a wire.
    assert rows[1] == ("b1", 2, 2, None, "b2", "Valley Gazette", None)
    order = con.execute("select doc_id, publish_order from mart.story_cluster_members "
                        "where cluster_id = 'a1' order by publish_order").fetchall()
    assert order == [("a3", 1), ("a2", 2), ("a1", 3)]


def test_citation_graph_counts_edges(con):
    rows = con.execute("select citing_key, cited_key, cited_name, citation_count, article_count, self_citation "
                       "from mart.citation_graph order by citing_key, cited_key").fetchall()
    assert rows == [
        ("domain:valley.example", "reuters", "Reuters", 1, 1, False),
        ("sputnik", "name:tass", "TASS", 1, 1, False),
        ("sputnik", "reuters", "Reuters", 2, 2, False),
    ]


def test_term_counts_macro_matches_phrase_variants_on_word_boundaries(con):
    rows = con.execute("select outlet_key, published_date, article_count, occurrences, doc_ids "
                       "from mart.term_counts('false flag')").fetchall()
    # a1: "false flag" once. c1: "FALSE-FLAG", "false  flag" (not "falseflag", not "false flags").
    assert rows == [("sputnik", date(2022, 1, 14), 2, 3, ["a1", "c1"])]
    assert con.execute("select count(*) from mart.term_counts('war')").fetchone()[0] == 1  # c1 only
    assert con.execute("select sum(occurrences) from mart.term_counts('WAR')").fetchone()[0] == 1
    # regex characters in the term are literal
    assert con.execute("select count(*) from mart.term_counts('dam.')").fetchone()[0] == 1
    assert con.execute("select count(*) from mart.term_counts('d.m')").fetchone()[0] == 0


def test_per_outlet_day_and_profiles(con):
    days = con.execute("select outlet_key, published_date, article_count, language_count, language_mix "
                       "from mart.articles_per_outlet_day where outlet_key = 'sputnik'").fetchall()
    assert days == [("sputnik", date(2022, 1, 14), 2, 2, {"en": 1, "ru": 1})]
    prof = con.execute("select outlet_name, country, kind, article_count, median_word_count, boilerplate_share "
                       "from mart.outlet_profiles where outlet_key = 'sputnik'").fetchone()
    assert prof[:4] == ("Sputnik International", "RU", "broadcaster", 2)
    assert prof[5] == pytest.approx(0.2)
    unreg = con.execute("select country, kind, article_count from mart.outlet_profiles "
                        "where outlet_key = 'domain:coast.example'").fetchone()
    assert unreg == (None, None, 2)
