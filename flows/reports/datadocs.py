"""Great Expectations' own Data Docs, kept across runs, written under the reports folder.

History: every run adds its validation results to a file-backed GX `ValidationResultsStore`
(a `TupleFilesystemStoreBackend` in `<reports>/validation_results/`, one JSON file per suite
result, keyed by suite / run name (the newsflow run id) / run time / batch), and the site
is built from that store, so the index lists every kept run's validations. Growth is
bounded: only the last `KEEP_RUNS` runs (by their latest run time) stay in the store; GX
removes the pages of the others when it rebuilds the index.

Atomic, incremental: the site is built beside `data_docs/` (`data_docs.building/`, a copy
of the current site) and swapped in by two renames, so a run killed while GX renders
leaves the previous site whole. Only this run's results (and the suites) are rendered;
earlier pages are kept from the copy (a site made by another version of this module is
rebuilt whole).

Escaping: GX 1.24 puts unexpected values into its pages without escaping them (checked:
a `<script>` in a scraped outlet name came out as a live tag), and our frames carry scraped
text (outlet names, domains, reasons). So what goes into the store is a copy of each result
whose `result` strings are HTML-escaped and cut to a bounded length, lists to a bounded size
(`sanitise_result`). The validator's own in-memory results are not changed.

Offline: the build never touches the network (GX_ANALYTICS_ENABLED=false), and neither
does opening a page. GX's templates load Bootstrap 4, jQuery, Popper and Font Awesome from
CDNs; those files are copied into the site from the XStatic packages (`static/vendor/`, see
`VENDOR_FILES`) and the pages point at them by relative paths, so the status icons and
layout render from a laptop, an artifact or an e-mail. What no package ships
(bootstrap-table, bootstrap-datepicker, vega, a dark theme; used by the index's sortable
tables and profiling charts, neither of which our pages need) is dropped, and the index gets
a plain HTML table of the same pages. GX's newsletter footer and links to its site are removed.
"""
from __future__ import annotations

import copy
import html
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, NamedTuple

log = logging.getLogger(__name__)

SITE_NAME = "newsflow"
MAX_VALUE_CHARS = 200
MAX_LIST_ITEMS = 50
# Runs whose validations the store (and so the site) keeps. A run validates each batch
# once per table suite: 20 runs of 10 batches are 800 pages, ~30 MB.
KEEP_RUNS = 20
STORE_DIR_NAME = "validation_results"
# Bumped when the post-processing of pages changes: a site of another version is rebuilt whole.
SITE_VERSION = "newsflow-datadocs-2"

# (xstatic package, file under its BASE_DIR, path in the site)
VENDOR_FILES = (
    ("bootstrap", "css/bootstrap.min.css", "static/vendor/bootstrap/css/bootstrap.min.css"),
    ("bootstrap", "js/bootstrap.bundle.min.js", "static/vendor/bootstrap/js/bootstrap.bundle.min.js"),
    ("jquery", "jquery.min.js", "static/vendor/jquery/jquery.min.js"),
    ("font_awesome", "css/all.min.css", "static/vendor/fontawesome/css/all.min.css"),
    *(("font_awesome", f"webfonts/{name}", f"static/vendor/fontawesome/webfonts/{name}") for name in (
        "fa-solid-900.woff2", "fa-solid-900.ttf", "fa-regular-400.woff2", "fa-regular-400.ttf",
        "fa-brands-400.woff2", "fa-brands-400.ttf", "fa-v4compatibility.woff2", "fa-v4compatibility.ttf")),
)
# What each CDN address GX's templates name becomes: a path in the site, or None (dropped).
# Checked against great_expectations/render/view/templates (1.24.1); an address not listed
# is dropped too, so nothing is ever fetched.
_CDN_MAP = (
    (re.compile(r"bootstrapcdn\.com/bootstrap/[\d.]+/css/bootstrap(\.min)?\.css"),
     "static/vendor/bootstrap/css/bootstrap.min.css"),
    (re.compile(r"bootstrapcdn\.com/bootstrap/[\d.]+/js/bootstrap(\.min)?\.js"),
     "static/vendor/bootstrap/js/bootstrap.bundle.min.js"),  # the bundle carries Popper
    (re.compile(r"code\.jquery\.com/jquery-[\d.]+(\.min)?\.js"), "static/vendor/jquery/jquery.min.js"),
    (re.compile(r"/font-awesome/[\d.]+/css/all(\.min)?\.css"), "static/vendor/fontawesome/css/all.min.css"),
    (re.compile(r"great-expectations-web-assets[^\"']*/logo-long\.png"), "static/images/logo-long.png"),
)
_EXTERNAL_TAG_RE = re.compile(
    r"<link\b[^>]*?\bhref=[\"'](https?://[^\"']*)[\"'][^>]*>"
    r"|<script\b[^>]*?\bsrc=[\"'](https?://[^\"']*)[\"'][^>]*>\s*</script>"
    r"|<img\b[^>]*?\bsrc=[\"'](https?://[^\"']*)[\"'][^>]*>",
    re.IGNORECASE | re.DOTALL)
