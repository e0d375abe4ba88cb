"""The data-quality dashboard: one self-contained HTML page built from the warehouse.

`render_dashboard(con)` reads dq.runs, dq.validation_results, dq.quarantine, core.articles
and core.removed_lines through the connection it is given and returns the page; the
charts are inline SVG drawn here, the styles inline CSS, so the file opens offline from a
laptop, a CI artifact or an e-mail without a CDN. `write_dashboard` opens the warehouse
read-only (waiting with backoff while a run holds it) and writes the page into the
warehouse's reports folder (`Settings.dashboard_path`: `w.duckdb` -> `w.reports/dashboard.html`),
readable by others as any file the user creates (umask), not only by its owner.

Colour says the result (passing rows green, failing red, a partial pass both in proportion);
severity is a separate mark (a "critical" / "warning" badge). A failed or aborted run keeps
its bar (the documents it saw, hatched where nothing was loaded) and is listed with its
reason and duration.

Everything that comes from the data (titles, outlet names, source URIs, reasons, details)
is scraped, hostile text: it goes through `_esc` (html.escape, quotes included) on its way
into the page, in element text, attributes and SVG alike. SQL takes bound parameters only.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)

MAX_RUNS = 30          # runs shown in the per-run charts, newest last
MAX_BARS = 15          # categories per horizontal bar chart (the rest summed as "other")
MAX_QUARANTINE_ROWS = 50
LABEL_CHARS = 42       # SVG labels are cut to this; the full text is in the tooltip

COLORS = {
    "loaded": "#2e7d32", "skipped": "#9e9e9e", "quarantined": "#c62828", "unloaded": "#f6d5d5",
    "pass": "#2e7d32", "fail": "#c62828", "failed_run": "#c62828",
    "critical": "#6a1b9a", "warning": "#ef8f00", "bar": "#1565c0", "share": "#6a1b9a",
}
FAILED_STATUSES = ("failed", "aborted")

TABLES_READ = ("dq.runs", "dq.validation_results", "dq.quarantine", "core.articles", "core.removed_lines")


def _esc(value) -> str:
    """Text from the data, safe in HTML element content, attributes and inline SVG."""
    return html.escape("" if value is None else str(value), quote=True)


def _cut(text: str, n: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- queries

@dataclass
class DashboardData:
    """Everything the page shows, as plain rows (tuples) from the warehouse."""

    runs: list[tuple]             # run_id, started_at, status, seen, loaded, skipped, quarantined, error, seconds
    expectations: list[tuple]     # suite, expectation, severity, elements, unexpected, runs, failed_runs
    quarantine_reasons: list[tuple]  # stage, reason, documents
    by_outlet: list[tuple]        # outlet, articles
    by_language: list[tuple]      # language, articles
    boilerplate: list[tuple]      # outlet, mean boilerplate share, articles
    removed_reasons: list[tuple]  # reason, lines
    latest_quarantine: list[tuple]  # quarantined_at, source_uri, stage, reason, detail, failed_expectations
    totals: dict
    per_run: list[tuple] = ()     # run_id, suite, expectation, severity, elements, unexpected (recent runs)


def _existing_tables(con) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('dq', 'core')").fetchall()
    return {r[0] for r in rows}


def _rows(con, sql: str, params: dict | None = None) -> list[tuple]:
    """Run a query with the bound parameters it names (DuckDB rejects unused ones)."""
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    return con.execute(sql, used).fetchall()


def load_data(con) -> DashboardData | None:
    """Read the dashboard's rows; None when the warehouse has no runs yet."""
    have = _existing_tables(con)
    if not set(TABLES_READ) <= have:
        return None
    n_runs = con.execute("select count(*) from dq.runs").fetchone()[0]
    if not n_runs:
        return None
    p = {"max_runs": MAX_RUNS, "max_bars": MAX_BARS, "max_q": MAX_QUARANTINE_ROWS}
    # dq.runs.error came with sql/ddl/012; a warehouse no run has migrated since has none.
    has_error = con.execute("select count(*) from duckdb_columns() where schema_name = 'dq' "
                            "and table_name = 'runs' and column_name = 'error'").fetchone()[0]
    runs = _rows(con, """
        with recent as (
            select run_id, started_at, status, coalesce(docs_seen, 0) as seen,
                   coalesce(docs_loaded, 0) as loaded, coalesce(docs_skipped, 0) as skipped,
                   coalesce(docs_quarantined, 0) as quarantined, """ + (
                "error" if has_error else "null::varchar as error") + """,
                   epoch(finished_at - started_at) as seconds
            from dq.runs order by started_at desc limit $max_runs
        )
        select * from recent order by started_at""", p)
    expectations = _rows(con, """
        select suite, expectation, severity,
               sum(coalesce(element_count, 0)) as elements,
               sum(coalesce(unexpected_count, 0)) as unexpected,
               count(*) as runs, count(*) filter (where not success) as failed_runs
        from dq.validation_results
        group by suite, expectation, severity
        order by suite, expectation""")
    quarantine_reasons = _rows(con, """
        select stage, reason, count(*) as documents from dq.quarantine
        group by stage, reason order by documents desc, reason limit $max_bars""", p)
    by_outlet = _rows(con, """
        select coalesce(outlet_name, '(unknown outlet)') as outlet, count(*) as articles
        from core.articles group by outlet order by articles desc, outlet""")
    by_language = _rows(con, """
        select language, count(*) as articles from core.articles
        group by language order by articles desc, language""")
    boilerplate = _rows(con, """
        select coalesce(outlet_name, '(unknown outlet)') as outlet,
               avg(boilerplate_share) as share, count(*) as articles
        from core.articles group by outlet order by articles desc, outlet limit $max_bars""", p)
    removed_reasons = _rows(con, """
        select reason, count(*) as lines from core.removed_lines
        group by reason order by lines desc, reason""")
    latest_quarantine = _rows(con, """
        select quarantined_at, source_uri, stage, reason, detail, failed_expectations
        from dq.quarantine order by quarantined_at desc, source_uri limit $max_q""", p)
    per_run = _rows(con, """
        with recent as (select run_id from dq.runs order by started_at desc limit $max_runs)
        select v.run_id, v.suite, v.expectation, v.severity, coalesce(v.element_count, 0),
               coalesce(v.unexpected_count, 0)
        from dq.validation_results v join recent using (run_id)""", p)
    t = con.execute("""
        select (select count(*) from dq.runs), (select count(*) from core.articles),
               (select count(*) from dq.quarantine), (select count(*) from core.removed_lines),
               (select status from dq.runs order by started_at desc limit 1),
               (select max(started_at) from dq.runs)""").fetchone()
    totals = {"runs": t[0], "articles": t[1], "quarantined": t[2], "removed_lines": t[3],
              "last_status": t[4], "last_started": t[5]}
    return DashboardData(runs, expectations, quarantine_reasons, by_outlet, by_language,
                         boilerplate, removed_reasons, latest_quarantine, totals, per_run)


