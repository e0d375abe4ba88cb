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


class Parser(argparse.ArgumentParser):
    """argparse, with a bad option or value as one line on stderr (exit 2) instead of the
    usage block followed by the error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="print newsflow's version and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib import metadata

        try:
            version = metadata.version("newsflow")
        except metadata.PackageNotFoundError:  # run from a source tree, not installed
            version = "unknown (not installed)"
        sys.stdout.write(f"newsflow {version}\n")
        parser.exit(0)


def build_parser(mods) -> argparse.ArgumentParser:
    p = Parser(
        prog="newsflow",
        description="Turn raw scraped news pages (plain text or HTML, gzipped or not) into "
                    "clean, validated DuckDB tables, orchestrated as a Prefect flow.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action=_Version)
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
    except KeyboardInterrupt:
        if getattr(args, "verbose", False):
            raise
        print("newsflow: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # anything a command did not expect: one line, unless -v
        if getattr(args, "verbose", False):
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"newsflow {args.command}: {type(exc).__name__}: {first} (-v shows the traceback)"
              if first else f"newsflow {args.command}: {type(exc).__name__} (-v shows the traceback)",
              file=sys.stderr)
        return 1


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
