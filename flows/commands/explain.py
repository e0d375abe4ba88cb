"""`newsflow explain FILE`: every line of a document, kept or removed, and why.

This is how a user debugs a missing sentence: it runs the same read and clean stages as
the flow (no Prefect, no warehouse) and prints one line per input line.
"""
from __future__ import annotations

import sys

from flows.config import Settings


def register(sub) -> None:
    p = sub.add_parser("explain", help="show every line of a document as kept or removed, with the reason",
                       description="Run the read and clean stages on FILE and print each line with "
                                   "its decision: KEEP, or DROP with the reason and the rule or "
                                   "feature that decided. Nothing is written.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--removed-only", action="store_true", help="print only removed lines")
    p.add_argument("--width", type=int, default=100, help="cut lines to this many characters (0: no cut)")


def explain_lines(path: str, settings: Settings) -> tuple[object, list[str]]:
    """The clean result for one file and its printable report lines."""
    from flows.records import Rejection, SourceRef
    from flows.stages.clean.byline import load_byline_rules
    from flows.stages.clean.cleaner import CleanOptions, clean
    from flows.stages.clean._placement import load_caption_classes
    from flows.stages.clean.lines import load_line_rules
    from flows.stages.read import ReadOptions, read
    from flows.stages.clean.walls import load_wall_rules, reject_walls

    doc = read(SourceRef(path), ReadOptions(max_bytes=settings.max_bytes))
    if isinstance(doc, Rejection):
        return doc, [f"rejected at {doc.stage}: {doc.reason} ({doc.detail})"]
    result = clean(doc, CleanOptions(rules=load_line_rules(settings.reference_dir),
                                     byline=load_byline_rules(settings.reference_dir),
                                     caption_classes=load_caption_classes(settings.reference_dir)))
    if not isinstance(result, Rejection):
        result = reject_walls(result, load_wall_rules(settings.reference_dir))
    if isinstance(result, Rejection):
        return result, [f"rejected at {result.stage}: {result.reason} ({result.detail})"]
    out = [f"title: {result.title!r}", f"extractor: {result.extractor}", ""]
    for d in result.lines:
        out.append((d.line_no, d.keep, d.reason, d.rule, d.text))
    return result, out


def main(args) -> int:
    import os

    if not os.path.isfile(args.file):
        print(f"newsflow: {args.file!r} is not a file", file=sys.stderr)
        return 2
    _, report = explain_lines(args.file, Settings.from_env())
    w = sys.stdout.write
    kept = dropped = 0
    for item in report:
        if isinstance(item, str):
            w(item + "\n")
            continue
        line_no, keep, reason, rule, text = item
        kept += keep
        dropped += not keep
        if keep and args.removed_only:
            continue
        if args.width and len(text) > args.width:
            text = text[: args.width - 1] + "…"
        tag = "KEEP" if keep else "DROP"
        why = "" if keep else f"  [{reason}{': ' + rule if rule else ''}]"
        w(f"{line_no:>5} {tag} {text}{why}\n")
    if kept or dropped:
        w(f"\n{kept} lines kept, {dropped} removed\n")
    return 0
