"""Clean stage: boilerplate out, article in, every removed line kept with its reason.

HTML: the page is parsed once (size-capped) and rendered to lines (`_render`), which is
the line space users see in `CleanPage.lines`. trafilatura (favor_precision, no comments,
`deduplicate=False` so results never depend on what the process saw before) extracts the
article and metadata from the same tree, first without its fallback extractors (`fast`, half
the cost), and with them only when that lost the article (`_extract`); its paragraphs then pass our line rules (title
repeats, chrome phrases, menu rows, duplicate paragraphs), which fixes most of what
trafilatura keeps wrongly. Each rendered line is marked kept when it is part of the
extracted article, else `html_boilerplate` (rule `trafilatura`) or the rule that removed
it. Around that one extraction:

* a client-rendered page whose markup holds no article gets it from its hydration
  payload (`_hydration`), and keeps trafilatura's metadata even so;
* when the precision output is short next to the page's prose, the recall guard
  (`recall`) adds what trafilatura's default mode finds in the same article;
* photo captions and credits trafilatura keeps are removed by class name (`_placement`).

When all that finds (almost) nothing, the line classifier runs on the rendering.

Plain text goes straight to the line classifier, because trafilatura keeps almost all
chrome in plain text (see ../shared/bench/BASELINES.md). On both paths the article's
text fields come out in NFC.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from flows.records import BatchResult, CleanPage, LineDecision, RawDocument, Rejection
from flows.stages.batch import apply_batch
from flows.stages.clean._line_features import tokens
from flows.stages.clean._hydration import flight_html
from flows.stages.clean._placement import Block, caption_rule, locate
from flows.stages.clean._render import parse_html, render_blocks
from flows.stages.clean.byline import BylineRules, html_author_and_date, text_author_and_date
from flows.stages.clean.headline import html_headline, html_names
from flows.stages.clean.lines import (
    LineRules, classify_lines, classify_page, line_fingerprint, match_phrase, menu_shape,
    title_variant,
)
from flows.stages.clean.recall import (
    lost_article, merge_recall, needs_recall, prose_tokens, recall_scope,
)

log = logging.getLogger(__name__)

STAGE = "clean"
MIN_ARTICLE_CHARS = 80
# trafilatura already dropped most chrome; a prefix phrase ("Sign up for ...") on one of
# its paragraphs is more often article text, so only short paragraphs are removed by it.
PREFIX_MAX_WORDS_HTML = 6
_SPACE = re.compile(r"\s+")
# trafilatura writes table rows as "| cell | cell |": separators, but not a link menu.
_TABLE_ROW = re.compile(r"^\|.*\|$")


@dataclass(frozen=True)
class CleanOptions:
    """How to clean. `templates`: fingerprints of the site's recurring lines (see
    `lines.learn_templates`); `fallback_chars`: below this much trafilatura text, the line
    classifier decides on the page rendering instead; `max_html_chars`: parse cap;
    `recall_guard`: see `recall`; `caption_classes`: class names of caption blocks
    (`_placement.load_caption_classes`), empty = keep captions trafilatura keeps;
    `max_text_lines`: a plain-text page with more non-blank lines is quarantined
    (`too_many_lines`) instead of classified: the longest real scrape in the corpora has
    2,241, and a dump of millions of one-word lines would take its worker's memory."""

    rules: LineRules
    favor_precision: bool = True
    include_comments: bool = False
    include_tables: bool = True
    templates: frozenset[str] = field(default_factory=frozenset)
    fallback_chars: int = 200
    max_html_chars: int = 5_000_000
    byline: BylineRules | None = None  # byline words and month names; None: no author/date from text
    recall_guard: bool = True
    # Restore the lead trafilatura dropped when a line above the body repeats the meta
    # description (`description_lead`).
    lead_from_description: bool = True
    caption_classes: frozenset[str] = frozenset()
    max_text_lines: int = 20_000


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _clean_text(doc: RawDocument, opts: CleanOptions, lines: list[str]) -> CleanPage:
    title, decisions = classify_page(lines, opts.rules, templates=opts.templates)
    author, date = text_author_and_date(lines, decisions, title, opts.byline)
    return CleanPage(
        doc=doc, title=title, author=author,
        published_date=date, site_name=None,
        canonical_url=None, description=None,
        paragraphs=tuple(d.text for d in decisions if d.keep),
        lines=tuple(decisions), extractor="lines",
    )


def _jsonld_publisher(root) -> str | None:
    """`publisher.name` from the page's JSON-LD, walking nested objects iteratively."""
    for script in root.xpath('//script[@type="application/ld+json"]')[:20]:
        try:
            stack = [json.loads(script.text or "")]
        except ValueError:
            continue
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node[:50])
            elif isinstance(node, dict):
                pub = node.get("publisher")
                if isinstance(pub, list) and pub:
                    pub = pub[0]
                if isinstance(pub, dict) and isinstance(pub.get("name"), str) and pub["name"].strip():
                    return pub["name"].strip()
                if isinstance(pub, str) and pub.strip():
                    return pub.strip()
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    return None