_EXTERNAL_URL_CSS_RE = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)
_EXTERNAL_LINK_RE = re.compile(r"<a\b[^>]*\bhref=[\"']https?://[^\"']*[\"'][^>]*>(.*?)</a>",
                               re.IGNORECASE | re.DOTALL)
_STATIC_REF_RE = re.compile(r'\b(href|src)="(?:\.\./)*static/')
_FOOTER_RE = re.compile(r"<footer\b.*?</footer>", re.IGNORECASE | re.DOTALL)
_TABLE_SCRIPT_RE = re.compile(r"<script>(?:(?!</script>).)*bootstrapTable(?:(?!</script>).)*</script>",
                              re.DOTALL)


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
    if hasattr(value, "item") and callable(value.item):  # numpy scalars (GX's index rows)
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def sanitise_result(suite_result):
    """A deep copy of a GX suite validation result whose per-expectation `result` and
    `exception_info` hold only escaped, bounded values. The pandas row query GX adds
    (`df.filter(items=[0], axis=0)`) is dropped: it names positions in a batch frame that
    no longer exists; the rows are named by `unexpected_index_list` (their doc_id)."""
    clean = copy.deepcopy(suite_result)
    for er in clean.results:
        if er.result:
            res = dict(er.result)
            res.pop("unexpected_index_query", None)
            er.result = sanitise_value(res)
        if er.exception_info:
            er.exception_info = sanitise_value(dict(er.exception_info))
    return clean


def _stored_results(validator) -> list[tuple]:
    """(identifier, result) for every suite result the validator made in this run, keyed as
    `ValidationDefinition.run` keys what it stores: suite / run id / batch id. The validator
    keeps its results instead of storing each batch's (see `Validator`), so they are stored
    once per run, here."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier, ValidationResultIdentifier)

    return [(ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=r.suite_name),
        run_id=r.meta["run_id"], batch_identifier=r.batch_id), r) for r in validator.results]


def _result_key(result) -> tuple:
    """Identity of a suite result that survives the store's round trip (which turns the
    RunIdentifier into a dict and its datetime into an ISO string)."""
    run_id = result.meta.get("run_id")
    run_time = run_id.get("run_time") if isinstance(run_id, dict) else getattr(run_id, "run_time", None)
    if hasattr(run_time, "isoformat"):
        run_time = run_time.isoformat()
    return result.suite_name, str(run_time), str(result.meta.get("validation_id"))


def _site_context(store_dir: Path, site_dir: Path):
    """An ephemeral GX context whose validation results store is the file store, with one
    local site in `site_dir`."""
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.base import (DataContextConfig,
                                                            InMemoryStoreBackendDefaults)

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    config.stores[config.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend", "base_directory": str(store_dir)}
    config.data_docs_sites = {SITE_NAME: {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
    }}
    return EphemeralDataContext(project_config=config)


def build_data_docs(validator, out_dir: Path, *, results: Iterable | None = None,
                    store_dir: Path | None = None, keep_runs: int = KEEP_RUNS) -> Path:
    """Add the results of `validator` to the file store, prune it to the last `keep_runs`
    runs, build the Data Docs site of everything kept into `out_dir`; return its index.html.

    `results`: add only these GX `ExpectationSuiteValidationResult`s (as returned by
    `Validator.run`, e.g. `TableValidation.gx_results`); default, every result the
    validator made during the run (`Validator.results`). `store_dir`: the validation results store
    (default: `validation_results/` beside `out_dir`).
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    final_dir = Path(out_dir).resolve()
    store_dir = Path(store_dir).resolve() if store_dir else final_dir.with_name(STORE_DIR_NAME)
    building = final_dir.with_name(final_dir.name + ".building")
    if building.exists():
        shutil.rmtree(building)
    store_dir.mkdir(parents=True, exist_ok=True)
    incremental = (final_dir / "index.html").exists() and _site_version(final_dir) == SITE_VERSION
    if incremental:
        shutil.copytree(final_dir, building, symlinks=True)
    building.mkdir(parents=True, exist_ok=True)

    pairs = _stored_results(validator)
    if results is not None:
        wanted = {_result_key(r) for r in results}
        pairs = [(k, r) for k, r in pairs if _result_key(r) in wanted]

    ctx = _site_context(store_dir, building)
    for suite in validator.context.suites.all():
        data = suite.to_json_dict()
        data.pop("id", None)
        for e in data.get("expectations", []):
            e.pop("id", None)
        ctx.suites.add(ExpectationSuite(**data))
    store = ctx.validation_results_store
    for key, result in pairs:
        store.set(key, sanitise_result(result))
    kept = _prune(store, keep_runs)

    new_pages = [key for key, _ in pairs if key in kept]
    before = {p: _stamp(p) for p in building.rglob("*") if p.suffix in (".html", ".css")}
    suite_keys = [ExpectationSuiteIdentifier(s.name) for s in validator.context.suites.all()]
    ctx.build_data_docs(site_names=[SITE_NAME],
                        resource_identifiers=(new_pages + suite_keys) if incremental else None)
    _install_vendor(building)
    # The pages copied from the previous site are offline already: only what GX wrote now.
    for page in [*building.rglob("*.html"), *building.joinpath("static", "styles").rglob("*.css")]:
        if _stamp(page) != before.get(page):
            _make_offline(page, building)
    _add_static_index(building / "index.html", kept)
    (building / "static" / "vendor" / "VERSION").write_text(SITE_VERSION + "\n", encoding="utf-8")
    _swap_in(building, final_dir)
    index = final_dir / "index.html"
    log.info("Data Docs: %d validation results of this run added, %d runs kept, at %s",
             len(pairs), len({_run_name(k) for k in kept}), index)
    return index


