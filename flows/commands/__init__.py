"""One module per `newsflow` sub-command. Each has `register(subparsers)` and `main(args) -> int`.

Modules here import only the standard library and `flows.config` at module level, so that
`newsflow --help` stays instant; heavy imports happen inside `main`.
"""
COMMANDS = ("run", "explain", "quarantine", "search", "dashboard", "serve")
