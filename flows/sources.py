"""Input formats: expand INPUTs into `SourceRef`s, lazily, one record at a time.

Supported inputs (files, directories searched recursively, or globs):

* pages: `.txt`, `.html`, `.htm`, `.xhtml`, each optionally `.gz`; the bytes are read later,
  batch by batch, by `flows.stages.read`.
* WARC: `.warc`, `.warc.gz` (framed here, see `iter_warc`); every `response` record with HTTP status 200 and an HTML or
  text content type becomes one document; its `WARC-Target-URI` is the document's `url`, its
  `source_uri` is `<path>#<record offset>`.
* JSONL: `.jsonl`, `.jsonl.gz`, `.ndjson(.gz)`; one JSON object per line with `url` (or `metadata.url`) and
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
import io
import json
import logging
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
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
    from the input that held it. Pairs are already joined by the JSON decoder.

    The check is an encode, not a regex search: the codec stops at the first surrogate
    and passes a clean 180 KB page in a third of the time of the search."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE_RE.sub("\ufffd", value)
    return value


def _walk_files(root: str) -> list[str]:
    """Every file below `root` (not in dot-folders, dot-files left out), sorted as paths.

    Why `os.walk` and not `Path.rglob`: rglob silently skips a folder it cannot list and
    drops a dangling symlink. Here an unlistable folder and a dangling symlink are listed
    anyway, so the read stage quarantines them with their reason instead of losing them.
    Symlinked folders are not followed (a link loop cannot recurse); they are logged."""
    found: list[str] = []
    linked_dirs: list[str] = []

    def unlistable(exc: OSError) -> None:
        found.append(exc.filename or root)

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
        elif os.path.isfile(item) or os.path.islink(item):  # a dangling link: read says why
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


WARC_MAGIC = b"WARC/1."
_HEAD_CAP = 1 << 20  # WARC and HTTP header bytes allowed on top of `max_bytes`
_RECORD_START_RE = re.compile(rb"(?:\r?\n)(WARC/1\.[0-9]\r?\n)")


def iter_warc(path: str, max_bytes: int, stats: SourceStats) -> Iterator[SourceRef]:
    """HTTP 200 HTML/text responses of a WARC file, one SourceRef per record.

    The records are framed here, not by warcio's ArchiveIterator, because one bad record
    must cost only itself: the iterator loaded a cut record as complete, lost every record
    after a wrong Content-Length, and counted a file that is no WARC as ignored records.
    Here a record whose payload is shorter than its Content-Length (or whose gzip member
    ends early) is `truncated_record`; a Content-Length that does not end at a record
    boundary is `bad_content_length` and reading resumes at the next `WARC/1.` header (or,
    in `.warc.gz`, the next gzip member); a file that does not start as a WARC is `not_warc`.
    warcio still parses each record's headers and decodes its payload (chunked, gzip)."""
    name = display_path(path)
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield SourceRef(source_uri=name, problem=(os_error_reason(exc, path), str(exc)))
        return
    with f:
        head = f.read(2)
        f.seek(0)
        if not head:
            yield SourceRef(source_uri=f"{name}#0", container=name, record="0",
                            problem=("empty_document", "the WARC file has 0 bytes"))
        elif head == b"\x1f\x8b":
            yield from _iter_warc_gz(f, name, max_bytes, stats)
        else:  # a .warc, or a .warc.gz that was never compressed
            yield from (ref for ref in _warc_records(_Reader(f), name, str, max_bytes, stats,
                                                     at_file_start=True) if ref is not None)