def filter_paragraphs(paragraphs: Sequence[str], opts: CleanOptions, title: str | None
                      ) -> list[tuple[str, LineDecision | None]]:
    """Our rules on trafilatura's paragraphs: (text, None) kept, or (text, why removed).

    Removes title repeats, lexicon phrases, menu rows and site templates. Repeated
    paragraphs are NOT removed: recipes, tables and lists legitimately repeat lines, and
    the bench showed dropping repeats costs far more recall than it gains precision."""
    out = []
    for para in paragraphs:
        text = _SPACE.sub(" ", para).strip()
        if not text:
            continue
        key = " ".join(tokens(text))
        why = None
        if opts.templates and line_fingerprint(text) in opts.templates:
            why = ("template_line", f"template:{line_fingerprint(text)}")
        elif title and (variant := title_variant(text, title)):
            why = ("title_line", f"title:{variant}")
        elif (phrase := match_phrase(text, opts.rules, html=True)) is not None and (
                phrase.match == "line" or len(key.split()) <= PREFIX_MAX_WORDS_HTML):
            why = (phrase.reason, f"phrase:{phrase.raw.casefold()}")
        elif not _TABLE_ROW.match(text) and (
                seps := menu_shape(text, 0.0 if len(key.split()) < 8 else 1.0)):
            why = ("menu_line", f"menu:separators={seps}")
        out.append((text, LineDecision(0, text, False, *why) if why else None))
    return out


def _map_lines(rendered: Sequence[str], kept: Sequence[str],
               removed: dict[str, LineDecision]) -> list[LineDecision]:
    """Decide each rendered line from the article: kept when its tokens are a kept
    paragraph or (4+ tokens) run inside the article text, else the rule that removed its
    paragraph, else `html_boilerplate` (trafilatura did not extract it)."""
    keys = {" ".join(tokens(p)) for p in kept}
    article = " " + " ".join(" ".join(tokens(p)) for p in kept) + " "
    removed_keys = {" ".join(tokens(t)): d for t, d in removed.items()}
    out = []
    for no, line in enumerate(rendered, start=1):
        key = " ".join(tokens(line))
        if key and (key in keys or (key.count(" ") >= 3 and f" {key} " in article)):
            out.append(LineDecision(no, line, True, "kept", "trafilatura"))
        elif key and key in removed_keys:
            d = removed_keys[key]
            out.append(LineDecision(no, line, False, d.reason, d.rule))
        else:
            out.append(LineDecision(no, line, False, "html_boilerplate", "trafilatura"))
    return out


def _drop_captions(filtered: list[tuple[str, LineDecision | None]], blocks: Sequence[Block],
                   classes: frozenset[str]) -> list[tuple[str, LineDecision | None]]:
    """Kept paragraphs rendered from a photo caption or credit block (`_placement`) are
    removed as `html_boilerplate`: trafilatura keeps some, the article is the text around
    them. Placed by exact line match only (no search): cheap on every page."""
    kept = [t for t, why in filtered if why is None]
    where = dict(zip(kept, locate(kept, blocks, search=False)))
    out = []
    for text, why in filtered:
        el = where.get(text) if why is None else None
        rule = caption_rule(el, classes) if el is not None else None
        out.append((text, LineDecision(0, text, False, "html_boilerplate", rule) if rule else why))
    return out


def _metadata_only(root, doc: RawDocument) -> dict:
    """trafilatura's metadata when its extraction found no text (it then returns nothing,
    title and date included): a page whose body comes from elsewhere (`_hydrated_body`,
    the line classifier) still has a `<title>` and meta tags. On a copy: only these pages
    pay for it."""
    from copy import deepcopy

    from trafilatura.metadata import extract_metadata

    try:
        return extract_metadata(deepcopy(root), default_url=doc.url).as_dict()
    except (TypeError, ValueError):
        return {}


def _hydrated_body(trafilatura, root, opts: CleanOptions, body: str, blocks):
    """On a page whose markup holds no article, the article HTML of its hydration payload
    (see `_hydration`), extracted the same way; its lines join the page's rendering so
    every kept line is still a line users can see. Else `body` and `blocks` unchanged."""
    fragment = flight_html(root)
    if not fragment:
        return body, blocks
    froot = parse_html(f"<html><body><article>{fragment}</article></body></html>",
                       opts.max_html_chars)
    if froot is None:
        return body, blocks
    result = trafilatura.bare_extraction(
        froot, with_metadata=False, include_comments=opts.include_comments,
        include_tables=opts.include_tables, favor_precision=opts.favor_precision,
        deduplicate=False,
    )
    text = (result.text if result is not None else "") or ""
    if len(text.strip()) <= len(body.strip()):
        return body, blocks
    return text, list(blocks) + render_blocks(froot)


