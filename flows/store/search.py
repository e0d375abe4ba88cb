"""Full-text search over the warehouse: ranked articles with outlet, date, title and snippet.

The query is always a bound parameter (sql/search/articles.sql). The warehouse is opened
read-only and held only for the query, so a scheduled run is blocked for a moment at most.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb

from flows.store import fts
from flows.store.readonly import readonly

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    rank: int
    doc_id: str
    score: float
    phrase_match: bool
    outlet: str | None
    published_date: date | None
    title: str | None
    snippet: str
    source_uri: str


def query_words(query: str) -> list[str]:
    return WORD.findall(query.casefold())


def snippet(text: str, query: str, width: int = 220) -> str:
    """About `width` characters of `text` around the query's phrase (or, failing that, its
    first word found), on one line, with ellipses where cut."""
    flat = " ".join(text.split())
    words = query_words(query)
    if not flat or not words:
        return flat[:width]
    phrase = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
    m = phrase.search(flat)
    if m is None:
        for w in words:
            m = re.search(r"\b" + re.escape(w), flat, re.IGNORECASE)
            if m:
                break
    if m is None:
        return flat[:width].rstrip() + ("…" if len(flat) > width else "")
    start = max(0, m.start() - width // 3)
    end = min(len(flat), start + width)
    start = max(0, min(start, end - width))
    if start > 0:  # do not cut a word in half
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < m.start() else start
    if end < len(flat):
        space = flat.rfind(" ", m.end(), end)
        end = space if space > 0 else end
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")


def search_con(con: duckdb.DuckDBPyConnection, query: str, sql_dir: Path, limit: int = 10) -> list[Hit]:
    """Ranked hits for `query` on an open connection (the warehouse or a snapshot)."""
    if not query_words(query):
        return []
    fts.load(con)
    if not fts.has_index(con):
        raise fts.SearchUnavailable("this warehouse has no search index yet; it is built at the "
                                    "end of every `newsflow run`, so run the pipeline once")
    sql = (Path(sql_dir) / "search" / "articles.sql").read_text(encoding="utf-8")
    rows = con.execute(sql, {"query": query, "limit": int(limit)}).fetchall()
    return [Hit(rank=r[0], doc_id=r[1], score=r[2], phrase_match=r[3], outlet=r[4],
                published_date=r[5], title=r[6], snippet=snippet(r[7], query), source_uri=r[8])
            for r in rows]


def search(warehouse: Path, query: str, sql_dir: Path, limit: int = 10, *, wait_s: float = 30.0,
           on_wait: Callable[[str], None] | None = None) -> list[Hit]:
    """Open the warehouse read-only (retrying while it is locked), search, close."""
    with readonly(warehouse, wait_s=wait_s, on_wait=on_wait) as con:
        return search_con(con, query, sql_dir, limit)


def format_hits(hits: list[Hit], query: str) -> str:
    if not hits:
        return f'no articles match "{query}"\n'
    out = []
    for h in hits:
        when = h.published_date.isoformat() if h.published_date else "date unknown"
        head = f"{h.rank:>3}. [{h.score:.3f}{' phrase' if h.phrase_match else ''}] " \
               f"{h.outlet or 'outlet unknown'} | {when}"
        out.append(head)
        out.append(f"     {h.title or '(no title)'}")
        out.extend(textwrap.wrap(h.snippet, width=96, initial_indent="     ",
                                 subsequent_indent="     "))
        out.append(f"     {h.source_uri}  doc_id {h.doc_id[:12]}")
        out.append("")
    return "\n".join(out)
