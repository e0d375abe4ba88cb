"""Validate stage: run the Great Expectations suites in `expectations/` on each batch.

Suites are GX 1.x JSON files, one per table, named after it (`core.articles.json`). Each
expectation carries GX's own `severity` (critical sends the failing documents to
quarantine; warning loads them and records the failure) and `meta.why`.

GX validates a frame of just the columns the expectations need (lengths and flags, not
the article text): GX hashes the whole frame it is given, and hashing a text column
costs more than the checks themselves.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from html.entities import html5
from pathlib import Path
from typing import Iterable, Sequence

from flows.records import Article, Rejection

log = logging.getLogger(__name__)

STAGE = "validate"
EARLIEST_DATE = "1990-01-01"  # before the web, a publication date is a misparse


def _tag_re() -> re.Pattern:
    """A tag of a real HTML element, as left over in extracted text.

    Why the element list: angle brackets are also prose. Korean and Chinese texts put
    titles of works in them ("<The Palace: Tale of Jang Noksu>"), and a pattern for any
    `<word ...>` quarantined such articles. A tag name must be a known element (lxml's
    lists, plus the newer elements they lack) written in one case, as markup is ("<p>",
    "<BR>"); "<Big Fish>" is a title.
    """
    from lxml.html import defs

    names = set(defs.tags) | set(defs.html5_tags) | set(defs.frame_tags) | {
        "main", "picture", "template", "dialog", "data", "search", "slot"}
    alternatives = sorted(names | {n.upper() for n in names}, key=lambda n: (-len(n), n))
    return re.compile(rf"</?(?:{'|'.join(alternatives)})(?:\s[^<>]*)?/?>")


TAG_RE = _tag_re()
# A character reference: numeric, or a name checked against HTML5's list ("AT&T;" is not one).
ENTITY_RE = re.compile(r"&(#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_ENTITY_NAMES = frozenset(n[:-1] for n in html5 if n.endswith(";"))
# UTF-8 decoded with the wrong single-byte table leaves a lead character from the table's
# upper half followed by the table's characters for the continuation bytes 0x80-0xBF.
_CP1252_CONT = "\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ�"
_MACROMAN_CONT = bytes(range(0x80, 0xC0)).decode("mac_roman")  # ÄÅÇÉ ... Ωæø
# Strong: one is enough. Curly quotes, dashes and ellipses (E2 80 xx) read as cp1252/Latin-1
# ("â€™", "â€œ"; Latin-1 leaves C1 controls: "â\\x80\\x99") or as Mac Roman ("‚Äô", "‚Äú"); no language writes these pairs.
MOJIBAKE_STRONG_RE = re.compile(rf"â€[{_CP1252_CONT}]|â[\x80-\x9f][\x80-\xbf]|‚Ä[{_MACROMAN_CONT}]")
# Weak: letters of the Latin-1 block and Cyrillic (C2/C3/D0/D1 xx) read as cp1252 ("Ã©",
# "Ð¿", "Â°") or Mac Roman ("√©", "¬∞", Cyrillic "–ø", CJK/Indic "„Å°", "‡¶¨"). A single one can be real ("√π" in a formula,
# Portuguese "Ã" before a symbol), so it takes two to call a text mojibake.
MOJIBAKE_WEAK_RE = re.compile(
    r"Ã[\x80-\xbf©¨ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿¡¢£¤¥¦§ ]|Ð[\x80-\xbf°±²³´µ¶·¸¹º»¼½¾¿]|Â[\xa0-\xbf]"
    rf"|[√¬–—][{_MACROMAN_CONT}]|[‡„‰][{_MACROMAN_CONT}]{{2}}")

def load_suites(expectations_dir: Path) -> dict[str, dict]:
    """Every suite file, by suite name (= file stem). A suite whose name does not match its
    file is an error: the file name is how users find the rules for a table."""
    suites = {}
    for f in sorted(Path(expectations_dir).glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if data.get("name") != f.stem:
            raise ValueError(f"{f}: suite name {data.get('name')!r} must equal the file stem {f.stem!r}")
        suites[f.stem] = data
    return suites


def has_markup(text: str) -> bool:
    """Whether text still holds HTML: an element's tag or a character reference."""
    if TAG_RE.search(text):
        return True
    return any(m[0] == "#" or m in _ENTITY_NAMES for m in ENTITY_RE.findall(text))


