"""Derived data refreshed after each run's loads: syndication clusters and the search index.

Called by the flow once per run, with the run's single writer connection. Everything here is
a pure function of the loaded articles, so re-running it changes nothing:
1. MinHash signatures for articles that have none yet (core.article_minhash);
2. syndication clusters over all signatures, replacing core.story_clusters;
3. the full-text index over core.articles (flows/store/fts.py).
"""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from flows.store import fts
from flows.store.warehouse import registered, replace_table, transaction
from flows.stages.syndicate import Signature, SyndicateOptions, cluster, signatures

log = logging.getLogger(__name__)


def articles_fingerprint(con: duckdb.DuckDBPyConnection, opts: SyndicateOptions) -> str:
    """The set of articles (and the signature method) in one string: equal fingerprints mean
    nothing derived from the articles can have changed."""
    n, h = con.execute("select count(*), coalesce(bit_xor(hash(doc_id)), 0) from core.articles"
                       ).fetchone()
    return f"{opts.method}:{n}:{h}"


def refresh(con: duckdb.DuckDBPyConnection, sql_dir: Path,
            opts: SyndicateOptions | None = None, force: bool = False) -> dict[str, int]:
    """Rebuild whatever is derived from the loaded articles, unless the articles are the
    ones it was last built from (`force` rebuilds anyway). Returns counts for the summary."""
    opts = opts or SyndicateOptions()
    fingerprint = articles_fingerprint(con, opts)
    last = con.execute("select fingerprint from core.derived_state where name = 'postload'"
                       ).fetchone()
    if not force and last and last[0] == fingerprint and fts.has_index(con):
        log.info("post-load: articles unchanged since the last refresh")
        return {}
    counts = {"minhash_computed": refresh_signatures(con, opts)}
    counts.update(refresh_clusters(con, opts))
    counts["fts_indexed"] = fts.build_index(con)
    con.execute("insert or replace into core.derived_state (name, fingerprint, refreshed_at) "
                "values ('postload', $f, current_timestamp)", {"f": fingerprint})
    log.info("post-load: %s", counts)
    return counts


SIGNATURE_CHUNK = 2000  # articles per read: the texts of a whole crawl never sit in memory


def refresh_signatures(con: duckdb.DuckDBPyConnection, opts: SyndicateOptions) -> int:
    """Compute and store signatures for articles without one for the current method, a
    chunk of articles at a time."""
    import pandas as pd

    done = 0
    while True:
        todo = con.execute(
            "select a.doc_id, a.text from core.articles a "
            "left join core.article_minhash m on m.doc_id = a.doc_id and m.method = $method "
            "where m.doc_id is null order by a.doc_id limit $n",
            {"method": opts.method, "n": SIGNATURE_CHUNK}).fetchall()
        if not todo:
            return done
        sigs = signatures(todo, opts)
        frame = pd.DataFrame({"doc_id": [s.doc_id for s in sigs],
                              "method": opts.method,
                              "shingle_count": [s.shingle_count for s in sigs],
                              "hashvalues": [list(s.hashvalues) for s in sigs]})
        with transaction(con), registered(con, "minhash_frame", frame):
            con.execute("insert or replace into core.article_minhash by name "
                        "select doc_id, method, shingle_count, hashvalues::ubigint[] as hashvalues "
                        "from minhash_frame")
        done += len(sigs)


def stored_signatures(con: duckdb.DuckDBPyConnection, opts: SyndicateOptions) -> list[Signature]:
    """Every stored signature of the method, its hash values one row of a uint64 matrix
    (8 bytes a value, not a Python int each)."""
    import numpy as np

    where = ("from core.article_minhash m join core.articles a using (doc_id) "
             "where m.method = $method")
    keys = con.execute(f"select m.doc_id, m.shingle_count {where} order by m.doc_id",
                       {"method": opts.method}).fetchall()
    if not keys:
        return []
    flat = con.execute(
        f"select h from (select m.doc_id, unnest(m.hashvalues) as h, "
        f"generate_subscripts(m.hashvalues, 1) as i {where}) order by doc_id, i",
        {"method": opts.method}).fetchnumpy()["h"]
    matrix = np.asarray(flat, dtype=np.uint64).reshape(len(keys), -1)
    ids = [k[0] for k in keys]
    counts = [k[1] for k in keys]
    return [Signature(d, c, matrix[i]) for i, (d, c) in enumerate(zip(ids, counts))]


def refresh_clusters(con: duckdb.DuckDBPyConnection, opts: SyndicateOptions) -> dict[str, int]:
    """Re-cluster every article with a signature and replace core.story_clusters."""
    import pandas as pd

    members = cluster(stored_signatures(con, opts), opts)
    frame = pd.DataFrame([{"cluster_id": m.cluster_id, "doc_id": m.doc_id,
                           "cluster_size": m.cluster_size, "similarity": m.similarity,
                           "containment": m.containment, "method": opts.method} for m in members],
                         columns=["cluster_id", "doc_id", "cluster_size", "similarity",
                                  "containment", "method"])
    replace_table(con, "core.story_clusters", frame)
    return {"story_clusters": len({m.cluster_id for m in members}),
            "story_cluster_articles": len(members)}
