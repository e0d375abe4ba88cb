"""What README.md and docs/*.md show is what a fresh `make run` gives.

Outputs between `<!-- output: ... -->` markers are rerun on a warehouse built from examples/;
a difference fails with the diff. Fix: `make docs-outputs` (tools/docs_outputs.py)."""
from __future__ import annotations

from flows.config import PROJECT_ROOT


def test_docs_have_outputs_to_check(docs_tool):
    marked = [p for p in docs_tool.doc_files() if docs_tool.OUTPUT_BLOCK.search(p.read_text(encoding="utf-8"))]
    assert PROJECT_ROOT / "README.md" in marked
    assert PROJECT_ROOT / "docs" / "querying.md" in marked


def test_every_sql_analysis_file_is_shown(docs_tool):
    shown = {m["what"] for p in docs_tool.doc_files()
             for m in docs_tool.OUTPUT_BLOCK.finditer(p.read_text(encoding="utf-8"))}
    for sql in sorted((PROJECT_ROOT / "sql" / "analysis").glob("*.sql")):
        assert f"sql/analysis/{sql.name}" in shown, f"{sql.name} has no shown output in the docs"


def test_shown_outputs_are_current(docs_tool, sandbox):
    stale = docs_tool.stale_outputs(sandbox)
    assert not stale, ("shown output no longer matches a fresh run; regenerate with "
                       "`make docs-outputs`:\n" + "\n".join(stale.values()))
