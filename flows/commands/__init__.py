"""The command line: `cli` (the `newsflow` entry point), one module per sub-command (each
has `register(subparsers)` and `main(args) -> int`), the options `run` and `serve` share
(`options`) and the checks made before Prefect starts (`preflight`).

Modules here import only the standard library and `flows.config` at module level, so that
`newsflow --help` stays instant; heavy imports happen inside `main`.
"""
COMMANDS = ("run", "explain", "quarantine", "search", "dashboard", "serve")
