"""Search helpers: snippets, the command's arguments, and waiting on a locked warehouse."""
import subprocess
import sys
import textwrap
import time
from argparse import ArgumentParser, Namespace
from datetime import date

import duckdb
import pytest

from flows.store.readonly import WarehouseMissing, open_readonly
from flows.store.search import Hit, format_hits, query_words, snippet
from flows.store.warehouse import WarehouseBusy

TEXT = ("Officials met on Monday.\nThey said the video was a false-flag operation staged to "
        "justify an attack, and that more such claims would follow. " + "Filler sentence. " * 30)


def test_query_words():
    assert query_words("False-flag, 'Київ'") == ["false", "flag", "київ"]
    assert query_words("  ;; ") == []


def test_snippet_centres_on_the_phrase_and_marks_cuts():
    s = snippet(TEXT, "false flag", width=80)
    assert "false-flag operation" in s and s.endswith("…") and len(s) <= 84
    assert "\n" not in s
    assert snippet("short text", "absent") == "short text"
    assert snippet(TEXT, "monday", width=60).startswith("Officials met on Monday")


def test_format_hits():
    hit = Hit(1, "abc" * 10, 1.2345, True, "Press TV", date(2022, 1, 14), "Title", "snip", "/x/a.txt")
    text = format_hits([hit], "q")
    assert "Press TV | 2022-01-14" in text and "phrase" in text and "Title" in text and "snip" in text
    assert format_hits([], "q") == 'no articles match "q"\n'


def test_command_arguments():
    from flows.commands import search as cmd

    p = ArgumentParser()
    cmd.register(p.add_subparsers(dest="command"))
    args = p.parse_args(["search", "false flag", "--limit", "3", "--warehouse", "w.duckdb"])
    assert (args.query, args.limit, args.warehouse) == ("false flag", 3, "w.duckdb")


def test_missing_warehouse_is_a_clear_error(tmp_path, capsys):
    from flows.commands import search as cmd

    with pytest.raises(WarehouseMissing, match="newsflow run"):
        open_readonly(tmp_path / "none.duckdb")
    assert cmd.main(Namespace(query="x", warehouse=str(tmp_path / "none.duckdb"), limit=5)) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_locked_warehouse_waits_then_says_why(tmp_path):
    path = tmp_path / "locked.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        told = []
        start = time.monotonic()
        with pytest.raises(WarehouseBusy, match="locked by another process"):
            open_readonly(path, wait_s=1.0, on_wait=told.append)
        assert 0.9 <= time.monotonic() - start < 5
        assert len(told) == 1 and "retrying" in told[0]
    finally:
        holder.kill()
        holder.wait()
    open_readonly(path, wait_s=5).close()  # free again once the holder is gone