class _Reader:
    """A byte reader with a position and push-back (to resume inside a block already read)."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.buf = b""
        self.pos = 0

    def read(self, n: int) -> bytes:
        out = self.buf[:n]
        self.buf = self.buf[n:]
        while len(out) < n:
            chunk = self.raw.read(min(n - len(out), 1 << 20))
            if not chunk:
                break
            out += chunk
        self.pos += len(out)
        return out

    def readline(self, limit: int) -> bytes:
        if b"\n" in self.buf[:limit]:
            i = self.buf.index(b"\n") + 1
            out, self.buf = self.buf[:i], self.buf[i:]
        else:
            out, self.buf = self.buf[:limit], self.buf[limit:]
            if len(out) < limit:
                out += self.raw.readline(limit - len(out))
        self.pos += len(out)
        return out

    def unread(self, data: bytes) -> None:
        self.buf = data + self.buf
        self.pos -= len(data)

    def at_record_boundary(self) -> bool:
        """Whether only line ends stand between here and the next record or the end."""
        chunk = self.read(64)
        self.unread(chunk)
        rest = chunk.lstrip(b"\r\n")
        return rest == b"" or rest.startswith(WARC_MAGIC) or WARC_MAGIC.startswith(rest)

    def resync(self) -> int:
        """Skip to the next line that starts a WARC record; returns the bytes skipped."""
        skipped = 0
        tail = b""
        while True:
            chunk = self.read(1 << 20)
            if not chunk:
                return skipped + len(tail)
            data = tail + chunk
            m = _RECORD_START_RE.search(data)
            if m:
                self.unread(data[m.start(1):])
                return skipped + m.start(1)
            keep = min(len(data), 16)
            skipped += len(data) - keep
            tail = data[-keep:]


def _warc_records(r: _Reader, name: str, label, max_bytes: int, stats: SourceStats, *,
                  at_file_start: bool, cut: bool = False, member_problem: tuple[str, str] | None = None,
                  whole_member: bool = False) -> Iterator[SourceRef | None]:
    """The SourceRefs of the records in one WARC byte stream (a file, or a gzip member's
    bytes); None for a response that is not a page (counted in `stats`). `label(offset)`
    names a record; `cut`: the stream was cut at the size cap; `member_problem`: the gzip
    member holding it is damaged, so no record in it is whole; `whole_member`: the stream
    is an intact gzip member, so a block that ends early has a wrong Content-Length."""
    block_cap = max_bytes + _HEAD_CAP
    first = True

    def problem(off: int, reason: str, detail: str, url: str | None = None) -> SourceRef:
        rec = label(off)
        return SourceRef(source_uri=f"{name}#{rec}", url=url, container=name, record=rec,
                         problem=(reason, detail[:500]))

    while True:
        line = r.readline(_HEAD_CAP)
        if not line:
            if first and at_file_start:
                yield problem(0, "not_warc", "holds no WARC record, only blank or zero bytes")
            return
        if not line.strip(b"\r\n\x00\t "):
            continue
        off = r.pos - len(line)
        if not line.startswith(WARC_MAGIC):
            if first and at_file_start:
                yield problem(off, "not_warc", f"starts with {line[:40]!r}, not a WARC/1.x record header")
                return
            skipped = len(line) + r.resync()
            yield problem(off, "corrupt_record", f"{skipped} bytes that are not a WARC record")
            continue
        first = False
        head = [line]
        size = len(line)
        ended = True
        while True:
            hl = r.readline(_HEAD_CAP)
            if not hl:
                ended = False
                break
            head.append(hl)
            size += len(hl)
            if hl in (b"\r\n", b"\n") or size > _HEAD_CAP:
                break
        headers = {}
        for hl in head[1:]:
            k, sep, v = hl.decode("utf-8", "replace").partition(":")
            if sep:
                headers.setdefault(k.strip().lower(), v.strip())
        url = valid_text(headers["warc-target-uri"].strip("<>")) if headers.get("warc-target-uri") else None
        rtype = headers.get("warc-type", "").lower()
        if not ended:
            yield problem(off, "truncated_record", "the input ends inside the record's headers", url)
            return
        if size > _HEAD_CAP:
            r.resync()
            yield problem(off, "corrupt_record", f"WARC headers longer than {_HEAD_CAP} bytes", url)
            continue
        try:
            length = int(headers.get("content-length", ""))
            if length < 0:
                raise ValueError(length)
        except ValueError:
            r.resync()
            yield problem(off, "bad_content_length",
                          f"Content-Length {headers.get('content-length')!r} is not a byte count", url)
            continue
        block = r.read(min(length, block_cap))
        oversize = length > block_cap or (cut and len(block) < length)
        if not oversize and len(block) < length:
            m = _RECORD_START_RE.search(block)
            if m:  # Content-Length too long: the next record starts inside this block
                r.unread(block[m.start(1):])
                yield problem(off, "bad_content_length", f"Content-Length {length} runs into the "
                              f"next record at offset {r.pos}", url)
                continue
            if whole_member:
                yield problem(off, "bad_content_length", f"Content-Length {length} is longer than "
                              f"the record's gzip member ({len(block)} bytes of block)", url)
            else:
                yield problem(off, "truncated_record", f"{len(block)} of the {length} bytes its "
                              "Content-Length announces: the input ends inside the record", url)
            return
        if oversize and not cut:  # skip the rest unread; a short skip means a cut file
            todo = length - len(block)
            while todo > 0 and (got := len(r.read(min(todo, 1 << 20)))):
                todo -= got
            if todo > 0:
                yield problem(off, "truncated_record", "the input ends inside the record", url)
                return
        if not cut or not oversize:
            if not r.at_record_boundary():
                m = _RECORD_START_RE.search(block)
                if m:  # too long, and the next record starts inside this block
                    r.unread(block[m.start(1):])
                else:  # too short: the rest of this record's block follows
                    r.resync()
                yield problem(off, "bad_content_length", f"Content-Length {length} does not end "
                              "at a record boundary", url)
                continue
        if rtype != "response":
            continue  # requests, warcinfo, metadata: not documents
        if member_problem:
            yield problem(off, *member_problem, url=url)
            continue
        yield _response_ref(b"".join(head), block, oversize, name, label(off), url, max_bytes, stats)
        if cut and oversize:
            return


def _response_ref(head: bytes, block: bytes, oversize: bool, name: str, rec: str,
                  url: str | None, max_bytes: int, stats: SourceStats) -> SourceRef | None:
    """A response record's SourceRef, or None (counted in stats) when it is not a page."""
    from warcio.recordloader import ArcWarcRecordLoader

    uri = f"{name}#{rec}"
    try:
        record = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(head + block), known_format="warc")
    except Exception as exc:  # headers warcio cannot parse
        return SourceRef(source_uri=uri, url=url, container=name, record=rec,
                         problem=("corrupt_record", f"{type(exc).__name__}: {exc}"[:500]))
    if record.http_headers is None:
        stats.ignored["warc_not_http"] += 1
        return None
    status = record.http_headers.get_statuscode()
    if status != "200":
        stats.ignored[f"warc_status_{status}"] += 1
        return None
    ctype = _http_content_type(record.http_headers.get_header("Content-Type"))
    if ctype is None:
        stats.ignored["warc_not_html_or_text"] += 1
        return None
    if oversize:
        return SourceRef(source_uri=uri, url=url, content_type_hint=ctype, container=name, record=rec,
                         problem=("too_large", f"record larger than {max_bytes} bytes"))
    try:
        data = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # a broken chunked or compressed payload
        return SourceRef(source_uri=uri, url=url, content_type_hint=ctype, container=name,
                         record=rec, problem=("corrupt_record", f"{type(exc).__name__}: {exc}"[:500]))
    return SourceRef(source_uri=uri, url=url, content_type_hint=ctype, container=name, record=rec,
                     payload=data)


