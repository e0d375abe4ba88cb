"""Clean stage: boilerplate out, article in, every removed line kept with its reason.

HTML goes through trafilatura first (body, title, author, date, site name, canonical URL),
then our line rules. Plain-text scrapes go straight to the line classifier, because
trafilatura keeps almost all chrome in plain text (see ../shared/bench/BASELINES.md).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Iterable

from flows.records import BatchResult, CleanPage, LineDecision, RawDocument, Rejection
from flows.stages.lines import LineRules, classify_lines

log = logging.getLogger(__name__)

STAGE = "clean"
MIN_ARTICLE_CHARS = 80


@dataclass(frozen=True)
class CleanOptions:
    rules: LineRules
    favor_precision: bool = True
    include_comments: bool = False
    templates: frozenset[str] = field(default_factory=frozenset)


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _first_headline(decisions: Iterable[LineDecision]) -> str | None:
    for d in decisions:
        if d.keep and 3 <= len(d.text.split()) <= 40 and not d.text.endswith((".", ":")):
            return d.text
    return None


def _clean_text(doc: RawDocument, opts: CleanOptions) -> CleanPage:
    lines = _split_lines(doc.text)
    first = classify_lines(lines, opts.rules, templates=opts.templates)
    title = _first_headline(first)
    decisions = classify_lines(lines, opts.rules, title=title, templates=opts.templates)
    return CleanPage(
        doc=doc, title=title, author=None, published_date=None, site_name=None,
        canonical_url=None, description=None,
        paragraphs=tuple(d.text for d in decisions if d.keep),
        lines=tuple(decisions), extractor="lines",
    )


def _clean_html(doc: RawDocument, opts: CleanOptions) -> CleanPage:
    import trafilatura  # heavy import kept inside the stage that needs it

    result = trafilatura.bare_extraction(
        doc.text, url=doc.url, with_metadata=True, include_comments=opts.include_comments,
        favor_precision=opts.favor_precision, deduplicate=False,
    )
    meta = result.as_dict() if result is not None else {}
    title = (meta.get("title") or "").strip() or None
    body = meta.get("text") or ""
    decisions = classify_lines(_split_lines(body), opts.rules, title=title,
                               templates=opts.templates)
    return CleanPage(
        doc=doc, title=title, author=meta.get("author") or None,
        published_date=meta.get("date") or None, site_name=meta.get("sitename") or None,
        canonical_url=meta.get("url") or None, description=meta.get("description") or None,
        paragraphs=tuple(d.text for d in decisions if d.keep), lines=tuple(decisions),
        extractor="trafilatura+lines",
    )


def clean(doc: RawDocument, opts: CleanOptions) -> CleanPage | Rejection:
    """Clean one document, or say why it has no article."""
    page = _clean_html(doc, opts) if doc.content_type == "html" else _clean_text(doc, opts)
    if len(re.sub(r"\s+", " ", page.text).strip()) < MIN_ARTICLE_CHARS:
        return Rejection(doc.doc_id, doc.source_uri, STAGE, "no_article_text",
                         f"{len(page.text)} characters of article text left after cleaning")
    return page


def clean_batch(docs: Iterable[RawDocument], opts: CleanOptions) -> BatchResult:
    """Clean a batch; an unexpected error on one document becomes `error_<Type>`."""
    kept, rejected, counts = [], [], {}
    for doc in docs:
        try:
            out = clean(doc, opts)
        except Exception as exc:  # one bad page must not sink the batch
            log.exception("clean failed on %s", doc.source_uri)
            out = Rejection(doc.doc_id, doc.source_uri, STAGE, f"error_{type(exc).__name__}",
                            str(exc)[:500])
        if isinstance(out, Rejection):
            rejected.append(out)
            counts[out.reason] = counts.get(out.reason, 0) + 1
        else:
            kept.append(out)
    counts["cleaned"] = len(kept)
    return BatchResult(kept=tuple(kept), rejected=tuple(rejected), counts=counts)
