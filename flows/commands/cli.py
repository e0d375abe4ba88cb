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


def entry() -> None:
    """The `newsflow` command: `main`, then leave without tearing the interpreter down.

    Prefect, GX and pandas leave hundreds of thousands of objects whose teardown took ~2 s
    after a run had finished and flushed everything. The exit handlers still run first
    (Prefect's event and log flush, the temporary API server's stop, multiprocessing's
    clean-up), then stdout and stderr are flushed and the process exits at once."""
    import atexit
    import logging
    import os

    try:
        rc = main()
    except SystemExit as exc:  # argparse errors, --help
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(rc or 0)


if __name__ == "__main__":
    entry()