def _stamp(path: Path) -> tuple[int, int]:
    """A file's (mtime_ns, size): changed when GX rewrites it (a copy keeps both)."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _site_version(site: Path) -> str:
    try:
        return (site / "static" / "vendor" / "VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _run_name(key) -> str:
    return key.run_id.run_name or "__none__"


def _run_time(key) -> str:
    rt = key.run_id.run_time
    return rt.isoformat() if hasattr(rt, "isoformat") else str(rt)


class StoredSummary(NamedTuple):
    """What the index shows of a stored suite result."""

    suite_name: str
    success: bool
    statistics: dict


def _summary(text: str) -> StoredSummary:
    """The index's fields of a stored result, from its JSON (ValueError/KeyError when the
    file is not a whole suite result)."""
    data = json.loads(text)
    return StoredSummary(str(data["suite_name"]), bool(data["success"]), dict(data.get("statistics") or {}))


def _prune(store, keep_runs: int) -> dict:
    """Drop the results of all but the newest `keep_runs` runs and any file that no longer
    loads (a write cut short by a kill); return {key: StoredSummary} of what stays.

    Why the JSON and not `store.get`: each run reads every kept result (up to `KEEP_RUNS`
    runs of a result per suite and batch), and GX's deserialisation of a result costs ~20x
    parsing its JSON; the index needs three fields of it, and GX's own index builder reads
    the results again anyway."""
    loaded = {}
    for key in store.list_keys():
        try:
            loaded[key] = _summary(store.store_backend.get(key.to_tuple()))
        except Exception as exc:  # a truncated or foreign file: unusable, and GX would stop on it
            log.warning("Data Docs: dropping unreadable stored result %s (%s)", key.to_tuple(), exc)
            store.remove_key(key)
    latest: dict[str, str] = {}
    for key in loaded:
        latest[_run_name(key)] = max(latest.get(_run_name(key), ""), _run_time(key))
    keep = set(sorted(latest, key=lambda r: latest[r], reverse=True)[:max(1, keep_runs)])
    for key in [k for k in loaded if _run_name(k) not in keep]:
        store.remove_key(key)
        del loaded[key]
    _remove_empty_dirs(Path(store.store_backend.full_base_directory))
    return loaded


def _remove_empty_dirs(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        try:
            folder.rmdir()
        except OSError:
            pass


def _install_vendor(site: Path) -> None:
    """Copy the stylesheets, scripts and fonts the pages load into the site."""
    import importlib

    for package, src, dest in VENDOR_FILES:
        base = Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR)
        target = site / dest
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / src, target)


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


def _add_static_index(index: Path, kept: dict) -> None:
    """GX's index lists pages with bootstrap-table, which no package ships; replace its
    tables by a plain HTML one of the same pages: one row per suite result, newest run
    first, with GX's own status icons (every value escaped)."""
    def order(item):
        key, result = item
        return (_run_time_of_run[_run_name(key)], _run_time(key), result.suite_name)

    _run_time_of_run: dict[str, str] = {}
    for key in kept:
        _run_time_of_run[_run_name(key)] = max(_run_time_of_run.get(_run_name(key), ""), _run_time(key))
    rows = []
    for key, result in sorted(kept.items(), key=order, reverse=True):
        href = "validations/" + "/".join(key.to_tuple()) + ".html"
        stats = result.statistics or {}
        ok = bool(result.success)
        icon = ('<i class="fas fa-check-circle text-success" aria-hidden="true"></i>' if ok else
                '<i class="fas fa-times text-danger" aria-hidden="true"></i>')
        status = "passed" if ok else "failed"
        rows.append(
            f'<tr class="{status}"><td>{icon} <span class="status">{status}</span></td>'
            f'<td><code>{html.escape(_run_name(key))}</code></td>'
            f"<td>{html.escape(_run_time(key)[:19].replace('T', ' '))}</td>"
            f'<td><a href="{html.escape(href, quote=True)}">{html.escape(result.suite_name)}</a></td>'
            f"<td>{stats.get('successful_expectations', '?')} of {stats.get('evaluated_expectations', '?')}</td></tr>")
    suites = sorted({p.relative_to(index.parent).as_posix()
                     for p in (index.parent / "expectations").rglob("*.html")})
    suite_items = "".join(
        f'<li><a href="{html.escape(p, quote=True)}">'
        f'{html.escape(p.removeprefix("expectations/").removesuffix(".html").replace("/", "."))}</a></li>'
        for p in suites)
    n_runs = len(_run_time_of_run)
    block = (
        '<section id="newsflow-index" class="mb-4">'
        f"<h3>Validation results</h3><p class=\"text-muted\">the last {n_runs} run(s), newest first "
        f"(at most {KEEP_RUNS} are kept); a run validates each batch once per table</p>"
        '<table class="table table-sm table-hover"><thead><tr><th>status</th><th>run</th>'
        "<th>validated at (UTC)</th><th>suite</th><th>expectations passed</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table><h3>Expectation suites</h3><ul>" + suite_items + "</ul></section>"
        "<style>#section-1 .ge-index-page-tabs-container,#section-1 [id$='-tab-content']{display:none}</style>")
    text = index.read_text(encoding="utf-8")
    anchor = re.search(r'<div class="col-md-10 col-lg-10 col-xs-12[^"]*">', text)
    if anchor:
        text = text[:anchor.end()] + block + text[anchor.end():]
    else:
        text = text.replace("<body>", "<body>" + block, 1)
    index.write_text(text, encoding="utf-8")


