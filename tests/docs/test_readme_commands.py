"""Every shell command in README.md (and docs/*.md) runs as shown after `make run`.

Commands come from ```sh blocks and run in the sandbox (a fresh clone after `make run`), one
shell per block. Long-running or environment-specific ones are skipped by
tools/docs_outputs.py's SKIP list, each with its reason: `make run`/`make test` (the sandbox
is built the way `make run` builds it; the suite itself), `newsflow serve` and `prefect ...`
(need a running Prefect server), `newsflow run` over the user's own paths, benchmarks."""
from __future__ import annotations

import pytest

from flows.config import PROJECT_ROOT
from tests.docs._tool import docs_outputs


def _blocks(tool):
    return [(b[0].where(), b) for p in tool.doc_files() for b in tool.shell_blocks(p) if b]


def test_readme_has_commands_and_most_run(docs_tool):
    cmds = [c for b in docs_tool.shell_blocks(PROJECT_ROOT / "README.md") for c in b]
    assert any(c.text.startswith("duckdb -readonly") for c in cmds)
    run = [c for c in cmds if docs_tool.skip_reason(c.text) is None]
    assert len(run) >= len(cmds) - 4, [c.text for c in cmds if c not in run]


@pytest.mark.parametrize("where", [w for w, _ in _blocks(docs_outputs())])
def test_shell_block_runs(docs_tool, sandbox, where):
    block = dict(_blocks(docs_tool))[where]
    done, skipped = docs_tool.run_block(sandbox, block)
    assert done.returncode == 0, f"{where}: a command failed:\n{done.stderr[-3000:]}"


def test_skip_list_names_its_reasons(docs_tool):
    assert docs_tool.skip_reason("make test") and docs_tool.skip_reason("newsflow serve x --cron '0 * * * *'")
    assert docs_tool.skip_reason("duckdb -readonly warehouse/news.duckdb") is None
    assert docs_tool.skip_reason("newsflow run --help") is None
