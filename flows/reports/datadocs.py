"""Great Expectations' own Data Docs for a run, written under the warehouse folder.

`ValidationDefinition.run` already stores every result in the `Validator`'s (ephemeral,
in-memory) context, so after a run the validator holds all the run produced. We copy the
suites and *sanitised* copies of those results into a fresh ephemeral context with one
local filesystem site, and let GX build its HTML there. The validator is not changed.

Why copies: GX 1.24 puts unexpected values into its pages without escaping them (checked:
a `<script>` in a scraped outlet name came out as a live tag), and our frames carry
scraped text (outlet names, domains, reasons). So every string in each expectation's
`result` is HTML-escaped and cut to a bounded length, lists to a bounded size.

Offline: the build itself never touches the network (GX_ANALYTICS_ENABLED=false). GX's page
templates load Bootstrap, jQuery, Font Awesome and logos from public CDNs when a page is opened;
with `offline=True` (the default) those tags are removed and a small inline stylesheet is
added, so the pages open without network (plainer, same content).
"""
from __future__ import annotations

import copy
import html
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

SITE_NAME = "newsflow"
MAX_VALUE_CHARS = 200
MAX_LIST_ITEMS = 50

_EXTERNAL_TAG_RE = re.compile(
    r"<link\b[^>]*\bhref=[\"']https?://[^>]*>|<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>"
    r"|<img\b[^>]*\bsrc=[\"']https?://[^>]*>",
    re.IGNORECASE)
_EXTERNAL_URL_CSS_RE = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)
OFFLINE_CSS = """<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 16px;color:#1d2330}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde1e6;padding:4px 8px;vertical-align:top}
.collapse:not(.show){display:block}.d-none{display:none}nav{margin:8px 0}
.alert-danger,.text-danger{color:#c62828}.text-success{color:#2e7d32}.badge{padding:1px 5px;border-radius:3px;background:#eef}
</style>"""


