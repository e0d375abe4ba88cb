"""The package layout shows the DAG, and everything in it loads (a smoke test).

flows/stages/ holds one module or package per stage in DAG order (read, clean/, detect/,
validate/, load, syndicate); the code around them sits in a folder per job: commands/ (the
command line), run/ (the flow and its workers), store/ (the warehouse), reports/.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import flows
from flows.config import PROJECT_ROOT

FLOWS = Path(flows.__file__).parent
OLD_FLAT_MODULES = (  # moved into packages; nothing may import them by these names again
    "flows.cli", "flows.pipeline", "flows.worker", "flows.dask_runner", "flows.startup",
    "flows.warehouse", "flows.postload", "flows.fts", "flows.readonly", "flows.search",
    "flows.dashboard", "flows.datadocs", "flows.stages.lines", "flows.stages.walls",
    "flows.stages.dates", "flows.stages.language", "flows.stages.outlets", "flows.stages.wire",
    "flows.stages.citations", "flows.stages.validate_tables")


def all_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(FLOWS)], prefix="flows."))


def test_the_folders_follow_the_dag_and_the_jobs():
    assert {p.name for p in FLOWS.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "commands", "run", "store", "reports", "stages"}
    stages = FLOWS / "stages"
    for package in ("clean", "detect", "validate"):
        assert (stages / package / "__init__.py").is_file()
    for module in ("read.py", "load.py", "syndicate.py"):
        assert (stages / module).is_file()


@pytest.mark.parametrize("name", all_modules())
def test_every_module_imports(name):
    importlib.import_module(name)


@pytest.mark.parametrize("old", OLD_FLAT_MODULES)
def test_moved_modules_are_gone_from_their_old_paths(old):
    assert importlib.util.find_spec(old) is None


def test_no_file_names_a_module_by_its_old_path():
    old_paths = [m.replace(".", "/") + ".py" for m in OLD_FLAT_MODULES]
    olds = [*OLD_FLAT_MODULES, *old_paths]
    roots = [FLOWS, PROJECT_ROOT / "tests", PROJECT_ROOT / "bench", PROJECT_ROOT / "sql"]
    files = [PROJECT_ROOT / "Makefile", PROJECT_ROOT / "pyproject.toml", PROJECT_ROOT / "prefect.yaml"]
    files += [p for r in roots for p in r.rglob("*") if p.suffix in (".py", ".sql", ".yaml", ".toml")
              and p.name != "test_layout.py"]
    import re

    pattern = re.compile(r"(?<![\w./])(" + "|".join(re.escape(o) for o in olds) + r")(?![\w/])")
    found = [(str(p.relative_to(PROJECT_ROOT)), m.group(1)) for p in files
             for m in pattern.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, found


def test_stages_never_import_prefect():
    for path in (FLOWS / "stages").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import prefect" not in text and "from prefect" not in text, path