def _relative_root(page: Path, site: Path) -> str:
    depth = len(page.relative_to(site).parts) - 1
    return "../" * depth


def _local_asset(url: str) -> str | None:
    for pattern, path in _CDN_MAP:
        if pattern.search(url):
            return path
    return None


def _make_offline(page: Path, site: Path) -> None:
    """Point what a page would fetch from the internet at the site's own copies, drop what
    has none, and remove GX's newsletter footer and links to its website. Idempotent."""
    text = page.read_text(encoding="utf-8")
    out = _EXTERNAL_URL_CSS_RE.sub("none", text)
    if page.suffix == ".html":
        root = _relative_root(page, site)

        def local(m: re.Match) -> str:
            url = m.group(1) or m.group(2) or m.group(3)
            path = _local_asset(url)
            if path is None:
                return ""
            if m.group(1):
                return f'<link rel="stylesheet" href="{root}{path}">'
            if m.group(2):
                return f'<script src="{root}{path}"></script>'
            return f'<img src="{root}{path}" alt="Great Expectations" style="width: auto; height: 50px">'

        out = _EXTERNAL_TAG_RE.sub(local, out)
        # GX's validation pages climb one folder too few to reach static/ (the favicon).
        out = _STATIC_REF_RE.sub(lambda m: f'{m.group(1)}="{root}static/', out)
        out = _FOOTER_RE.sub("", out)
        out = _EXTERNAL_LINK_RE.sub(r"\1", out)
        out = _TABLE_SCRIPT_RE.sub("", out)
    if out != text:
        page.write_text(out, encoding="utf-8")