def sanitise_value(value, max_chars: int = MAX_VALUE_CHARS, max_items: int = MAX_LIST_ITEMS):
    """Scraped values made safe for GX's HTML: strings escaped and cut, containers bounded."""
    if isinstance(value, str):
        cut = value if len(value) <= max_chars else value[: max_chars - 1] + "…"
        return html.escape(cut, quote=True)
    if isinstance(value, dict):
        return {sanitise_value(k, max_chars, max_items) if isinstance(k, str) else k:
                sanitise_value(v, max_chars, max_items) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [sanitise_value(v, max_chars, max_items) for v in list(value)[:max_items]]
        return type(value)(items) if isinstance(value, tuple) else items
    return value


def sanitise_result(suite_result):
    """A deep copy of a GX suite validation result whose per-expectation `result` and
    `exception_info` hold only escaped, bounded values."""
    clean = copy.deepcopy(suite_result)
    for er in clean.results:
        if er.result:
            er.result = sanitise_value(dict(er.result))
        if er.exception_info:
            er.exception_info = sanitise_value(dict(er.exception_info))
    return clean


def _stored_results(validator) -> list[tuple]:
    """(identifier, result) for every result the validator's context stored in this run."""
    store = validator.context.validation_results_store
    return [(key, store.get(key)) for key in store.list_keys()]


def _result_key(result) -> tuple:
    """Identity of a suite result that survives the store's round trip (which turns the
    RunIdentifier into a dict and its datetime into an ISO string)."""
    run_id = result.meta.get("run_id")
    run_time = run_id.get("run_time") if isinstance(run_id, dict) else getattr(run_id, "run_time", None)
    if hasattr(run_time, "isoformat"):
        run_time = run_time.isoformat()
    return result.suite_name, str(run_time), str(result.meta.get("validation_id"))


def build_data_docs(validator, out_dir: Path, *, results: Iterable | None = None,
                    offline: bool = True, clean: bool = True) -> Path:
    """Build GX Data Docs for the suites and results of `validator` into `out_dir`; return
    the path of its index.html.

    `results`: render only these GX `ExpectationSuiteValidationResult`s (as returned by
    `Validator.run`, e.g. `TableValidation.gx_results`); default, every result the
    validator's context stored during the run. `clean`: the site shows this run only (a
    previous run's pages would otherwise linger); it is built beside `out_dir` and swapped
    in by renames, so a run killed while rendering leaves the previous site whole.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite

    final_dir = Path(out_dir).resolve()
    out_dir = final_dir.with_name(final_dir.name + ".building") if clean else final_dir
    if clean and out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    pairs = _stored_results(validator)
    if results is not None:
        wanted = {_result_key(r) for r in results}
        pairs = [(k, r) for k, r in pairs if _result_key(r) in wanted]

    ctx = gx.get_context(mode="ephemeral")
    for suite in validator.context.suites.all():
        data = suite.to_json_dict()
        data.pop("id", None)
        for e in data.get("expectations", []):
            e.pop("id", None)
        ctx.suites.add(ExpectationSuite(**data))
    for key, result in pairs:
        ctx.validation_results_store.set(key, sanitise_result(result))
    ctx.add_data_docs_site(SITE_NAME, {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
    })
    ctx.build_data_docs(site_names=[SITE_NAME])
    index = out_dir / "index.html"
    if offline:
        for page in [*out_dir.rglob("*.html"), *out_dir.rglob("*.css")]:
            _make_offline(page)
        _add_static_index(index, pairs, [s.name for s in validator.context.suites.all()])
    if clean:
        _swap_in(out_dir, final_dir)
        index = final_dir / "index.html"
    log.info("Data Docs for %d validation results written to %s", len(pairs), index)
    return index


def _swap_in(built: Path, final: Path) -> None:
    """Replace `final` with `built`: two renames, so `final` is whole at every moment but
    the instant between them (a leftover `.old` folder from a kill there is removed next time)."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    built.rename(final)
    if old.exists():
        shutil.rmtree(old)


def _add_static_index(index: Path, pairs: list[tuple], suite_names: list[str]) -> None:
    """GX's index lists pages with a JavaScript table fed from a CDN; offline it would be
    empty, so add a plain HTML list of the same pages (every value escaped)."""
    rows = []
    for key, result in sorted(pairs, key=lambda kr: (kr[0].to_tuple()[-2], kr[1].suite_name), reverse=True):
        parts = key.to_tuple()
        href = "validations/" + "/".join(parts) + ".html"
        stats = result.statistics or {}
        status = "passed" if result.success else "failed"
        rows.append(
            f'<tr><td><a href="{html.escape(href, quote=True)}">{html.escape(result.suite_name)}</a></td>'
            f"<td>{html.escape(str(parts[-2]))}</td><td class=\"{status}\">{status}</td>"
            f"<td>{stats.get('successful_expectations', '?')} of {stats.get('evaluated_expectations', '?')}</td></tr>")
    suites = "".join(
        f'<li><a href="expectations/{html.escape("/".join(n.split(".")), quote=True)}.html">{html.escape(n)}</a></li>'
        for n in sorted(suite_names))
    block = (
        '<section id="newsflow-index" style="margin:16px 0">'
        "<h2>Validation results</h2><table><thead><tr><th>suite</th><th>validated at (UTC)</th>"
        "<th>status</th><th>expectations passed</th></tr></thead><tbody>" + "".join(rows)
        + "</tbody></table><h2>Expectation suites</h2><ul>" + suites + "</ul></section>"
        "<style>#newsflow-index .failed{color:#c62828}#newsflow-index .passed{color:#2e7d32}</style>")
    text = index.read_text(encoding="utf-8")
    marker = "<body>" if "<body>" in text else None
    text = text.replace(marker, marker + block, 1) if marker else block + text
    index.write_text(text, encoding="utf-8")


def _make_offline(page: Path) -> None:
    """Drop what a page would fetch from the internet: CDN stylesheets and scripts, remote
    images and CSS backgrounds (links a user may click stay)."""
    text = page.read_text(encoding="utf-8")
    stripped = _EXTERNAL_URL_CSS_RE.sub("none", text)
    if page.suffix == ".html":
        stripped = _EXTERNAL_TAG_RE.sub("", stripped)
        if stripped != text:
            stripped = stripped.replace("</head>", OFFLINE_CSS + "</head>", 1)
    if stripped != text:
        page.write_text(stripped, encoding="utf-8")