# ---------------------------------------------------------------- SVG charts

def _top(items: list[tuple[str, float]], n: int = MAX_BARS) -> list[tuple[str, float]]:
    """The n largest categories, the rest summed into one 'other' bar."""
    if len(items) <= n:
        return items
    head, rest = items[: n - 1], items[n - 1:]
    return head + [(f"other ({len(rest)})", sum(v for _, v in rest))]


def hbar_chart(bars: Sequence[tuple], *, chart_id: str, max_value: float | None = None,
               fmt=lambda v: f"{v:,.0f}", label_w: int = 220, width: int = 560) -> str:
    """Horizontal bars. Each bar: (label, value, color[, tooltip])."""
    if not bars:
        return '<p class="empty">nothing to show yet</p>'
    row_h, pad = 22, 4
    plot_w = width - label_w - 90
    fit = max(8, min(LABEL_CHARS, int((label_w - 12) / 6.9)))  # ~6.9 px per character at 12 px
    top = max_value if max_value else max((b[1] for b in bars), default=0) or 1
    h = len(bars) * row_h + pad * 2
    parts = [f'<svg class="chart" id="{_esc(chart_id)}" role="img" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}" xmlns="http://www.w3.org/2000/svg">']
    for i, bar in enumerate(bars):
        label, value, color = bar[0], float(bar[1] or 0), bar[2]
        tip = bar[3] if len(bar) > 3 else f"{label}: {fmt(value)}"
        y = pad + i * row_h
        w = max(1.0, plot_w * value / top) if value > 0 else 0
        parts.append(
            f'<g class="bar"><title>{_esc(tip)}</title>'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">{_esc(_cut(label, fit))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}" rx="2"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="val">{_esc(fmt(value))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def runs_chart(runs: Sequence[tuple], *, width: int = 1240, height: int = 260) -> str:
    """Stacked bars, one per run (oldest left): loaded, skipped, quarantined, and the
    documents a run saw but did not finish (hatched: a failed or aborted run's), so a
    failed run keeps its height; failed runs are marked with a red cross and their reason."""
    if not runs:
        return '<p class="empty">no runs yet</p>'
    left, bottom, top_pad = 48, 46, 30
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    peak = max(max(r[3], r[4] + r[5] + r[6]) for r in runs) or 1
    slot = plot_w / max(len(runs), 1)
    bw = max(6.0, min(48.0, slot * 0.7))
    parts = [f'<svg class="chart" id="chart-runs" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d5d5"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#c62828" stroke-width="2"/></pattern></defs>']
    for frac in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - frac)
        tick = peak * frac
        tick_txt = f"{tick:,.0f}" if tick == int(tick) else f"{tick:,.1f}"
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{tick_txt}</text>')
    for i, (run_id, started, status, seen, loaded, skipped, quarantined, error, seconds) in enumerate(runs):
        x = left + i * slot + (slot - bw) / 2
        y = top_pad + plot_h
        failed = status in FAILED_STATUSES
        unfinished = max(0, seen - loaded - skipped - quarantined)
        tip = (f"run {run_id}\nstarted {_fmt_ts(started)} ({status}, {_fmt_duration(seconds)})\n"
               f"seen {seen}: loaded {loaded}, skipped {skipped}, quarantined {quarantined}"
               + (f", not loaded {unfinished}" if unfinished else "") + (f"\n{error}" if error else ""))
        cls = "run run-failed" if failed else "run"
        parts.append(f'<g class="{cls}" data-run-id="{_esc(run_id)}" data-status="{_esc(status)}">'
                     f'<title>{_esc(tip)}</title>')
        for part, n in (("loaded", loaded), ("skipped", skipped), ("quarantined", quarantined),
                        ("unloaded", unfinished)):
            if not n:
                continue
            seg = max(1.0, plot_h * n / peak)
            y -= seg
            fill = "url(#hatch)" if part == "unloaded" else COLORS[part]
            parts.append(f'<rect class="seg-{part}" x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" '
                         f'height="{seg:.1f}" fill="{fill}"/>')
        if failed and y >= top_pad + plot_h:  # saw nothing: a thin red base keeps it visible
            y -= 3
            parts.append(f'<rect class="seg-unloaded" x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="3" '
                         f'fill="{COLORS["failed_run"]}"/>')
        label = f"{seen}" if not failed else f"✕ {status}, saw {seen}"
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" '
                     f'class="{"val fail" if failed else "val"}">{_esc(label)}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                     f'class="axis">{_esc(_fmt_ts(started, short=True, seconds=len(runs) <= 12))}</text>'
                     f'<text x="{x + bw / 2:.1f}" y="{top_pad + plot_h + 30}" text-anchor="middle" '
                     f'class="axis">{_esc(_fmt_duration(seconds))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt_duration(seconds) -> str:
    """'0.8 s', '42 s', '3 min 05 s', '1 h 02 min'; '?' for a run still going or never finished."""
    if seconds is None:
        return "?"
    s = float(seconds)
    if s < 10:
        return f"{s:.1f} s"
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{int(s // 60)} min {int(s % 60):02d} s"
    return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"


def _rate_colour(rate: float) -> str:
    """Green at 100 %, through amber, to red at 90 % and below."""
    x = max(0.0, min(1.0, (rate - 0.9) / 0.1))
    r, g, b = (198, 40, 40) if x < 0.5 else (239, 143, 0)
    r2, g2, b2 = (239, 143, 0) if x < 0.5 else (46, 125, 50)
    t = x * 2 if x < 0.5 else (x - 0.5) * 2
    return "#%02x%02x%02x" % (round(r + (r2 - r) * t), round(g + (g2 - g) * t), round(b + (b2 - b) * t))


def pass_rate_grid(runs: Sequence[tuple], per_run: Sequence[tuple], *, label_w: int = 420,
                   width: int = 1240, labels: dict | None = None) -> str:
    """Expectations (rows) by run (columns, oldest left): each cell the run's pass rate."""
    if not per_run:
        return '<p class="empty">no validation results yet</p>'
    cells: dict[tuple, tuple] = {}
    for run_id, suite, name, sev, elements, unexpected in per_run:
        cells[(suite, name, sev, run_id)] = (elements, unexpected)
    rows = sorted({(suite, name, sev) for (suite, name, sev, _) in cells},
                  key=lambda k: (-sum(cells.get((*k, r[0]), (0, 0))[1] for r in runs), k))
    run_ids = [r[0] for r in runs]
    row_h, top = 18, 6
    cell_w = max(6.0, min(36.0, (width - label_w - 20) / max(len(run_ids), 1)))
    fit = int((label_w - 78) / 6.9)
    labels = labels or {}
    h = top + len(rows) * row_h + 6
    parts = [f'<svg class="chart" id="chart-pass-grid" role="img" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}" xmlns="http://www.w3.org/2000/svg">']
    for i, (suite, name, sev) in enumerate(rows):
        y = top + i * row_h
        label = labels.get((suite, name, sev)) or expectation_label(suite, name)
        parts.append(_severity_badge(sev, 0, y + 2)
                     + f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" class="lbl">'
                     f'<title>{_esc(f"{suite}: {name} [{sev}]")}</title>{_esc(_cut(label, fit))}</text>')
        for j, run_id in enumerate(run_ids):
            x = label_w + j * cell_w
            cell = cells.get((suite, name, sev, run_id))
            if cell is None:
                colour, tip = "#eceff1", f"run {run_id}: not evaluated"
            else:
                elements, unexpected = cell
                rate = 1.0 - unexpected / elements if elements else 1.0
                colour = _rate_colour(rate)
                tip = f"run {run_id}: {_pct(rate)} passed ({unexpected:,} of {elements:,} rows failed)"
            parts.append(f'<rect class="cell" x="{x + 1:.1f}" y="{y + 1}" width="{cell_w - 2:.1f}" '
                         f'height="{row_h - 2}" fill="{colour}" rx="2"><title>{_esc(tip)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt_ts(value, short: bool = False, seconds: bool = False) -> str:
    if isinstance(value, dt.datetime):
        if short:
            return value.strftime("%m-%d %H:%M:%S" if seconds else "%m-%d %H:%M")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


def expectation_label(suite: str, expectation: str) -> str:
    """'core.articles', 'expect_column_values_to_be_between(word_count)' -> 'articles.word_count between'."""
    table = suite.split(".", 1)[-1]
    kind, _, rest = expectation.partition("(")
    column = rest.rstrip(")")
    for prefix in ("expect_column_values_to_", "expect_compound_columns_to_", "expect_column_",
                   "expect_table_", "expect_"):
        if kind.startswith(prefix):
            kind = kind[len(prefix):]
            break
    kind = kind.removeprefix("be_").replace("not_be_", "not_").replace("_", " ")
    return f"{table}.{column} {kind}" if column else f"{table}: {kind}"


def _bound(value) -> str:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return str(value["$PARAMETER"])
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return "…" if value is None else str(value)


def _kwargs_text(kind: str, kwargs: dict) -> str:
    """What tells one check of a column from another of the same kind: its bounds, set or pattern."""
    if "min_value" in kwargs or "max_value" in kwargs:
        return f"{_bound(kwargs.get('min_value'))}–{_bound(kwargs.get('max_value'))}"
    if "value_set" in kwargs:
        values = list(kwargs["value_set"] or [])
        return "{" + ", ".join(map(str, values)) + "}" if len(values) <= 3 else f"{len(values)} values"
    if "regex" in kwargs:
        return _cut(str(kwargs["regex"]), 18)
    return ""


def expectation_labels(keys: Sequence[tuple], suites: dict[str, dict] | None = None) -> dict[tuple, str]:
    """One label per check, {(suite, expectation, severity): label}. Checks of one kind on
    one column ("articles.language_confidence between", critical 0-1 and warning 0.5-1) get
    their bounds (or set, or pattern) from the suite files, else their severity, added."""
    base = {k: expectation_label(k[0], k[1]) for k in keys}
    counts: dict[str, int] = {}
    for label in base.values():
        counts[label] = counts.get(label, 0) + 1
    config: dict[tuple, dict] = {}
    for suite_name, suite in (suites or {}).items():
        for e in suite.get("expectations", []):
            kw = e.get("kwargs", {})
            cols = kw.get("column") or ",".join(kw.get("column_list") or [])
            sev = str(e.get("severity") or "critical").lower()
            config.setdefault((suite_name, f"{e.get('type')}({cols})" if cols else e.get("type"), sev), kw)
    out = {}
    for key, label in base.items():
        if counts[label] > 1:
            detail = _kwargs_text(key[1], config.get(tuple(key[:3]), {})) or key[2]
            label = f"{label} {detail}"
        out[key] = label
    return out


def _severity_badge(sev: str, x: float, y: float) -> str:
    """A small rounded tag naming the severity, apart from the result colours."""
    colour = COLORS.get(sev, COLORS["bar"])
    text = (sev or "?")[:8]
    return (f'<g class="sev sev-{_esc(sev)}"><rect x="{x:.1f}" y="{y:.1f}" width="58" height="14" rx="7" '
            f'fill="#fff" stroke="{colour}"/><text x="{x + 29:.1f}" y="{y + 10.5:.1f}" text-anchor="middle" '
            f'class="badge" fill="{colour}">{_esc(text)}</text></g>')


def pass_rate_chart(rows: Sequence[tuple], *, label_w: int = 420, width: int = 1000) -> str:
    """One bar per check: the passing share of rows green, the failing share red (so 100 %
    is all green whatever the severity), a severity badge before the label.
    Each row: (label, rate, severity, tooltip)."""
    if not rows:
        return '<p class="empty">nothing to show yet</p>'
    row_h, pad = 22, 4
    plot_w = width - label_w - 60
    fit = max(8, int((label_w - 78) / 6.9))
    h = len(rows) * row_h + pad * 2
    parts = [f'<svg class="chart" id="chart-expectations" role="img" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, rate, sev, tip) in enumerate(rows):
        y = pad + i * row_h
        rate = max(0.0, min(1.0, float(rate)))
        good = plot_w * rate
        bad = plot_w - good
        if 0 < bad < 2:  # a few failing rows in many must still show
            good, bad = plot_w - 2, 2.0
        result = "pass" if rate >= 1 else "fail" if rate <= 0 else "partial"
        parts.append(f'<g class="bar result-{result}"><title>{_esc(tip)}</title>'
                     + _severity_badge(sev, 0, y + 4)
                     + f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">{_esc(_cut(label, fit))}</text>')
        if good > 0:
            parts.append(f'<rect class="pass" x="{label_w}" y="{y + 3}" width="{good:.1f}" height="{row_h - 6}" '
                         f'fill="{COLORS["pass"]}"/>')
        if bad > 0:
            parts.append(f'<rect class="fail" x="{label_w + good:.1f}" y="{y + 3}" width="{bad:.1f}" '
                         f'height="{row_h - 6}" fill="{COLORS["fail"]}"/>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 15}" class="val">{_esc(_pct(rate))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{c}"></i>{_esc(name)}</span>' for name, c in items) + "</div>"


# ---------------------------------------------------------------- the page

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;
  background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px} header p{margin:4px 0 0;color:#b8c0cc;font-size:12px}
main{padding:20px 28px;display:grid;grid-template-columns:repeat(auto-fit,minmax(580px,1fr));gap:18px}
section{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 2px rgba(0,0,0,.08);
  overflow-x:auto}
section.wide{grid-column:1/-1}
h2{font-size:15px;margin:0 0 4px} .note{color:#5f6b7a;font-size:12px;margin:0 0 10px}
.kpis{display:flex;gap:14px;flex-wrap:wrap}
.kpi{background:#fff;border-radius:8px;padding:12px 18px;min-width:150px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.kpi b{display:block;font-size:24px} .kpi span{color:#5f6b7a;font-size:12px}
svg.chart{display:block;max-width:100%;height:auto}
svg .lbl{font-size:12px;fill:#1d2330} svg .val{font-size:11px;fill:#39414d}
svg .axis{font-size:11px;fill:#5f6b7a} svg .grid{stroke:#e3e6ea}
svg .badge{font-size:9.5px;font-weight:600;letter-spacing:.02em} svg .val.fail{fill:#c62828;font-weight:600}
.failed-runs{border-left:4px solid #c62828} .failed-runs li{margin:0 0 8px}
.failed-runs .why{display:block;color:#8e1b1b;font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap}
.kpi .why{display:block;color:#8e1b1b;font-size:11px;max-width:360px}
.legend{display:flex;gap:14px;font-size:12px;margin:4px 0 8px;color:#39414d}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e9ecef;vertical-align:top}
th{background:#f8f9fa;font-weight:600} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.uri{word-break:break-all;max-width:420px} code{font-size:11px}
.status-completed{color:#2e7d32} .status-failed{color:#c62828} .status-running{color:#ef8f00}
.empty{color:#5f6b7a;font-style:italic}
.hero{grid-column:1/-1;text-align:center;padding:60px 20px}
.hero h2{font-size:22px}
"""


def _page(title: str, subtitle: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{_esc(title)}</h1><p>{subtitle}</p></header>"
        f"<main>{body}</main></body></html>\n")


def _section(title: str, note: str, content: str, wide: bool = False, sid: str = "") -> str:
    cls = ' class="wide"' if wide else ""
    ident = f' id="{_esc(sid)}"' if sid else ""
    return f"<section{cls}{ident}><h2>{_esc(title)}</h2><p class=\"note\">{note}</p>{content}</section>"


def _pct(v: float) -> str:
    return f"{v * 100:.1f}%"


def render_dashboard(con, *, generated_at: dt.datetime | None = None, source: str = "",
                     suites: dict[str, dict] | None = None) -> str:
    """The whole dashboard page for the warehouse behind `con` (read-only use). `suites`
    (name -> GX suite JSON) give checks of one kind on one column their bounds in labels."""
    generated_at = generated_at or dt.datetime.now()
    subtitle = f"generated {_esc(generated_at.strftime('%Y-%m-%d %H:%M:%S'))}"
    if source:
        subtitle += f" from <code>{_esc(source)}</code>"
    data = load_data(con)
    if data is None:
        body = ('<section class="hero" id="no-runs"><h2>No runs yet</h2>'
                '<p class="note">The warehouse has no recorded runs. Run '
                '<code>newsflow run</code> (or <code>make run</code>) and build this page again.</p>'
                "</section>")
        return _page("newsflow data quality", subtitle, body)
    return _page("newsflow data quality", subtitle, _body(data, suites))


def _body(d: DashboardData, suites: dict[str, dict] | None = None) -> str:
    t = d.totals
    last = t["last_status"] or "?"
    last_run = d.runs[-1] if d.runs else None
    last_why = (f'<span class="why" id="kpi-last-error">{_esc(_cut(last_run[7], 160))}</span>'
                if last_run and last_run[2] in FAILED_STATUSES and last_run[7] else "")
    kpis = (
        '<div class="kpis wide" style="grid-column:1/-1" id="kpis">'
        f'<div class="kpi"><b id="kpi-runs">{t["runs"]:,}</b><span>runs</span></div>'
        f'<div class="kpi"><b id="kpi-articles">{t["articles"]:,}</b><span>articles in core.articles</span></div>'
        f'<div class="kpi"><b id="kpi-quarantined">{t["quarantined"]:,}</b><span>documents in quarantine</span></div>'
        f'<div class="kpi"><b id="kpi-removed">{t["removed_lines"]:,}</b><span>boilerplate lines removed</span></div>'
        f'<div class="kpi"><b class="status-{_esc(last)}">{_esc(last)}</b>'
        f'<span>last run, {_esc(_fmt_ts(t["last_started"]))}'
        f'{", " + _esc(_fmt_duration(last_run[8])) if last_run else ""}</span>{last_why}</div></div>')
    out = [kpis]
    failed = [r for r in d.runs if r[2] in FAILED_STATUSES]
    if failed:
        out.append(_section("Failed runs", f"{len(failed)} of the last {len(d.runs)} runs did not "
                            "finish; what they loaded before stopping stays loaded, newest first",
                            _failed_runs(failed), wide=True, sid="failed-runs"))
    keys = [(suite, name, sev) for suite, name, sev, *_ in d.expectations]
    keys += [(suite, name, sev) for _, suite, name, sev, *_ in d.per_run]
    labels = expectation_labels(sorted(set(keys)), suites)

    legend = _legend([("loaded", COLORS["loaded"]), ("skipped (already loaded)", COLORS["skipped"]),
                      ("quarantined", COLORS["quarantined"]),
                      ("seen, not loaded (failed run)", COLORS["unloaded"])])
    out.append(_section("Documents per run", f"the last {len(d.runs)} runs, oldest on the left, "
                        "with their duration; hover a bar for the run id and, for a failed run, why",
                        legend + runs_chart(d.runs), wide=True, sid="runs"))

    out.append(_section(
        "Pass rate per run", "each expectation (rows, most failures first, with its severity) in each "
        "of the recent runs (columns, oldest on the left; hover a cell for the run): green all rows "
        "passed, through amber to red at 90 % and below; grey: not evaluated in that run",
        pass_rate_grid(d.runs, d.per_run, labels=labels), wide=True, sid="pass-grid"))

    exp_bars = []
    for suite, name, sev, elements, unexpected, n_runs, failed_runs in d.expectations:
        rate = 1.0 - (unexpected / elements) if elements else (0.0 if failed_runs else 1.0)
        tip = (f"{suite}: {name} [{sev}]\npass rate {_pct(rate)}: {unexpected:,} of {elements:,} rows "
               f"failed; failed in {failed_runs} of {n_runs} runs")
        exp_bars.append((labels[(suite, name, sev)], rate, sev, tip))
    exp_bars.sort(key=lambda b: (b[1], b[0]))
    out.append(_section(
        "Pass rate per expectation", "rows passing each expectation over all recorded runs, worst "
        "first; a <b>critical</b> failure quarantines the document, a <b>warning</b> loads it and is recorded",
        _legend([("rows passing", COLORS["pass"]), ("rows failing", COLORS["fail"])])
        + pass_rate_chart(exp_bars), wide=True, sid="expectations"))

    q_bars = [(f"{reason} ({stage})", n, COLORS["quarantined"]) for stage, reason, n in d.quarantine_reasons]
    out.append(_section("Quarantine reasons", "documents in dq.quarantine by reason and stage; "
                        "<code>newsflow quarantine</code> lists them",
                        hbar_chart(q_bars, chart_id="chart-quarantine"), sid="quarantine-reasons"))

    outlet_bars = [(name, n, COLORS["bar"]) for name, n in _top([(o, n) for o, n in d.by_outlet])]
    out.append(_section("Articles by outlet", "publisher detected for each article in core.articles",
                        hbar_chart(outlet_bars, chart_id="chart-outlets"), sid="outlets"))
    lang_bars = [(name, n, COLORS["bar"]) for name, n in _top([(lang, n) for lang, n in d.by_language])]
    out.append(_section("Articles by language", "ISO 639-1 code, <code>und</code> when undetermined",
                        hbar_chart(lang_bars, chart_id="chart-languages"), sid="languages"))

    bp_bars = [(o, share, COLORS["share"], f"{o}: {_pct(share)} of page lines' characters removed "
                f"(mean over {n} articles)") for o, share, n in d.boilerplate]
    out.append(_section("Boilerplate share by outlet", "mean share of each page's characters the "
                        "cleaner removed as chrome (menus, ads, cookie notices), for the outlets "
                        "with the most articles",
                        hbar_chart(bp_bars, chart_id="chart-boilerplate", max_value=1.0, fmt=_pct),
                        sid="boilerplate"))
    rl_bars = [(r, n, COLORS["skipped"]) for r, n in _top(list(d.removed_reasons))]
    out.append(_section("Removed lines by reason", "lines in core.removed_lines, by the cleaner's reason",
                        hbar_chart(rl_bars, chart_id="chart-removed"), sid="removed"))

    out.append(_section("Runs", "newest first", _runs_table(d.runs), sid="runs-table"))
    out.append(_section("Latest quarantined documents",
                        f"the {len(d.latest_quarantine)} most recent; all of them: "
                        "<code>newsflow quarantine</code> or <code>select * from dq.quarantine</code>",
                        _quarantine_table(d.latest_quarantine), wide=True, sid="quarantine-latest"))
    return "".join(out)


def _runs_table(runs: Sequence[tuple]) -> str:
    rows = []
    for run_id, started, status, seen, loaded, skipped, quarantined, error, seconds in reversed(list(runs)):
        rows.append(f'<tr><td><code title="{_esc(run_id)}">{_esc(str(run_id)[:8])}</code></td>'
                    f"<td>{_esc(_fmt_ts(started))}</td><td class=\"num\">{_esc(_fmt_duration(seconds))}</td>"
                    f"<td class=\"status-{_esc(status)}\">{_esc(status)}</td>"
                    f'<td class="num">{seen}</td><td class="num">{loaded}</td>'
                    f'<td class="num">{skipped}</td><td class="num">{quarantined}</td>'
                    f'<td class="run-error">{_esc(_cut(error or "", 300))}</td></tr>')
    return ('<table id="runs-tbl"><thead><tr><th>run</th><th>started</th><th class="num">took</th>'
            '<th>status</th><th class="num">seen</th><th class="num">loaded</th><th class="num">skipped</th>'
            '<th class="num">quarantined</th><th>why it failed</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _failed_runs(runs: Sequence[tuple]) -> str:
    items = []
    for run_id, started, status, seen, loaded, skipped, quarantined, error, seconds in reversed(list(runs)):
        items.append(
            f'<li class="failed-run" data-run-id="{_esc(run_id)}"><b class="status-{_esc(status)}">✕ {_esc(status)}</b> '
            f"run <code>{_esc(str(run_id)[:8])}</code>, started {_esc(_fmt_ts(started))}, "
            f"after {_esc(_fmt_duration(seconds))}: saw {seen:,} documents, loaded {loaded:,}, "
            f"skipped {skipped:,}, quarantined {quarantined:,}"
            f'<span class="why">{_esc(error or "no reason was recorded")}</span></li>')
    return '<ul class="failed-runs" id="failed-runs-list" style="list-style:none;padding-left:12px">' + "".join(items) + "</ul>"


def _failed_list(raw) -> str:
    if not raw:
        return ""
    try:
        names = json.loads(raw)
        if isinstance(names, list):
            return ", ".join(map(str, names))
    except ValueError:
        pass
    return str(raw)


def _quarantine_table(rows: Sequence[tuple]) -> str:
    if not rows:
        return '<p class="empty">nothing quarantined</p>'
    body = []
    for at, source_uri, stage, reason, detail, failed in rows:
        body.append(f"<tr><td>{_esc(_fmt_ts(at))}</td><td class=\"uri\">{_esc(source_uri)}</td>"
                    f"<td>{_esc(stage)}</td><td><code>{_esc(reason)}</code></td>"
                    f"<td>{_esc(_cut(detail or '', 200))}</td><td>{_esc(_failed_list(failed))}</td></tr>")
    return ('<table id="quarantine-tbl"><thead><tr><th>when</th><th>source</th><th>stage</th>'
            '<th>reason</th><th>detail</th><th>failed expectations</th></tr></thead><tbody>'
            + "".join(body) + "</tbody></table>")


# ---------------------------------------------------------------- I/O

def load_suite_files(expectations_dir: Path | None) -> dict[str, dict]:
    """The GX suites by name (for labels); none when the folder is missing or unreadable."""
    if not expectations_dir:
        return {}
    from flows.stages.validate.articles import load_suites

    try:
        return load_suites(Path(expectations_dir))
    except (OSError, ValueError) as exc:
        log.warning("dashboard labels without the suites in %s: %s", expectations_dir, exc)
        return {}


def save_dashboard(con, out_path: Path, *, source: str = "", expectations_dir: Path | None = None) -> Path:
    """Render with an open connection (e.g. the run's own writer, before it closes: DuckDB
    will not open a second, read-only connection to the file in the same process) and
    write the page atomically to `out_path`."""
    out_path = Path(out_path)
    _write_atomic(out_path, render_dashboard(con, source=source, suites=load_suite_files(expectations_dir)))
    log.info("dashboard written to %s", out_path)
    return out_path


def write_dashboard(warehouse_path: Path, out_path: Path | None = None, *, wait_s: float = 30.0,
                    expectations_dir: Path | None = None) -> Path:
    """Render the dashboard of the warehouse at `warehouse_path` into `out_path` (default:
    `Settings.dashboard_path`, `<stem>.reports/dashboard.html` beside the warehouse) and
    return that path. `expectations_dir`: the suites, for labels (default: the project's).

    The warehouse is opened read-only; while a run holds it, `flows.store.warehouse.connect`
    retries with backoff for `wait_s` and then raises `WarehouseBusy` saying what to do.
    A warehouse that does not exist yet gives the "no runs yet" page.
    """
    from dataclasses import replace

    from flows.store import warehouse as wh
    from flows.config import Settings

    warehouse_path = Path(warehouse_path)
    settings = replace(Settings(), warehouse=warehouse_path)
    out_path = Path(out_path) if out_path else settings.dashboard_path
    suites = load_suite_files(expectations_dir or settings.expectations_dir)
    if warehouse_path.exists():
        with wh.open_warehouse(warehouse_path, read_only=True, wait_s=wait_s) as con:
            page = render_dashboard(con, source=str(warehouse_path), suites=suites)
    else:
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            page = render_dashboard(con, source=str(warehouse_path), suites=suites)
        finally:
            con.close()
    _write_atomic(out_path, page)
    log.info("dashboard written to %s", out_path)
    return out_path


def _umask() -> int:
    """The process's umask, read without setting it (os.umask would change it for every
    thread for an instant, e.g. the one writing Data Docs)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a page.
    The page gets the mode of a file the user creates (0644 under the usual umask 022):
    mkstemp's own 0600 kept a shared dashboard from everyone but its writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dashboard-", suffix=".html", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
