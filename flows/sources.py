"""Input formats: expand INPUTs into `SourceRef`s, lazily, one record at a time.

Supported inputs (files, directories searched recursively, or globs):

* pages: `.txt`, `.html`, `.htm`, `.xhtml`, each optionally `.gz`; the bytes are read later,
  batch by batch, by `flows.stages.read`.
* WARC: `.warc`, `.warc.gz`; every `response` record with HTTP status 200 and an HTML or
  text content type becomes one document; its `WARC-Target-URI` is the document's `url`, its
  `source_uri` is `<path>#<record offset>`.
* JSONL: `.jsonl`, `.jsonl.gz`, `.ndjson(.gz)`; one JSON object per line with `url` and
  `html` (or `text`); `source_uri` is `<path>#L<line number>`.
* a folder of pages with a sidecar manifest `urls.tsv`: one `file<TAB>url` line per page
  (file relative to the manifest's folder; blank lines and `#` comments ignored), which
  gives each page its `url`.

Container records carry their payload bytes inline (read capped at `max_bytes + 1`, so a
bomb never grows past the cap); a record that cannot be read carries a `problem` instead,
and the read stage turns it into a quarantine row. Records that are not documents at all
(WARC requests, redirects, images) are counted in `SourceStats.ignored`, never silently
dropped. Nothing here holds more than one record in memory.
"""
from __future__ import annotations

import glob
import gzip
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from flows.records import SourceRef

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
# In a directory, files with these endings are documentation or metadata, not pages.
NOTE_SUFFIXES = (".md", ".rst", ".json", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".log")
INPUT_SUFFIXES = (PAGE_SUFFIXES + tuple(s + ".gz" for s in PAGE_SUFFIXES)
                  + WARC_SUFFIXES + JSONL_SUFFIXES)
MANIFEST_NAME = "urls.tsv"
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class InputError(ValueError):
    """An INPUT argument that names nothing readable; the run cannot start."""


@dataclass
class SourceStats:
    """Container records that are not documents, by reason (`warc_status_404` ...)."""

    ignored: Counter = field(default_factory=Counter)


def input_kind(path: str) -> str:
    name = path.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return "page"


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> list[str]:
    """Every input file (absolute, sorted per input, de-duplicated), without reading any.

    Raises InputError for an input that matches nothing, so a typo in a scheduled job fails
    loudly instead of loading zero documents.
    """
    out: list[str] = []
    seen: set[str] = set()
    for item in inputs:
        item = str(item)
        if os.path.isdir(item):
            files = sorted(p for p in Path(item).rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(item).parts))
            notes = [p for p in files if p.name.lower().endswith(NOTE_SUFFIXES)]
            if notes:
                logging.getLogger("newsflow").info(
                    "%s: leaving out %d notes/metadata files (%s)", item, len(notes),
                         ", ".join(sorted({p.suffix for p in notes})))
            # Anything else in a crawl folder is a document: a page with an odd name is
            # read, and a stray PDF or image is quarantined with its reason, not dropped.
            paths = [str(p) for p in files if p not in notes]
        elif os.path.isfile(item):
            paths = [item]
        else:
            paths = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not paths:
                raise InputError(f"input {item!r} is not a file, a directory or a glob that "
                                 "matches any file; check the path")
        for p in paths:
            ap = os.path.abspath(p)
            if ap not in seen and os.path.basename(ap) != MANIFEST_NAME:
                seen.add(ap)
                out.append(ap)
    return out


def list_sources(inputs: Iterable[str | os.PathLike], *, max_bytes: int = DEFAULT_MAX_BYTES,
                 stats: SourceStats | None = None) -> Iterator[SourceRef]:
    """One SourceRef per document, yielded lazily in input order.

    The inputs are expanded (and checked: InputError) at once, before any record is read.
    """
    return _iter_sources(expand_inputs(inputs), max_bytes,
                         stats if stats is not None else SourceStats())


def _iter_sources(paths: list[str], max_bytes: int, stats: SourceStats) -> Iterator[SourceRef]:
    manifests = ManifestIndex()
    for path in paths:
        kind = input_kind(path)
        if kind == "warc":
            yield from iter_warc(path, max_bytes, stats)
        elif kind == "jsonl":
            yield from iter_jsonl(path, max_bytes)
        else:
            yield SourceRef(source_uri=path, url=manifests.url_for(path))


# ---------------------------------------------------------------- sidecar manifest

