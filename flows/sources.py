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
import re
import zlib
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


def display_path(path: str) -> str:
    """`path` as valid Unicode, for everything that stores or shows it.

    Why: on Linux a file name is bytes, and Python hands a name that is not UTF-8 over with
    its bad bytes as lone surrogates (`'caf\\udce9.txt'`); DuckDB refuses such a string, and
    one such file used to fail every run. The display form escapes the bytes (`caf\\xe9.txt`),
    stays readable and is stable from run to run; the file is opened by its real path."""
    if _SURROGATE_RE.search(path) is None:
        return path
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file system decode made
        raw = path.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def valid_text(value: str) -> str:
    """`value` with every lone surrogate replaced by U+FFFD.

    Why: JSON may spell a lone surrogate (`"\\ud800"`) and `json.loads` keeps it; such a
    string cannot be encoded as UTF-8, so it fails DuckDB (and any UTF-8 writer) later, far
    from the input that held it. Pairs are already joined by the JSON decoder."""
    if _SURROGATE_RE.search(value) is None:
        return value
    return _SURROGATE_RE.sub("\ufffd", value)


def _walk_files(root: str) -> list[str]:
    """Every file below `root` (not in dot-folders, dot-files left out), sorted as paths.

    Why `os.walk` and not `Path.rglob`: rglob silently skips a folder it cannot list and
    drops a dangling symlink. Here an unlistable folder and a dangling symlink are listed
    anyway, so the read stage quarantines them with their reason instead of losing them.
    Symlinked folders are not followed (a link loop cannot recurse); they are logged."""
    found: list[str] = []
    linked_dirs: list[str] = []

    def unlistable(exc: OSError) -> None:
        if exc.filename and os.path.abspath(exc.filename) != os.path.abspath(root):
            found.append(exc.filename)
        else:
            raise exc

    for folder, dirs, names in os.walk(root, onerror=unlistable):
        keep = []
        for d in dirs:
            if d.startswith("."):
                continue
            if os.path.islink(os.path.join(folder, d)):
                linked_dirs.append(os.path.join(folder, d))
            else:
                keep.append(d)
        dirs[:] = keep
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(folder, name)
            # Regular files, and symlinks whose target is gone or loops (read names why);
            # sockets, FIFOs and devices are not documents (a FIFO would block the read).
            if os.path.isfile(full) or (os.path.islink(full) and not os.path.exists(full)):
                found.append(full)
            else:
                log.info("%s: not a regular file, left out", display_path(full))
    if linked_dirs:
        logging.getLogger("newsflow").info(
            "%s: not following %d symlinked folder(s): %s", display_path(root), len(linked_dirs),
            ", ".join(display_path(d) for d in sorted(linked_dirs)[:5]))
    return sorted(found, key=lambda p: Path(p).parts)


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> list[str]:
    """Every input file (absolute, sorted per input, de-duplicated), without reading any.

    Raises InputError for an input that matches nothing, so a typo in a scheduled job fails
    loudly instead of loading zero documents. Paths are returned as the OS gives them (a
    name that is not UTF-8 holds surrogate escapes); `display_path` makes them storable.
    """
    out: list[str] = []
    seen: set[str] = set()
    for item in inputs:
        item = os.fspath(item)
        if isinstance(item, bytes):
            item = os.fsdecode(item)
        if os.path.isdir(item):
            files = _walk_files(item)
            notes = [p for p in files if os.path.basename(p).lower().endswith(NOTE_SUFFIXES)]
            if notes:
                logging.getLogger("newsflow").info(
                    "%s: leaving out %d notes/metadata files (%s)", display_path(item), len(notes),
                    ", ".join(sorted({Path(display_path(p)).suffix for p in notes})))
            # Anything else in a crawl folder is a document: a page with an odd name is
            # read, and a stray PDF or image is quarantined with its reason, not dropped.
            note_set = set(notes)
            paths = [p for p in files if p not in note_set]
        elif os.path.isfile(item):
            paths = [item]
        else:
            paths = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not paths:
                raise InputError(f"input {display_path(item)!r} is not a file, a directory or a "
                                 "glob that matches any file; check the path")
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
        name = display_path(path)
        if kind == "page":
            yield SourceRef(source_uri=name, url=manifests.url_for(path),
                            path=path if name != path else None)
            continue
        # One container must never end the listing (and the run): an unexpected error
        # while reading it becomes one quarantine row, and the next input is listed.
        try:
            if kind == "warc":
                yield from iter_warc(path, max_bytes, stats)
            else:
                yield from iter_jsonl(path, max_bytes)
        except Exception as exc:
            log.exception("stopped reading %s", name)
            yield SourceRef(source_uri=f"{name}#error", container=name, record="error",
                            problem=(f"error_{type(exc).__name__}", str(exc)[:500]))


# ---------------------------------------------------------------- sidecar manifest

