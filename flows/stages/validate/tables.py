"""Validate the derived tables of a load batch: paragraphs, removed lines, outlets.

The articles suite runs on articles before the batch is built (`flows.stages.validate.articles`);
the suites here run on the rows `build_load_batch` made for the other user-facing core
tables (`expectations/core.paragraphs.json`, `core.removed_lines.json`, `core.outlets.json`).
Each `*_frame` function builds the small frame its suite checks from the batch's rows
(lists of dicts, as in `LoadBatch`): keys, lengths and flags, not the text itself, because
GX hashes the whole frame it is given.

`validate_load_batch` runs the three suites and says which articles failed a critical
expectation; `quarantine_failing` moves those articles out of the batch into quarantine.
Pure: no Prefect, no database.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Sequence

from flows.stages.load import LoadBatch, one_row_per_outlet, outlet_key
from flows.stages.validate.articles import (STAGE, MarkupCheck, Validator, _severity, blamed_rows,
                                           expectation_name, has_markup, has_mojibake, unexpected_rows)

# LoadBatch attribute -> suite name
TABLE_SUITES = {"paragraphs": "core.paragraphs", "removed_lines": "core.removed_lines",
                "outlets": "core.outlets"}


def paragraph_frame(rows: Sequence[dict], markup: dict[str, MarkupCheck] | None = None):
    """One row per paragraph row of the batch, in batch order. `markup`: each document's
    `MarkupCheck` (see `markup_checks`); without one, any markup counts as leaked."""
    import pandas as pd

    markup = markup or {}

    def leaked(r: dict) -> bool:
        check = markup.get(r.get("doc_id"))
        return check.leaked(r.get("text")) if check is not None else has_markup(r.get("text") or "")

    return pd.DataFrame([{
        "doc_id": r.get("doc_id"),
        "paragraph_no": r.get("paragraph_no"),
        "text_length": len(r.get("text") or ""),
        "has_markup": leaked(r),
        "has_mojibake": has_mojibake(r.get("text") or ""),
        "language": r.get("language"),
        "foreign_language": r.get("foreign_language"),
    } for r in rows], columns=["doc_id", "paragraph_no", "text_length", "has_markup", "has_mojibake",
                               "language", "foreign_language"])


def markup_checks(batch: LoadBatch) -> dict[str, MarkupCheck]:
    """A `MarkupCheck` per article of the batch, from its raw.documents row (the source)."""
    docs = {d["doc_id"]: d for d in batch.documents}
    out = {}
    for a in batch.articles:
        d = docs.get(a["doc_id"])
        if d is not None:
            out[a["doc_id"]] = MarkupCheck(d.get("content_type") or "text", d.get("content") or "",
                                           a.get("text") or "")
    return out


def removed_line_frame(rows: Sequence[dict]):
    """One row per removed-line row of the batch, in batch order."""
    import pandas as pd

    return pd.DataFrame([{
        "doc_id": r.get("doc_id"),
        "line_no": r.get("line_no"),
        "reason": r.get("reason"),
        "text_length": len(r.get("text") or ""),
    } for r in rows], columns=["doc_id", "line_no", "reason", "text_length"])


def outlet_frame(rows: Sequence[dict]):
    """The columns the outlets suite checks, one row per given outlet row (the caller
    passes `load.one_row_per_outlet` of the batch)."""
    import pandas as pd

    data = []
    for r in rows:
        name, oid, domain, registered = r.get("name"), r.get("outlet_id"), r.get("domain"), r.get("registered")
        expected_key = outlet_key(oid, name, domain) if name is not None else None
        data.append({
            "outlet_key": r.get("outlet_key"),
            "name": name,
            "name_length": len(name.strip()) if isinstance(name, str) else 0,
            "domain": domain,
            "registered": registered,
            "key_matches": r.get("outlet_key") is not None and r.get("outlet_key") == expected_key,
            "registry_consistent": registered is not None and bool(registered) == bool(oid),
        })
    return pd.DataFrame(data, columns=["outlet_key", "name", "name_length", "domain", "registered",
                                       "key_matches", "registry_consistent"])


FRAME_BUILDERS = {"core.paragraphs": paragraph_frame, "core.removed_lines": removed_line_frame,
                  "core.outlets": outlet_frame}


@dataclass
class TableValidation:
    """What the table suites said about one batch."""

    results: list[dict] = field(default_factory=list)  # dq.validation_results rows, as validate_articles
    failing_docs: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> critical expectations failed
    gx_results: list = field(default_factory=list)     # the GX suite results, for Data Docs


def table_expectation_name(config) -> str:
    """`expectation_name`, plus the columns of multi-column expectations:
    expect_compound_columns_to_be_unique(doc_id,paragraph_no)."""
    cols = config.kwargs.get("column_list")
    if cols and not config.kwargs.get("column"):
        return f"{config.type}({','.join(map(str, cols))})"
    return expectation_name(config)


def _names_outlet(article: dict, row: dict) -> bool:
    """Whether the article's publisher or wire is this outlet row. The row was built from
    the article's match, so they share the registry id, and the key or the name (the row's
    own or one of its aliases) and domain. Rows of one key that disagree on the registry
    are told apart by the id."""
    key, oid = row.get("outlet_key"), row.get("outlet_id")
    names = {row.get("name"), *(row.get("aliases") or ())}
    publisher = article.get("outlet_name") is not None and article.get("outlet_id") == oid and (
        article.get("outlet_key") == key
        or (article["outlet_name"] in names and article.get("outlet_domain") == row.get("domain")))
    wire = article.get("wire_name") is not None and (
        article.get("wire_id") == oid if oid else (
            article.get("wire_id") is None and article.get("wire_name") in names))
    return publisher or wire


def _docs_naming_outlet(batch: LoadBatch, row: dict) -> list[str]:
    """The articles of the batch whose publisher or wire is this outlet row."""
    return [a["doc_id"] for a in batch.articles if _names_outlet(a, row)]


def validate_load_batch(batch: LoadBatch, validator: Validator,
                        suites: dict[str, str] = TABLE_SUITES) -> TableValidation:
    """Run each table suite the validator knows on the batch's rows for that table."""
    out = TableValidation()
    for attr, suite_name in suites.items():
        rows = getattr(batch, attr)
        if not rows or suite_name not in validator.definitions:
            continue
        checked = one_row_per_outlet(rows) if attr == "outlets" else list(rows)
        frame = (paragraph_frame(checked, markup_checks(batch)) if attr == "paragraphs"
                 else FRAME_BUILDERS[suite_name](checked))
        result = validator.run(suite_name, frame)
        out.gx_results.append(result)
        for er in result.results:
            cfg = er.expectation_config
            sev = _severity(cfg)
            res = er.result or {}
            name = table_expectation_name(cfg)
            out.results.append({
                "suite": suite_name, "expectation": name, "expectation_type": cfg.type,
                "column_name": cfg.kwargs.get("column"), "severity": sev, "success": bool(er.success),
                "observed_value": None if res.get("observed_value") is None else str(res.get("observed_value")),
                "element_count": res.get("element_count", len(frame)),
                "unexpected_count": res.get("unexpected_count", 0 if er.success else None),
            })
            if sev != "critical" or er.success:
                continue
            label = f"{suite_name}: {name}"
            for i in blamed_rows(cfg, frame, unexpected_rows(res)):
                if i >= len(checked):
                    continue
                docs = (_docs_naming_outlet(batch, checked[i]) if attr == "outlets"
                        else [checked[i].get("doc_id")])
                for d in docs:
                    if d and label not in out.failing_docs.setdefault(d, []):
                        out.failing_docs[d].append(label)
    return out


