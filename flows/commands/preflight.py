"""Checks `newsflow run` makes before Prefect starts: a wrong path or an unwritable
warehouse is one line and exit 2 within a second, not two Prefect tracebacks after 18 s.

Each check returns None when fine, else the line to print (without the `newsflow: `
prefix). Standard library only; nothing is read from the inputs but their names, and
nothing is written but a probe file that is removed at once.
"""
from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path
from typing import Iterable


def check_inputs(inputs: Iterable[str]) -> str | None:
    """Each INPUT is an existing file or folder (a dangling link too: the read stage
    quarantines it with its reason), or a glob that matches a file. Cheaper than
    `expand_inputs` (no walk of the folders); the same wording as its InputError."""
    from flows.sources import display_path

    for item in inputs:
        item = os.fspath(item)
        if os.path.lexists(item):
            continue
        if glob.has_magic(item) and any(os.path.isfile(p) for p in glob.iglob(item, recursive=True)):
            continue
        return (f"input {display_path(item)!r} is not a file, a directory or a glob that "
                "matches any file; check the path")
    return None


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of a DuckDB database file


def check_warehouse(path: os.PathLike | str) -> str | None:
    """The warehouse can be opened for writing: an existing DuckDB file we may write, or a
    new file in a folder we can create and write in."""
    path = Path(path)
    if path.exists():
        if path.is_dir():
            return f"the warehouse {path} is a folder; give a file, e.g. --warehouse {path / 'news.duckdb'}"
        if not path.is_file():
            return f"the warehouse {path} is not a regular file"
        try:
            with open(path, "r+b") as f:  # opened for writing, nothing written
                head = f.read(12)
        except OSError as exc:
            return (f"the warehouse {path} cannot be written ({exc.strerror or exc}); "
                    "choose a writable --warehouse")
        if head and (len(head) < 12 or head[8:12] != DUCKDB_MAGIC):
            return (f"the warehouse {path} is not a DuckDB database; "
                    "give a new or DuckDB file as --warehouse")
        return None
    folder = path.parent
    while not folder.exists():  # wh.connect creates the missing folders
        if folder.parent == folder:
            break
        folder = folder.parent
    if not folder.is_dir():
        return f"the warehouse {path} cannot be created: {folder} is not a folder"
    try:
        fd, probe = tempfile.mkstemp(prefix=".newsflow-probe-", dir=folder)
    except OSError as exc:
        where = "its folder" if folder == path.parent else f"{folder}"
        return (f"the warehouse {path} cannot be created: {where} is not writable "
                f"({exc.strerror or exc}); choose a writable --warehouse")
    os.close(fd)
    os.unlink(probe)
    return None
