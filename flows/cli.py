"""The `newsflow` command line: one sub-command per module in `flows.commands`.

Heavy libraries (prefect, great_expectations, trafilatura) are imported only inside the
command that needs them, so `newsflow --help` answers at once.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from flows.commands import COMMANDS
from flows.config import apply_library_environment

EPILOG = """\
examples:
  newsflow run                                   # the bundled sample corpus into warehouse/news.duckdb
  newsflow run ../crawl/ 'more/**/*.html.gz' --warehouse /data/news.duckdb
  duckdb -readonly warehouse/news.duckdb "select title, outlet_name, language from mart.articles"
"""


def _modules():
    mods = {}
    for name in COMMANDS:
        try:
            mods[name] = importlib.import_module(f"flows.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"flows.commands.{name}":
                raise
    return mods


def build_parser(mods) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsflow",
        description="Turn raw scraped news pages (plain text or HTML, gzipped or not) into "
                    "clean, validated DuckDB tables, orchestrated as a Prefect flow.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for mod in mods.values():
        mod.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    apply_library_environment()
    mods = _modules()
    parser = build_parser(mods)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return mods[args.command].main(args)
    except BrokenPipeError:  # `newsflow explain page.txt | head`: the reader left, not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