def markup_tokens(text: str) -> list[str]:
    """The tags and character references in `text`, whitespace collapsed."""
    tags = [" ".join(m.group().split()) for m in TAG_RE.finditer(text)]
    refs = [m.group() for m in ENTITY_RE.finditer(text)
            if m.group(1)[0] == "#" or m.group(1) in _ENTITY_NAMES]
    return tags + refs


# Plain text where tags and references make up this share of the characters is an HTML
# document or fragment that was never parsed, not prose that quotes some markup.
MARKUP_DOMINATED = 0.5


def markup_share(text: str) -> float:
    """Characters inside tags and character references over all non-space characters."""
    chars = len("".join(text.split()))
    if not chars:
        return 0.0
    inside = sum(len("".join(t.split())) for t in markup_tokens(text))
    return inside / chars


class MarkupCheck:
    """Whether markup in a document's extracted text leaked from its source, as the
    `markup_in_text` checks mean it: unparsed HTML in the output, not markup the page
    shows as text (an embed code in a textarea, a tutorial's `<div>`, a double-escaped
    `&amp;amp;`, all of which parsing decodes into text nodes).

    * HTML source: a tag or reference is leaked unless it occurs in the source's own text
      once parsed (its rendered visible text, and its meta values), whitespace collapsed.
    * Plain-text source: the text is the page's visible text as a scraper rendered it, so
      quoted markup is text; the document is unparsed HTML only when markup dominates its
      article text (`MARKUP_DOMINATED`).

    One instance per document: the source is parsed at most once, and only when the output
    has markup at all (rare). `source` may be the page's UTF-8 bytes (a packed document's
    form), decoded only then."""

    def __init__(self, content_type: str, source: str | bytes, article_text: str,
                 max_chars: int = 5_000_000):
        self.content_type, self.source, self.article_text = content_type, source, article_text
        self.max_chars = max_chars
        self._visible: str | None = None

    def visible(self) -> str:
        if self._visible is None:
            from flows.stages.clean._render import parse_html, render_lines

            source = self.source
            if isinstance(source, bytes):
                source = source.decode("utf-8", "surrogatepass")
            root = parse_html(source, self.max_chars)
            parts = [] if root is None else render_lines(root) + [
                str(v) for v in root.xpath("//meta/@content")]  # og:title and friends
            self._visible = " ".join(" ".join(parts).split())
        return self._visible

    def leaked(self, text: str | None) -> bool:
        if not text or not has_markup(text):
            return False
        if self.content_type != "html":
            return markup_share(self.article_text) >= MARKUP_DOMINATED
        visible = self.visible()
        return any(tok not in visible for tok in markup_tokens(text))


_MOJIBAKE_LEADS = ("â", "Ã", "Ð", "Â", "‚", "√", "¬", "–", "—", "‡", "„", "‰")  # every MOJIBAKE_STRONG_RE / _WEAK_RE match starts with one


def _lead_positions(text: str) -> list[int]:
    """Every position of a mojibake lead character in `text`, ascending.

    Why `str.find` per lead and not a regex over a character class: `re` tests the class
    at every position (~2.5 ms on a 180 KB page, most of the check's cost), while `find`
    is a C search that skips ahead; real pages hold a few leads (mostly dashes)."""
    out: list[int] = []
    for lead in _MOJIBAKE_LEADS:
        i = text.find(lead)
        while i >= 0:
            out.append(i)
            i = text.find(lead, i + 1)
    out.sort()
    return out