def _iter_warc_gz(f, name: str, max_bytes: int, stats: SourceStats) -> Iterator[SourceRef]:
    """The records of a `.warc.gz`, gzip member by gzip member (one record per member, as
    WARC writers do; a member holding several is read the same way)."""
    first = True
    for start, data, cut, problem in _gzip_members(f, max_bytes + 2 * _HEAD_CAP):
        if data is None:  # bytes that are no gzip member, skipped
            yield SourceRef(source_uri=f"{name}#{start}", container=name, record=str(start),
                            problem=problem)
            continue
        label = (lambda off, s=start: str(s) if off == 0 else f"{s}+{off}")
        got = 0
        for ref in _warc_records(_Reader(io.BytesIO(data)), name, label, max_bytes, stats,
                                 at_file_start=first, cut=cut, member_problem=problem,
                                 whole_member=problem is None and not cut):
            if ref is None:
                continue
            got += 1
            if problem and ref.problem and ref.problem[0] != problem[0]:
                ref = replace(ref, problem=problem)  # the member's damage explains the record's
            yield ref
            if ref.problem and ref.problem[0] == "not_warc":
                return
        first = False
        # A damaged member whose record cannot even be told apart from a request: one row.
        if problem and not got and (len(data) < 200 or b"WARC-Type: response" in data[:_HEAD_CAP]):
            yield SourceRef(source_uri=f"{name}#{start}", container=name, record=str(start),
                            problem=problem)


