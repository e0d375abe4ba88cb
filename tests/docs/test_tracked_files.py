"""No database or stray binary is tracked by git: warehouses are built by `make run`, never
committed. Binary files are allowed only where fixtures and figures are meant to live."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from flows.config import PROJECT_ROOT

# Database files by name: DuckDB, its write-ahead log, SQLite, Parquet shards.
DATABASE_SUFFIXES = (".duckdb", ".db", ".wal", ".parquet", ".sqlite", ".sqlite3")

# Where binary files are intended, by folder and by how the name ends.
BINARY_ALLOWED = (
    ("examples/", (".gz",)),            # gzipped sample pages
    ("tests/fixtures/", None),          # bad inputs and pages, any kind (png, pdf, gzip, ...)
    ("docs/", (".png",)),               # screenshots in the docs
)


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, check=True,
                         capture_output=True).stdout
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def is_database(head: bytes) -> bool:
    """DuckDB's main header puts "DUCK" after an 8-byte checksum; SQLite starts with its name."""
    return head[8:12] == b"DUCK" or head.startswith(b"SQLite format 3\x00")


def binary_allowed(path: str) -> bool:
    for folder, endings in BINARY_ALLOWED:
        if path.startswith(folder) and (endings is None or path.endswith(endings)):
            return True
    return False


def test_no_database_or_binary_file_is_tracked():
    problems = []
    for path in tracked_files():
        name = PurePosixPath(path).name.lower()
        file = Path(PROJECT_ROOT, path)
        if name.endswith(DATABASE_SUFFIXES):
            problems.append(f"{path}: a database file by its name")
            continue
        if not file.is_file():  # deleted in the work tree, or a submodule
            continue
        data = file.read_bytes()
        if is_database(data[:16]):
            problems.append(f"{path}: a DuckDB or SQLite database (magic bytes)")
        elif b"\0" in data and not binary_allowed(path):
            problems.append(f"{path}: binary (NUL bytes) outside the allowed fixture folders")
    assert not problems, "tracked files that should not be:\n" + "\n".join(problems)


@pytest.mark.parametrize("head, expected", [
    (b"\x06\xd7o'\xc2\xda\xb3\xb9DUCK@\0\0\0", True),
    (b"SQLite format 3\x00", True),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", False),
])
def test_database_magic_is_recognised(head, expected):
    assert is_database(head) is expected


def test_allow_list_is_narrow():
    assert binary_allowed("examples/page.html.gz") and binary_allowed("docs/dashboard.png")
    assert not binary_allowed("examples/page.bin") and not binary_allowed("run")