def _recall_body(trafilatura, root, doc: RawDocument, opts: CleanOptions, body: str,
                 blocks: Sequence[Block]) -> str:
    """The precision body plus what trafilatura's default mode finds in the same article
    (see `recall`). The default extraction runs on a copy of the `<article>` element that
    holds the precision text when there is one (half the cost of the whole page, and the
    next story is out of reach), else on the page (trafilatura copies the tree it is
    given, so the parse is reused); metadata is not extracted twice. It does not run at
    all where the article's place shows too little prose it could add (`recall_scope`)."""
    from copy import deepcopy

    from lxml import html as lxml_html

    precision = _split_lines(body)
    tree = root
    article, worth = recall_scope(precision, blocks)
    if not worth:
        return body
    if article is not None:
        tree = lxml_html.Element("html")
        page_body = lxml_html.Element("body")
        page_body.append(deepcopy(article))
        tree.append(page_body)
    result = trafilatura.bare_extraction(
        tree, url=doc.url, with_metadata=False, include_comments=opts.include_comments,
        include_tables=opts.include_tables, favor_precision=False, deduplicate=False,
    )
    extra = (result.text if result is not None else "") or ""
    if not extra.strip():
        return body
    return "\n".join(merge_recall(precision, _split_lines(extra), blocks))


def _extract(trafilatura, root, doc: RawDocument, opts: CleanOptions, blocks: Sequence[Block]
             ) -> tuple[dict, str, int]:
    """trafilatura's metadata and precision body for the page, and the page's prose tokens.

    The fast extraction (no fallback extractors: about half the cost) runs first, with the
    metadata (which `fast` does not change: the date search follows trafilatura's config).
    Only when it failed or lost the article (`recall.lost_article`) does the full extraction
    run, as one extra pass, so most pages pay for one extraction. `meta["text"]` is the body."""
    kwargs = dict(url=doc.url, include_comments=opts.include_comments,
                  include_tables=opts.include_tables, favor_precision=opts.favor_precision,
                  deduplicate=False)
    prose = prose_tokens(blocks)
    result = trafilatura.bare_extraction(root, with_metadata=True, fast=True, **kwargs)
    if result is None:  # nothing from the fast pass: the full one decides, metadata and all
        result = trafilatura.bare_extraction(root, with_metadata=True, **kwargs)
        meta = result.as_dict() if result is not None else _metadata_only(root, doc)
        return meta, meta.get("text") or "", prose
    meta = result.as_dict()
    if lost_article(meta.get("text") or "", prose):
        full = trafilatura.bare_extraction(root, with_metadata=False, **kwargs)
        if full is not None and full.text:
            meta["text"] = full.text
    return meta, meta.get("text") or "", prose


def _clean_html(doc: RawDocument, opts: CleanOptions) -> CleanPage:
    import trafilatura  # heavy import kept inside the stage that needs it

    root = parse_html(doc.text, opts.max_html_chars)
    blocks = render_blocks(root) if root is not None else []
    rendered = [line for line, _ in blocks]
    meta, body, prose = ({}, "", 0) if root is None else _extract(trafilatura, root, doc, opts, blocks)
    if root is not None and len(body.strip()) < opts.fallback_chars:
        body, blocks = _hydrated_body(trafilatura, root, opts, body, blocks)
        if len(blocks) != len(rendered):
            prose = prose_tokens(blocks)
        rendered = [line for line, _ in blocks]
    if (opts.recall_guard and opts.favor_precision and body.strip()
            and needs_recall(body, blocks, prose)):
        body = _recall_body(trafilatura, root, doc, opts, body, blocks)
    publisher = _jsonld_publisher(root) if root is not None else None
    title = html_headline(_SPACE.sub(" ", meta.get("title") or "").strip() or None,
                          publisher=publisher, url=doc.url,
                          **(html_names(root) if root is not None else {}))
    author, date = html_author_and_date(root, meta, rendered, doc.url, publisher, opts.byline)
    common = dict(
        doc=doc, title=title, author=author, published_date=date,
        site_name=meta.get("sitename") or None, canonical_url=meta.get("url") or None,
        description=meta.get("description") or None, publisher_hint=publisher,
    )
    if len(body.strip()) < opts.fallback_chars and rendered:
        decisions = classify_lines(rendered, opts.rules, title=title,
                                   templates=opts.templates)
        return CleanPage(**common, paragraphs=tuple(d.text for d in decisions if d.keep),
                         lines=tuple(decisions), extractor="lines")
    filtered = filter_paragraphs(_split_lines(body), opts, title)
    if opts.caption_classes:
        filtered = _drop_captions(filtered, blocks, opts.caption_classes)
    kept = [t for t, why in filtered if why is None]
    removed = {t: why for t, why in filtered if why is not None}
    lines = _map_lines(rendered, kept, removed)
    if opts.lead_from_description and (lead := description_lead(lines, common["description"])):
        if not any(why for _, why in filter_paragraphs([lead], opts, title)):
            kept = [lead] + kept
            lines = [replace(d, rule="description_lead") if d.keep and d.text.strip() == lead
                     else d for d in _map_lines(rendered, kept, removed)]
    return CleanPage(**common, paragraphs=tuple(kept), lines=tuple(lines),
                     extractor="trafilatura+lines")