def has_mojibake(text: str) -> bool:
    """Whether `text` shows UTF-8 decoded as cp1252/Latin-1 or Mac Roman.

    Why two strengths: the punctuation sequences ("â€™", "‚Äú") never occur in real text,
    so one is proof (a story with one mangled apostrophe is still mangled); a mangled
    letter ("Ã©", "√©") is only proof when it repeats. Checked against the 20+ languages of
    the shared corpora: no real page matches.

    Why the scan from lead characters: every read page is checked, and the patterns'
    alternations of character classes make `re` try each branch at every position (5 ms
    on a 180 KB page); jumping to the few lead characters (`_lead_positions`) and matching
    there finds the same matches, counted without overlap as `findall` would."""
    if not any(c in text for c in _MOJIBAKE_LEADS):  # a substring test is ~50x the regex
        return False
    weak, weak_end = 0, 0
    for pos in _lead_positions(text):
        if MOJIBAKE_STRONG_RE.match(text, pos):
            return True
        if pos >= weak_end and (m := MOJIBAKE_WEAK_RE.match(text, pos)):
            weak, weak_end = weak + 1, m.end()
            if weak >= 2:
                return True
    return False


def outlet_status(a: Article) -> str:
    if a.outlet is None:
        return "unknown"
    return "registered" if a.outlet.registered else "unregistered"


def article_frame(articles: Sequence[Article]):
    """The columns the articles suite checks, one row per article, in batch order."""
    import pandas as pd

    from flows.stages.load import boilerplate_share
    from flows.stages.words import word_count

    rows = []
    for a in articles:
        p = a.page
        text = p.text
        date = None
        if p.published_date:
            try:
                date = pd.Timestamp(dt.date.fromisoformat(p.published_date[:10]))
            except ValueError:
                date = pd.NaT
        markup = MarkupCheck(p.doc.content_type, p.doc.content_utf8, text)
        rows.append({
            "doc_id": a.doc_id,
            "title": p.title,
            "title_length": len(p.title) if p.title else 0,
            "language": a.language,
            "language_confidence": float(a.language_confidence),
            "word_count": word_count(text),
            "char_count": len(text),
            "paragraph_count": len(p.paragraphs),
            "boilerplate_share": boilerplate_share(a),
            "published_date": date,
            "outlet_status": outlet_status(a),
            "has_markup": markup.leaked(text) or markup.leaked(p.title),
            "has_mojibake": has_mojibake(text) or has_mojibake(p.title or ""),
        })
    frame = pd.DataFrame(rows)
    if not rows:
        return frame
    frame["published_date"] = pd.to_datetime(frame["published_date"])
    return frame


@dataclass
class ValidationOutcome:
    kept: list[Article] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    failed_expectations: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> names
    results: list[dict] = field(default_factory=list)  # one per expectation, for dq.validation_results


def expectation_name(config) -> str:
    col = config.kwargs.get("column")
    return f"{config.type}({col})" if col else config.type


