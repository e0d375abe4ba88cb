"""One sandbox for the docs tests: a fresh clone after `make run` (tools/docs_outputs.py)."""
from __future__ import annotations

import pytest

from tests.docs._tool import docs_outputs


@pytest.fixture(scope="session")
def docs_tool():
    return docs_outputs()


@pytest.fixture(scope="session")
def sandbox(docs_tool, tmp_path_factory):
    """`newsflow run` on examples/ into `<tmp>/clone/warehouse/news.duckdb` (~10 s), once."""
    if not (docs_tool.VENV_BIN / "newsflow").exists():
        pytest.skip("no .venv/bin/newsflow (run make setup)")
    return docs_tool.build_sandbox(tmp_path_factory.mktemp("docs") / "clone")