class ManifestIndex:
    """URLs from `urls.tsv` files, looked up from a page's folder upwards, read once each."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, str]] = {}

    def _load(self, folder: str) -> dict[str, str]:
        if folder not in self._cache:
            self._cache[folder] = self._parse(folder)
        return self._cache[folder]

    @staticmethod
    def _parse(folder: str) -> dict[str, str]:
        """The manifest's file -> url lines. File names are decoded as the OS decodes names
        (a Latin-1 name still matches its file); URLs as UTF-8 with bad bytes replaced. An
        unreadable manifest gives no URLs (logged), never a failed run."""
        mapping: dict[str, str] = {}
        mf = os.path.join(folder, MANIFEST_NAME)
        if not os.path.isfile(mf):
            return mapping
        try:
            with open(mf, "rb") as f:
                lines = f.read(64 * 1024 * 1024).splitlines()
        except OSError as exc:
            log.warning("cannot read %s (pages below get no url): %s", display_path(mf), exc)
            return mapping
        for raw in lines:
            if not raw.strip() or raw.lstrip().startswith(b"#") or b"\t" not in raw:
                continue
            name, url = raw.split(b"\t", 1)
            name = os.fsdecode(name.strip())
            url = url.strip().decode("utf-8", "replace")
            if name and url:
                mapping[os.path.normpath(os.path.join(folder, name))] = url
        return mapping

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

    name = display_path(path)
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield SourceRef(source_uri=name, problem=(os_error_reason(exc, path), str(exc)))
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
                                    container=name, record=str(offset),
                                    problem=("corrupt_record", f"{type(exc).__name__}: {exc}"[:500]))
                    continue
                offset = it.get_record_offset()
                yield SourceRef(source_uri=f"{name}#{offset}", url=target, content_type_hint=ctype,
                                container=name, record=str(offset), payload=data)
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            # Truncated or not a WARC at all: everything before this point was yielded.
            log.warning("stopped reading %s: %s", name, exc)
            yield SourceRef(source_uri=f"{name}#error", container=name,
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
    name = display_path(path)
    try:
        f = _open_text_lines(path)
    except OSError as exc:
        yield SourceRef(source_uri=name, problem=(os_error_reason(exc, path), str(exc)))
        return
    with f:
        line_no = 0
        try:
            while True:
                raw = f.readline(line_cap)
                if not raw:
                    break
                line_no += 1
                uri = f"{name}#L{line_no}"
                if not raw.endswith(b"\n") and len(raw) >= line_cap:
                    while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                        pass
                    yield SourceRef(source_uri=uri, container=name, record=f"L{line_no}",
                                    problem=("too_large", f"JSON line longer than {line_cap} bytes"))
                    continue
                if not raw.strip():
                    continue
                yield _jsonl_ref(raw, uri, name, line_no, max_bytes)
        except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            reason = ("corrupt_gzip" if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile))
                      else os_error_reason(exc, path))
            yield SourceRef(source_uri=f"{name}#L{line_no + 1}", container=name,
                            record=f"L{line_no + 1}",
                            problem=(reason, f"{type(exc).__name__}: {exc}"[:500]))


def os_error_reason(exc: OSError, path: str) -> str:
    """A snake_case reason for a file that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        # Listed, then gone: a dangling symlink, or a file removed while the run went on.
        return "broken_symlink" if os.path.islink(path) else "file_missing"
    if isinstance(exc, PermissionError):
        return "permission_denied"
    if isinstance(exc, IsADirectoryError):
        return "unreadable_directory"
    if getattr(exc, "errno", None) == 40:  # ELOOP: a symlink that points at itself
        return "broken_symlink"
    return "unreadable_file"


def _jsonl_ref(raw: bytes, uri: str, name: str, line_no: int, max_bytes: int) -> SourceRef:
    rec = f"L{line_no}"
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: `[[[[...` nested too deep
        return SourceRef(source_uri=uri, container=name, record=rec,
                         problem=("bad_json_record", f"{type(exc).__name__}: {exc}"[:500]))
    if not isinstance(obj, dict):
        return SourceRef(source_uri=uri, container=name, record=rec,
                         problem=("bad_json_record", "the line is not a JSON object"))
    url = valid_text(obj["url"]) if isinstance(obj.get("url"), str) else None
    for key, ctype in (("html", "html"), ("text", "text")):
        if isinstance(obj.get(key), str):
            payload = valid_text(obj[key]).encode("utf-8")
            if len(payload) > max_bytes:  # the parsed payload is capped like any file
                return SourceRef(source_uri=uri, url=url, container=name, record=rec,
                                 problem=("too_large", f"'{key}' is {len(payload)} bytes, "
                                                       f"more than {max_bytes}"))
            return SourceRef(source_uri=uri, url=url, content_type_hint=ctype, container=name,
                             record=rec, payload=payload)
    return SourceRef(source_uri=uri, url=url, container=name, record=rec,
                     problem=("bad_json_record", "the object has neither an 'html' nor a 'text' string"))
