"""DuckDB full-text search, offline: the fts extension comes from the pip package
`duckdb_extension_fts` (pinned with duckdb in pyproject.toml), never from the network.

The index lives in the schema `fts_core_articles` (DuckDB's naming) and is rebuilt by the
post-load hook after every run; `match_bm25` there scores an article against a query.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

INDEX_SCHEMA = "fts_core_articles"


class SearchUnavailable(RuntimeError):
    """The fts extension or the search index is missing."""


def extension_path() -> Path:
    """The fts extension file shipped in the `duckdb_extension_fts` wheel for this duckdb."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        raise SearchUnavailable("the package duckdb-extension-fts is not installed "
                                f"(pip install duckdb-extension-fts=={duckdb.__version__})")
    root = Path(list(spec.submodule_search_locations)[0])
    path = root / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise SearchUnavailable(f"no fts extension for duckdb {duckdb.__version__} at {path}; "
                                "install the duckdb-extension-fts release matching duckdb")
    return path


def load(con: duckdb.DuckDBPyConnection) -> None:
    con.load_extension(str(extension_path()))


def build_index(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the index over core.articles (title, text). Returns the articles indexed."""
    load(con)
    con.execute("pragma create_fts_index('core.articles', 'doc_id', 'title', 'text', "
                "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, "
                "overwrite = 1)")
    return int(con.execute("select count(*) from core.articles").fetchone()[0])


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("select count(*) from duckdb_schemas() where schema_name = ?",
                      [INDEX_SCHEMA]).fetchone()
    return bool(row and row[0])
