"""Pages with no article: cookie walls, login/paywalls and error pages.

trafilatura and the line classifier keep whatever prose a page has; on a consent wall or a
404 page that prose is the wall's own ("We and our partners store and access information
..."). A page is a wall when what is left after cleaning is short (under `MAX_WALL_WORDS`) and at
least a third of its blocks hold wall phrases (`warehouse/reference/wall_phrases.csv`, data, any language). Such a page is
rejected with the wall's kind as its reason, so a user sees `cookie_wall`, not a stub article.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from flows.records import CleanPage, Rejection
from flows.stages.words import word_count

STAGE = "clean"
MAX_WALL_WORDS = 150  # a real article is longer than any wall text we have seen


@dataclass(frozen=True)
class WallRules:
    phrases: tuple[tuple[str, str], ...]  # (casefolded phrase, kind)


def load_wall_rules(reference_dir: Path) -> WallRules:
    with open(Path(reference_dir) / "wall_phrases.csv", encoding="utf-8", newline="") as f:
        rows = [(r["phrase"].strip().casefold(), r["kind"].strip()) for r in csv.DictReader(f)]
    for phrase, kind in rows:
        if not phrase or not re.fullmatch(r"[a-z_]+", kind):
            raise ValueError(f"wall_phrases.csv: bad row {phrase!r}, {kind!r}")
    return WallRules(tuple(rows))


def wall_kind(page: CleanPage, rules: WallRules) -> str | None:
    """The kind of wall the page is, or None when it may be an article."""
    words = word_count(page.text)
    if words >= MAX_WALL_WORDS:
        return None
    blocks = [b for b in (page.title or "", *page.paragraphs) if b.strip()]
    if not blocks:
        return None
    kinds: Counter = Counter()
    hit_blocks = 0
    for block in blocks:
        low = block.casefold()
        found = [kind for phrase, kind in rules.phrases if _contains(low, phrase)]
        if found:
            hit_blocks += 1
            kinds.update(found)
    # A third of the blocks, not a half: the line classifier keeps a short page's menu and
    # headline repeats when little else is there, and those dilute a wall's own lines.
    if not kinds or hit_blocks * 3 < len(blocks):
        return None
    return kinds.most_common(1)[0][0]


def _contains(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def reject_walls(page: CleanPage, rules: WallRules) -> CleanPage | Rejection:
    kind = wall_kind(page, rules)
    if kind is None:
        return page
    return Rejection(page.doc.doc_id, page.doc.source_uri, STAGE, kind,
                     f"no article: the page is a wall ({kind}), "
                     f"{word_count(page.text)} words left after cleaning, mostly wall phrases")