# A lead recovered from the description has at least this many word tokens (CJK: characters).
LEAD_MIN_TOKENS = 8


def description_lead(lines: Sequence[LineDecision], description: str | None) -> str | None:
    """The article's lead (standfirst) when trafilatura left it out: the rendered line above
    the first kept one that says what the page's meta description says.

    Why: many sites set the lead apart from the body (a header block, a teaser class), and
    trafilatura's precision mode drops it with the page furniture; on trafilatura's own
    eval pages a third of the lost snippets are such leads. The description is the page's
    own summary of this article, so a visible line that repeats it (the one being a
    prefix of the other: descriptions are often the lead cut at ~160 characters, their last
    word cut too) and sits above the body is the lead, not a teaser for another story. A
    line already removed by one of our own rules stays removed; only lines trafilatura did
    not extract (`html_boilerplate`) qualify, and only a line that ends as a sentence does."""
    want = tokens(description or "")
    if len(want) < LEAD_MIN_TOKENS:
        return None
    for d in lines:
        if d.keep:
            return None  # the body starts: no lead above it
        if d.reason != "html_boilerplate" or d.rule != "trafilatura":
            continue
        have = tokens(d.text)
        short, long_ = (have, want) if len(have) <= len(want) else (want, have)
        text = _SPACE.sub(" ", d.text).strip()
        if (len(short) >= LEAD_MIN_TOKENS and long_[:len(short) - 1] == short[:-1]
                and _SENTENCE_END.search(text)):
            return text
    return None


# A lead is prose: it ends as a sentence does. A description that repeats the headline
# (no final stop, often with the site's name after it) is not taken for a lead.
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


def _nfc_text(text: str | None) -> str | None:
    if text is None or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _nfc(page: CleanPage) -> CleanPage:
    """The article's text fields in NFC: pages mix composed and decomposed forms ("é" as
    one code point or as e + combining accent), which compare and search as different
    strings downstream (dedup hashes, `LIKE`, trafilatura's own eval snippets are NFC).
    `lines` keep the page's own form: they are what the page showed."""
    paragraphs = tuple(_nfc_text(p) for p in page.paragraphs)
    fields = {k: _nfc_text(getattr(page, k)) for k in ("title", "author", "description")}
    if paragraphs == page.paragraphs and all(v is getattr(page, k) for k, v in fields.items()):
        return page
    return replace(page, paragraphs=paragraphs, **fields)


def clean(doc: RawDocument, opts: CleanOptions) -> CleanPage | Rejection:
    """Clean one document, or say why it has no article."""
    if doc.content_type == "html":
        page = _clean_html(doc, opts)
    else:
        lines = _split_lines(doc.text)
        count = sum(1 for line in lines if line.strip())
        if count > opts.max_text_lines:
            return Rejection(doc.doc_id, doc.source_uri, STAGE, "too_many_lines",
                             f"{count:,} non-blank lines; a plain-text page is classified up to "
                             f"{opts.max_text_lines:,} (an article has a few hundred)")
        page = _clean_text(doc, opts, lines)
    page = _nfc(page)
    chars = len(_SPACE.sub(" ", page.text).strip())
    if chars < MIN_ARTICLE_CHARS:
        removed = {}
        for d in page.removed:
            removed[d.reason] = removed.get(d.reason, 0) + 1
        top = ", ".join(f"{r}={n}" for r, n in sorted(removed.items(), key=lambda x: -x[1])[:4])
        return Rejection(doc.doc_id, doc.source_uri, STAGE, "no_article_text",
                         f"{chars} characters of article text left after cleaning "
                         f"(< {MIN_ARTICLE_CHARS}); {len(page.lines)} lines considered"
                         + (f", removed: {top}" if top else ""))
    return page


def clean_batch(docs: Iterable[RawDocument], opts: CleanOptions) -> BatchResult:
    """Clean a batch; an unexpected error on one document becomes `error_<Type>`."""
    return apply_batch(docs, lambda doc: clean(doc, opts), stage=STAGE, label="cleaned",
                       identity=lambda doc: (doc.doc_id, doc.source_uri))