def _gzip_members(f, cap: int):
    """(compressed offset, decompressed bytes or None, cut at `cap`, problem) per member.

    A damaged member (bad deflate data) is reported and reading resumes at the next gzip
    header that decodes; the file ending inside a member is `truncated_record`; a member
    larger than `cap` is decompressed to its end (to find the next) but only `cap` bytes kept."""
    pending = b""
    resyncing = False
    while True:
        if len(pending) < 18:
            pending += f.read(1 << 16)
        if not pending:
            return
        start = f.tell() - len(pending)
        if not pending.startswith(b"\x1f\x8b\x08"):
            if not resyncing and not pending.strip(b"\x00\r\n\t ") and not f.read(1):
                return  # padding after the last member
            skipped, pending = _skip_to_gzip_magic(f, pending)
            if not resyncing:
                yield start, None, False, ("corrupt_record", f"{skipped} bytes that are not a gzip member")
            resyncing = True
            continue
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = bytearray()
        cut = False
        buf, pending = pending, b""
        try:
            while True:
                piece = d.decompress(buf, (cap + 1 - len(out)) if not cut else (1 << 20))
                if not cut:
                    out += piece
                    if len(out) > cap:
                        cut = True
                        del out[cap:]
                buf = d.unconsumed_tail
                if d.eof:
                    break
                if not buf:
                    buf = f.read(1 << 16)
                    if not buf:
                        break
        except zlib.error as exc:
            if not resyncing:  # a false gzip header found while resyncing stays silent
                yield start, bytes(out), cut, ("corrupt_record", f"damaged gzip member: {exc}")
            resyncing = True
            f.seek(start + 1)
            continue
        if not d.eof:
            if not resyncing or out:
                yield start, bytes(out), cut, ("truncated_record", "the file ends inside this gzip member")
            return
        resyncing = False
        pending = d.unused_data
        yield start, bytes(out), cut, None


def _skip_to_gzip_magic(f, pending: bytes) -> tuple[int, bytes]:
    """Skip to the next gzip header; returns (bytes skipped, the bytes from there on)."""
    skipped = 0
    while True:
        i = pending.find(b"\x1f\x8b\x08", 1 if skipped == 0 else 0)
        if i >= 0:
            return skipped + i, pending[i:]
        keep = pending[-2:]
        skipped += len(pending) - len(keep)
        more = f.read(1 << 20)
        if not more:
            return skipped + len(keep), b""
        pending = keep + more


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
    meta = obj.get("metadata")
    url = obj.get("url")
    if not isinstance(url, str) and isinstance(meta, dict):  # datatrove's layout: metadata.url
        url = meta.get("url")
    url = valid_text(url) if isinstance(url, str) else None
    # `text` is sniffed like a `.txt` file: crawl dumps (datatrove's among them) often put
    # the page's HTML there, and read as text it would be quarantined as markup
    for key, ctype in (("html", "html"), ("text", None)):
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
