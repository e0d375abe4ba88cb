"""Derived data refreshed after each run's loads (search index, story clusters ...).

Called by the flow once per run, with the run's single writer connection.
"""
from __future__ import annotations

from pathlib import Path


def refresh(con, sql_dir: Path) -> dict[str, int]:
    """Rebuild whatever is derived from the loaded articles. Returns counts for the summary."""
    return {}