class ManifestIndex:
    """URLs from `urls.tsv` files, looked up from a page's folder upwards, read once each."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, str]] = {}

    def _load(self, folder: str) -> dict[str, str]:
        if folder not in self._cache:
            mapping: dict[str, str] = {}
            mf = os.path.join(folder, MANIFEST_NAME)
            if os.path.isfile(mf):
                with open(mf, encoding="utf-8") as f:
                    for line in f:
                        line = line.rstrip("\r\n")
                        if not line.strip() or line.lstrip().startswith("#") or "\t" not in line:
                            continue
                        name, url = line.split("\t", 1)
                        if name.strip() and url.strip():
                            mapping[os.path.normpath(os.path.join(folder, name.strip()))] = url.strip()
            self._cache[folder] = mapping
        return self._cache[folder]

    def url_for(self, path: str) -> str | None:
        folder = os.path.dirname(path)
        while True:
            url = self._load(folder).get(path)
            if url:
                return url
            parent = os.path.dirname(folder)
            if parent == folder:
                return None
            folder = parent


# ---------------------------------------------------------------- WARC

def _http_content_type(value: str | None):
    ctype = (value or "").split(";", 1)[0].strip().lower()
    if ctype in HTML_TYPES:
        return "html"
    if ctype in TEXT_TYPES:
        return "text"
    return None


def iter_warc(path: str, max_bytes: int, stats: SourceStats) -> Iterator[SourceRef]:
    """HTTP 200 HTML/text responses of a WARC file, one SourceRef per record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = path
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield SourceRef(source_uri=path, problem=("unreadable_file", str(exc)))
        return
    with f:
        it = ArchiveIterator(f)
        try:
            for record in it:
                if record.rec_type != "response":
                    continue
                target = record.rec_headers.get_header("WARC-Target-URI")
                if record.http_headers is None:
                    stats.ignored["warc_not_http"] += 1
                    continue
                status = record.http_headers.get_statuscode()
                if status != "200":
                    stats.ignored[f"warc_status_{status}"] += 1
                    continue
                ctype = _http_content_type(record.http_headers.get_header("Content-Type"))
                if ctype is None:
                    stats.ignored["warc_not_html_or_text"] += 1
                    continue
                # Read the payload before asking for the offset: warcio's get_record_offset
                # skips to the end of the current record.
                try:
                    data = record.content_stream().read(max_bytes + 1)
                except Exception as exc:  # a broken record must not end the crawl
                    offset = it.get_record_offset()
                    uri = f"{name}#{offset}"
                    yield SourceRef(source_uri=uri, url=target, content_type_hint=ctype,
                                    container=path, record=str(offset),
                                    problem=("corrupt_record", f"{type(exc).__name__}: {exc}"[:500]))
                    continue
                offset = it.get_record_offset()
                yield SourceRef(source_uri=f"{name}#{offset}", url=target, content_type_hint=ctype,
                                container=path, record=str(offset), payload=data)
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            # Truncated or not a WARC at all: everything before this point was yielded.
            log.warning("stopped reading %s: %s", path, exc)
            yield SourceRef(source_uri=f"{name}#error", container=path,
                            problem=("corrupt_warc", f"{type(exc).__name__}: {exc}"[:500]))


# ---------------------------------------------------------------- JSONL

def _open_text_lines(path: str):
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def iter_jsonl(path: str, max_bytes: int) -> Iterator[SourceRef]:
    """One SourceRef per JSON line with `url` and `html` or `text`."""
    # A JSON-escaped payload can be up to 6x its bytes; never hold more than that per line.
    line_cap = max_bytes * 6 + 65536
    try:
        f = _open_text_lines(path)
    except OSError as exc:
        yield SourceRef(source_uri=path, problem=("unreadable_file", str(exc)))
        return
    with f:
        line_no = 0
        try:
            while True:
                raw = f.readline(line_cap)
                if not raw:
                    break
                line_no += 1
                uri = f"{path}#L{line_no}"
                if not raw.endswith(b"\n") and len(raw) >= line_cap:
                    while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                        pass
                    yield SourceRef(source_uri=uri, container=path, record=f"L{line_no}",
                                    problem=("too_large", f"JSON line longer than {line_cap} bytes"))
                    continue
                if not raw.strip():
                    continue
                yield _jsonl_ref(raw, uri, path, line_no)
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            yield SourceRef(source_uri=f"{path}#L{line_no + 1}", container=path,
                            record=f"L{line_no + 1}",
                            problem=("corrupt_gzip", f"{type(exc).__name__}: {exc}"[:500]))


def _jsonl_ref(raw: bytes, uri: str, path: str, line_no: int) -> SourceRef:
    rec = f"L{line_no}"
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        return SourceRef(source_uri=uri, container=path, record=rec,
                         problem=("bad_json_record", str(exc)[:500]))
    if not isinstance(obj, dict):
        return SourceRef(source_uri=uri, container=path, record=rec,
                         problem=("bad_json_record", "the line is not a JSON object"))
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    for key, ctype in (("html", "html"), ("text", "text")):
        if isinstance(obj.get(key), str):
            return SourceRef(source_uri=uri, url=url, content_type_hint=ctype, container=path,
                             record=rec, payload=obj[key].encode("utf-8", errors="surrogatepass"))
    return SourceRef(source_uri=uri, url=url, container=path, record=rec,
                     problem=("bad_json_record", "the object has neither an 'html' nor a 'text' string"))