class Validator:
    """A GX ephemeral context with the suites registered once per run (creating a context
    and its data source per batch would dominate the cost of small batches).

    Why `run` validates a batch twice, cheaply then in full where needed: GX's cost per
    suite run is mostly fixed work per metric (building each expectation's metric graph),
    not the rows, and the COMPLETE result format asks each expectation for six metrics where
    BASIC asks for four. Most expectations pass, and a passing expectation's BASIC result is
    what COMPLETE says of it minus empty lists (no unexpected values, no failing rows). So the
    suite runs in BASIC, and only the expectations that failed run again in COMPLETE on the
    same batch, their results taking the BASIC ones' places: the verdicts, the failing rows
    (by doc_id) and the counts are GX's COMPLETE ones, at about 70 % of the CPU.

    Why `Batch.validate` and not `ValidationDefinition.run`: the latter checks the suite and
    definition against the context's stores (`is_fresh`) and serialises every result into the
    context's in-memory store on each call, for Data Docs to read back once at the end. The
    results are kept here instead (`results`, in run order) and stored once per run, by
    `flows.reports.datadocs.build_data_docs`, with the metadata `ValidationDefinition.run`
    gives them (run id, validation time, validation definition id)."""

    def __init__(self, suites: dict[str, dict], today: dt.date | None = None,
                 run_name: str | None = None):
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.today = today or dt.date.today()
        # GX's run name of every result (the newsflow run id): Data Docs group by it.
        self.run_name = run_name
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        # GX pins this module's logger to INFO at import ("Created temporary directory ...").
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("newsflow")
        self.definitions = {}
        self.results: list = []  # every suite result of the run, for Data Docs
        for name, data in suites.items():
            suite = self.context.suites.add(ExpectationSuite(**data))
            batch_def = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            self.definitions[name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch_def, suite=suite))

    def run(self, suite_name: str, frame):
        """GX's result of the suite on `frame`: BASIC for the expectations that pass, COMPLETE
        (failing rows named by the frame's id column) for those that fail."""
        import datetime as _dt

        import pandas as pd
        from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.core.run_identifier import RunIdentifier

        definition = self.definitions[suite_name]
        params = {"today": pd.Timestamp(self.today), "earliest_date": pd.Timestamp(EARLIEST_DATE)}
        complete = result_format(frame)
        batch = definition.data.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(definition.suite, result_format=dict(complete, result_format="BASIC"),
                                expectation_parameters=params)
        failed = [er.expectation_config.id for er in result.results if not er.success]
        if failed:
            # GX orders results by its metric graph, not by the suite: match them by id.
            by_id = {e.id: e for e in definition.suite.expectations}
            if None in failed or not set(failed) <= set(by_id):  # unmatched: all in full
                failed = list(by_id)
            detail = batch.validate(
                ExpectationSuite(name=suite_name,
                                 expectations=[by_id[i].configuration for i in failed]),
                result_format=complete, expectation_parameters=params)
            full = {er.expectation_config.id: er for er in detail.results}
            result.results = [full.get(er.expectation_config.id, er) for er in result.results]
        run_id = RunIdentifier(run_name=self.run_name,
                               run_time=_dt.datetime.now(_dt.timezone.utc))
        result.meta.update({"validation_id": definition.id, "checkpoint_id": None, "run_id": run_id,
                            "validation_time": run_id.run_time,
                            "batch_parameters": {"dataframe": DATAFRAME_REPLACEMENT_STR}})
        self.results.append(result)
        return result


# The column that names a row to a person, by preference: GX reports failing rows by it
# (`unexpected_index_list` of {column: value, <id>: ...}) instead of batch positions.
ID_COLUMNS = ("doc_id", "outlet_key")


def result_format(frame) -> dict:
    """GX's COMPLETE result format, with failing rows identified by the frame's id column."""
    fmt = {"result_format": "COMPLETE"}
    ids = [c for c in ID_COLUMNS if c in getattr(frame, "columns", ())][:1]
    if ids:
        fmt["unexpected_index_column_names"] = ids
    return fmt


_QUERY_ITEMS_RE = re.compile(r"items=\[([^\]]*)\]")


def unexpected_rows(res: dict) -> list[int]:
    """Positions in the validated frame of the rows an expectation failed.

    GX lists them as positions (`unexpected_index_list` of ints) unless the result format
    names id columns; then that list holds {column: value, id: ...} rows and the positions
    are in GX's pandas query, `df.filter(items=[3, 7], axis=0)`."""
    listed = res.get("unexpected_index_list") or []
    out = []
    for idx in listed:
        if isinstance(idx, dict):
            idx = idx.get("index", idx.get("pk_index"))
        try:
            out.append(int(idx))
        except (TypeError, ValueError):
            break
    else:
        return out
    m = _QUERY_ITEMS_RE.search(str(res.get("unexpected_index_query") or ""))
    if not m:
        if listed:
            log.warning("GX named %d failing rows without their positions", len(listed))
        return []
    return [int(x) for x in m.group(1).split(",") if x.strip().lstrip("-").isdigit()]


def raised(info) -> bool:
    """Whether GX reports an exception for a result (flat, or nested per metric)."""
    if not info:
        return False
    if isinstance(info, dict) and "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(raised(v) for v in info.values()) if isinstance(info, dict) else False


