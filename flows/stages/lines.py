"""Line classifier for plain text: decides, line by line, what is article and what is chrome.

Placeholder rules (phrase list only); the real classifier replaces this module.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from flows.records import LineDecision


@dataclass(frozen=True)
class LineRules:
    """Reference data the classifier uses, loaded from `warehouse/reference/`."""

    phrases: tuple[tuple[str, str, str], ...]  # (casefolded phrase, match kind, reason)


def load_line_rules(reference_dir: Path) -> LineRules:
    with open(reference_dir / "chrome_phrases.csv", encoding="utf-8", newline="") as f:
        rows = [(r["phrase"].casefold(), r["match"], r["reason"]) for r in csv.DictReader(f)]
    return LineRules(phrases=tuple(rows))


def classify_lines(
    lines: Sequence[str], rules: LineRules, *, title: str | None = None,
    templates: frozenset[str] = frozenset(),
) -> list[LineDecision]:
    """One decision per non-blank line (1-based `line_no` over `lines`)."""
    out: list[LineDecision] = []
    for i, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        low = text.casefold()
        decision = LineDecision(i, text, True, "kept")
        if title and low == title.strip().casefold():
            decision = LineDecision(i, text, False, "title_line", "equals title")
        for phrase, kind, reason in rules.phrases:
            if (kind == "line" and low == phrase) or (kind == "prefix" and low.startswith(phrase)):
                decision = LineDecision(i, text, False, reason, f"phrase:{phrase}")
                break
        out.append(decision)
    return out