def quarantine_failing(batch: LoadBatch, failing_docs: dict[str, list[str]], run_id: str) -> LoadBatch:
    """The batch without the articles that failed a critical table expectation: their
    article, paragraph, removed-line, evidence and citation rows go, a dq.quarantine row
    (stage validate, reason `failed_<table>`) comes; raw.documents keeps the document so
    `--retry-quarantined` can re-derive it. Outlet rows only the quarantined articles
    named are dropped too, and of rows sharing a key only the first any kept article names
    stays (a conflicting definition's articles are the ones quarantined)."""
    from flows.stages.load import quarantine_id

    if not failing_docs:
        return batch
    bad = set(failing_docs)
    kept_articles = [a for a in batch.articles if a["doc_id"] not in bad]
    outlets, keys = [], set()
    for o in batch.outlets:  # the rows kept articles name, one per key
        if o["outlet_key"] not in keys and any(_names_outlet(a, o) for a in kept_articles):
            keys.add(o["outlet_key"])
            outlets.append(o)
    quarantine = list(batch.quarantine)
    for a in batch.articles:
        if a["doc_id"] not in bad:
            continue
        names = failing_docs[a["doc_id"]]
        table = names[0].split(":", 1)[0].removeprefix("core.")
        quarantine.append({
            "quarantine_id": quarantine_id(a["doc_id"], a["source_uri"]), "doc_id": a["doc_id"],
            "source_uri": a["source_uri"], "stage": STAGE, "reason": f"failed_{table}",
            "detail": "failed critical expectations: " + ", ".join(names),
            "failed_expectations": json.dumps(names), "run_id": run_id,
        })
    return LoadBatch(
        documents=list(batch.documents), articles=kept_articles,
        paragraphs=[r for r in batch.paragraphs if r["doc_id"] not in bad],
        removed_lines=[r for r in batch.removed_lines if r["doc_id"] not in bad],
        evidence=[r for r in batch.evidence if r["doc_id"] not in bad],
        citations=[r for r in batch.citations if r["doc_id"] not in bad],
        outlets=outlets, quarantine=quarantine,
        article_minhash=[r for r in batch.article_minhash if r["doc_id"] not in bad])