def _severity(config) -> str:
    sev = getattr(config, "severity", None)
    return str(getattr(sev, "value", sev) or "critical").lower()


def validate_articles(articles: Sequence[Article], validator: Validator,
                      suite_name: str = "core.articles") -> ValidationOutcome:
    """Validate a batch; critical failures go to quarantine with the expectations they failed."""
    out = ValidationOutcome()
    if not articles:
        return out
    frame = article_frame(articles)
    result = validator.run(suite_name, frame)
    failing: dict[int, list[str]] = {}
    for er in result.results:
        cfg = er.expectation_config
        sev = _severity(cfg)
        res = er.result or {}
        exc = raised(er.exception_info)
        out.results.append({
            "suite": suite_name, "expectation": expectation_name(cfg), "expectation_type": cfg.type,
            "column_name": cfg.kwargs.get("column"), "severity": sev, "success": bool(er.success),
            "observed_value": None if res.get("observed_value") is None else str(res.get("observed_value")),
            "element_count": res.get("element_count", len(frame)),
            "unexpected_count": res.get("unexpected_count", 0 if er.success else None),
        })
        if exc:
            log.warning("expectation %s raised: %s", expectation_name(cfg), er.exception_info)
        if sev == "critical" and not er.success:
            # A critical expectation that could not be evaluated (bad kwargs, a type clash)
            # names no rows; it holds back the whole batch rather than letting it pass unchecked.
            rows = (range(len(articles)) if exc else
                    blamed_rows(cfg, frame, unexpected_rows(res)))
            reason = "validation_error" if exc else (cfg.meta or {}).get("quarantine_reason")
            for idx in rows:
                failing.setdefault(int(idx), []).append((expectation_name(cfg), reason))
    for i, a in enumerate(articles):
        if i in failing:
            names = [name for name, _ in failing[i]]
            reason = failing[i][0][1] or "failed_" + _short(names[0])
            out.failed_expectations[a.doc_id] = names
            out.rejected.append(Rejection(a.doc_id, a.page.doc.source_uri, STAGE, reason,
                                          "failed critical expectations: " + ", ".join(names)))
        else:
            out.kept.append(a)
    return out


def blamed_rows(config, frame, indices: Iterable[int]) -> list[int]:
    """The rows of `frame` a failed expectation holds responsible. A uniqueness check
    reports every row of a repeated value, but the first of them is as good as the value's
    only row would be: only the rows that made it repeat caused the failure, so only their
    articles go, and the first one's load (as the warehouse's key would keep it)."""
    rows = [int(i) for i in indices]
    if "unique" not in config.type:
        return rows
    cols = list(config.kwargs.get("column_list") or [config.kwargs.get("column")])
    if not cols or any(c not in frame.columns for c in cols):
        return rows
    repeat = frame.duplicated(subset=cols, keep="first")
    return [i for i in rows if 0 <= i < len(frame) and bool(repeat.iloc[i])]


def _short(name: str) -> str:
    """expect_column_values_to_be_in_set(language) -> language_in_set."""
    m = re.match(r"expect_column_values_to_(?:be_)?(\w+)\((\w+)\)", name)
    if m:
        return f"{m.group(2)}_{m.group(1)}"
    return name.removeprefix("expect_")


def merge_results(rows: Iterable[dict]) -> list[dict]:
    """Sum one run's per-batch results into one row per expectation."""
    merged: dict[tuple[str, str, str], dict] = {}
    for r in rows:
        key = (r["suite"], r["expectation"], r["severity"])
        if key not in merged:
            merged[key] = dict(r)
            continue
        m = merged[key]
        m["success"] = m["success"] and r["success"]
        m["element_count"] = (m["element_count"] or 0) + (r["element_count"] or 0)
        m["unexpected_count"] = (m["unexpected_count"] or 0) + (r["unexpected_count"] or 0)
        if r["observed_value"] is not None:
            m["observed_value"] = r["observed_value"]
    return list(merged.values())
