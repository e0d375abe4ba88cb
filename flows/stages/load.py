"""Load stage, pure half: turn a batch of articles and rejections into table rows.

The I/O half (one DuckDB transaction per batch) lives in `flows.store.warehouse`; keeping the row
shaping here makes it testable without a database and keeps the writer thin.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from flows.records import Article, RawDocument, Rejection
from flows.stages.words import word_count


@dataclass
class LoadBatch:
    """Rows for every table one batch writes, as lists of dicts keyed by column name."""

    documents: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    paragraphs: list[dict] = field(default_factory=list)
    removed_lines: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    outlets: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    line_templates: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # raw.sources: files read, with their stat
    article_minhash: list[dict] = field(default_factory=list)  # signatures computed by the workers

    def tables(self) -> dict[str, list[dict]]:
        return {
            "documents": self.documents, "articles": self.articles,
            "paragraphs": self.paragraphs, "removed_lines": self.removed_lines,
            "evidence": self.evidence, "citations": self.citations,
            "outlets": self.outlets, "quarantine": self.quarantine,
            "line_templates": self.line_templates, "sources": self.sources,
            "article_minhash": self.article_minhash,
        }


def quarantine_id(doc_id: str | None, source_uri: str) -> str:
    return doc_id or hashlib.sha256(source_uri.encode("utf-8")).hexdigest()


def document_row(doc: RawDocument, run_id: str) -> dict:
    """The raw.documents row; `content` as UTF-8 bytes (the loader's form, and a packed
    document's own: no str of the page is made again)."""
    return {
        "doc_id": doc.doc_id, "source_uri": doc.source_uri, "url": doc.url,
        "content_type": doc.content_type, "encoding": doc.encoding,
        "byte_size": doc.byte_size, "content": doc.content_utf8, "first_run_id": run_id,
    }


def boilerplate_share(article: Article) -> float:
    """Removed characters over all characters of the lines the cleaner considered."""
    total = sum(len(d.text) for d in article.page.lines)
    removed = sum(len(d.text) for d in article.page.lines if not d.keep)
    return round(removed / total, 4) if total else 0.0


def outlet_key(outlet_id: str | None, name: str, domain: str | None) -> str:
    if outlet_id:
        return outlet_id
    return f"domain:{domain}" if domain else f"name:{name.casefold()}"


def one_row_per_outlet(rows: Sequence[dict]) -> list[dict]:
    """One outlet row per outlet of a batch, in first-seen order, each with its `aliases`.

    Rows with the same key, registry id and registered flag are one outlet, whatever names
    they give: a site names itself differently on different pages ("NTV" and "NTV.com.tr",
    "Funke Mediengruppe" and "FUNKE Mediengruppe"), and an HTML page names its site ("The
    GiveWell Blog") where a plain-text page of it gives only the domain. The first real
    name stands for the outlet (a bare domain gives way to a later real name); the other
    names become its `aliases`, first-seen order, a bare domain never one. Rows that share
    a key but disagree on id or flag are conflicting definitions of the outlet and stay
    apart, for the batch's uniqueness check on `outlet_key` to catch."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        gkey = (r.get("outlet_key"), r.get("outlet_id"), r.get("registered"))
        names = [n for n in (r.get("name"), *(r.get("aliases") or ())) if n]
        if gkey not in groups:
            groups[gkey] = {**r, "aliases": []}
            names = names[1:]
        head = groups[gkey]
        if _bare_domain(head) and not _bare_domain(r):  # the real name stands
            groups[gkey] = head = {**r, "aliases": [a for a in head["aliases"] if a != r.get("name")]}
            names = names[1:]
        for n in names:
            if n != head.get("name") and n != head.get("domain") and n not in head["aliases"]:
                head["aliases"].append(n)
    return list(groups.values())


def _bare_domain(row: dict) -> bool:
    return row.get("name") == row.get("domain")


def article_row(a: Article, run_id: str) -> dict:
    p = a.page
    text = p.text
    o, w = a.outlet, a.wire
    return {
        "doc_id": a.doc_id, "source_uri": p.doc.source_uri, "url": p.doc.url,
        "canonical_url": p.canonical_url, "title": p.title, "text": text,
        "language": a.language, "language_confidence": float(a.language_confidence),
        "outlet_id": o.outlet_id if o else None,
        "outlet_key": outlet_key(o.outlet_id, o.name, o.domain) if o else None,
        "outlet_name": o.name if o else None,
        "outlet_domain": o.domain if o else None,
        "outlet_registered": o.registered if o else None,
        "outlet_confidence": float(o.confidence) if o else None,
        "wire_id": w.outlet_id if w else None, "wire_name": w.name if w else None,
        "published_date": p.published_date, "author": p.author, "site_name": p.site_name,
        "description": p.description, "word_count": word_count(text), "char_count": len(text),
        "paragraph_count": len(p.paragraphs), "removed_line_count": len(p.removed),
        "boilerplate_share": boilerplate_share(a), "extractor": p.extractor, "run_id": run_id,
    }


def rows_for_article(a: Article, run_id: str, batch: LoadBatch) -> None:
    """Append every row one article contributes to `batch`."""
    batch.documents.append(document_row(a.page.doc, run_id))
    batch.articles.append(article_row(a, run_id))
    if a.minhash is not None:
        method, shingle_count, hashvalues = a.minhash
        batch.article_minhash.append({"doc_id": a.doc_id, "method": method,
                                      "shingle_count": shingle_count,
                                      "hashvalues": list(hashvalues)})
    langs = {pl.paragraph_no: pl for pl in a.paragraph_languages}
    for i, para in enumerate(a.page.paragraphs, start=1):
        pl = langs.get(i)
        batch.paragraphs.append({
            "doc_id": a.doc_id, "paragraph_no": i, "text": para,
            "language": pl.language if pl else None, "script": pl.script if pl else None,
            "foreign_language": bool(pl.foreign) if pl else False,
        })
    for d in a.page.removed:
        batch.removed_lines.append({"doc_id": a.doc_id, "line_no": d.line_no, "text": d.text,
                                    "reason": d.reason, "rule": d.rule})
    for target, match in (("outlet", a.outlet), ("wire", a.wire)):
        if match is None:
            continue
        batch.outlets.append({
            "outlet_key": outlet_key(match.outlet_id, match.name, match.domain),
            "outlet_id": match.outlet_id, "name": match.name, "domain": match.domain,
            "registered": match.registered, "first_run_id": run_id,
        })
        for seq, ev in enumerate(match.evidence, start=1):
            batch.evidence.append({"doc_id": a.doc_id, "target": target, "seq": seq,
                                   "signal": ev.signal, "text": ev.text, "line_no": ev.line_no})
    for seq, c in enumerate(a.citations, start=1):
        batch.citations.append({"doc_id": a.doc_id, "seq": seq, "cited_outlet_id": c.outlet_id,
                                "cited_name": c.name, "sentence": c.sentence,
                                "pattern": c.pattern})


def site_key(url: str | None) -> str | None:
    """The site a page belongs to, for template learning: its URL's host without `www.`."""
    from urllib.parse import urlsplit

    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def page_line_prints(page) -> tuple[str, ...]:
    """Sorted fingerprints of the distinct non-empty lines of a cleaned page."""
    from flows.stages.clean.lines import line_fingerprint

    return tuple(sorted({line_fingerprint(d.text) for d in page.lines if d.text.strip()}))


def template_rows(articles: Iterable[Article], known_urls: set[str]) -> list[dict]:
    """One row per (site, distinct line fingerprint) of each article whose URL is new, so a
    site's recurring lines can be learned. Versions of an already-seen URL do not count
    (their body lines recur by nature)."""
    from flows.stages.clean.lines import line_fingerprint

    rows: list[dict] = []
    seen_urls: set[str] = set()
    for a in articles:
        url = a.page.doc.url or a.page.canonical_url
        site = site_key(url)
        if not site or url in known_urls or url in seen_urls:
            continue
        seen_urls.add(url)
        prints = a.line_prints or page_line_prints(a.page)
        rows.extend({"site_key": site, "fingerprint": fp} for fp in prints)
    return rows


def quarantine_row(r: Rejection, run_id: str, failed_expectations: Iterable[str] = ()) -> dict:
    failed = list(failed_expectations)
    return {
        "quarantine_id": quarantine_id(r.doc_id, r.source_uri), "doc_id": r.doc_id,
        "source_uri": r.source_uri, "stage": r.stage, "reason": r.reason, "detail": r.detail,
        "failed_expectations": json.dumps(failed) if failed else None, "run_id": run_id,
    }


def build_load_batch(
    articles: Iterable[Article], rejections: Iterable[Rejection], run_id: str,
    quarantined_docs: Iterable[RawDocument] = (),
    failed_expectations: dict[str, list[str]] | None = None,
) -> LoadBatch:
    """All rows of one batch. Quarantined documents that were decoded are kept in
    raw.documents too, so nothing is lost and `--retry-quarantined` can re-derive them."""
    batch = LoadBatch()
    for a in articles:
        rows_for_article(a, run_id, batch)
    for doc in quarantined_docs:
        batch.documents.append(document_row(doc, run_id))
    failed_expectations = failed_expectations or {}
    for r in rejections:
        batch.quarantine.append(quarantine_row(r, run_id, failed_expectations.get(r.doc_id or "", ())))
    batch.outlets = one_row_per_outlet(batch.outlets)
    return batch
