"""Read stage: find inputs, read bytes within a size cap, decode safely, hash.

A document's identity is the sha256 of its raw (decompressed) bytes, so the same page read
twice, from any path, is the same document and is loaded once. Nothing here trusts the
input: sizes are capped while decompressing (gzip bombs), binary files are recognised and
rejected with a reason, and any byte encoding is decoded (charset detection for non-UTF-8).
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from typing import Iterable, Iterator

from flows.records import BatchResult, ContentType, RawDocument, Rejection, SourceRef
from flows.stages.batch import apply_batch
from flows.sources import INPUT_SUFFIXES, PAGE_SUFFIXES, InputError, SourceStats  # noqa: F401
from flows.sources import list_sources as _list_sources
from flows.sources import os_error_reason, valid_text

log = logging.getLogger(__name__)

STAGE = "read"

# Magic numbers of binary formats people drop into crawl folders by mistake.
BINARY_MAGIC = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"\xff\xd8\xff": "jpeg",
    b"PK\x03\x04": "zip",
    b"\x7fELF": "elf",
    b"RIFF": "riff",
    b"\x1f\x8b": "gzip",  # a gzip inside a gzip, or a .txt that is really compressed
}


@dataclass(frozen=True)
class ReadOptions:
    max_bytes: int = 20 * 1024 * 1024
    # Documents come out packed (`RawDocument.packed`: the text as UTF-8 bytes), each as it
    # is read, so a batch is never held as str (the flow process's form; see RawDocument).
    pack: bool = False


def list_sources(inputs: Iterable[str | os.PathLike], *, max_bytes: int = 20 * 1024 * 1024,
                 stats: SourceStats | None = None) -> Iterator[SourceRef]:
    """Expand files, directories (recursively) and globs into document sources, lazily.

    Pages, WARC and JSONL files and sidecar `urls.tsv` manifests: see `flows.sources`.
    Raises InputError for an input that matches nothing.
    """
    return _list_sources(inputs, max_bytes=max_bytes, stats=stats)


def _read_capped(path: str, max_bytes: int) -> bytes:
    """Read a file, gunzipping `.gz`, refusing more than `max_bytes` of output.

    Why 1 MiB reads and a list joined once: appending 64 KiB pieces to a bytearray and
    copying it out cost a fifth of the read on gzipped pages; now inflating is the cost."""
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        if path.lower().endswith(".gz") or head == b"\x1f\x8b":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            parts: list[bytes] = []
            size = 0
            while chunk := f.read(1 << 20):
                while chunk:
                    part = d.decompress(chunk, max_bytes + 1 - size)
                    parts.append(part)
                    size += len(part)
                    if size > max_bytes:
                        raise _TooLarge(f"more than {max_bytes} bytes once decompressed")
                    chunk = d.unconsumed_tail
            if not d.eof:
                raise _Corrupt("the gzip stream ends early (truncated file)")
            return b"".join(parts)
        data = f.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _TooLarge(f"larger than {max_bytes} bytes")
        return data


class _TooLarge(Exception):
    pass


class _Corrupt(Exception):
    pass


def sniff_binary(data: bytes) -> str | None:
    """The binary format of `data`, or None when it looks like text."""
    for magic, kind in BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    sample = data[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return None


# UTF-8 with a few bad bytes stays UTF-8 when its valid multi-byte characters outnumber
# the invalid sequences this many times. Why 4: text in a legacy encoding (cp125x, Latin-1,
# Mac Roman, KOI8, Shift_JIS, EUC-JP/KR, GB18030, Big5) forms valid UTF-8 sequences only
# by chance; over the shared corpora in 20+ languages the most was 0.64 per invalid one
# (GB18030), so 4 keeps a 6x margin while a real UTF-8 page with a stray byte wins easily.
NEARLY_UTF8_RATIO = 4

# What `decode` calls its UTF-8 decodes: Python's UTF-8 codec never yields a lone surrogate
# (it rejects or replaces them), so their text needs no `valid_text` pass (0.1 ms a page).
UTF8_DECODES = frozenset({"utf-8", "utf-8-sig", "utf-8-replace"})


def utf8_counts(data: bytes) -> tuple[str, int, int]:
    """(text decoded with U+FFFD for bad bytes, valid non-ASCII characters, invalid sequences)."""
    text = data.decode("utf-8", errors="replace")
    real_fffd = data.count(b"\xef\xbf\xbd")
    bad = text.count("\ufffd") - real_fffd
    ascii_n = len(data) - len(data.translate(None, bytes(range(128))))
    return text, len(text) - ascii_n - bad - real_fffd, bad


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 when they are, else by charset detection. Returns (text, encoding).

    UTF-8 with a few invalid sequences (a truncated character, one stray Latin-1 byte) is
    decoded as UTF-8 with U+FFFD for the bad bytes, encoding `utf-8-replace`: charset
    detection used to call such a page `mac_iceland` and load it as mojibake ("‚Äú")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    replaced, good, bad = utf8_counts(data)
    if good >= NEARLY_UTF8_RATIO * bad:
        return replaced, "utf-8-replace"
    from charset_normalizer import from_bytes

    from flows.stages.validate.articles import has_mojibake

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        enc = best.encoding
        text = data.decode(enc, errors="replace")
        # A detected single-byte table that turns the page's UTF-8 into mojibake is wrong.
        if not (good > bad and has_mojibake(text) and not has_mojibake(replaced)):
            return text, enc
    return replaced, "utf-8-replace"


def repair_mojibake(text: str, encoding: str) -> tuple[str, str]:
    """Undo double encoding (UTF-8 read as Latin-1/cp1252: "donâ€™t", "cafÃ©") with ftfy.

    Only when the text shows mojibake, and only `fix_encoding` (not `fix_text`, which would
    also straighten curly quotes and change good text)."""
    from flows.stages.validate.articles import has_mojibake

    if not has_mojibake(text):
        return text, encoding
    import ftfy

    fixed = ftfy.fix_encoding(text)
    return (fixed, encoding + "+ftfy") if fixed != text else (text, encoding)


def guess_content_type(path: str, text: str, hint: ContentType | None = None) -> ContentType:
    if hint:
        return hint
    name = path.lower().removesuffix(".gz")
    if name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    return "text"


def document_from_bytes(ref: SourceRef, data: bytes, pack: bool = False) -> RawDocument | Rejection:
    """Turn raw bytes into a decoded document, or a rejection with a clear reason. With
    `pack`, the document is packed; valid UTF-8 that needed no repair keeps `data` itself."""
    doc_id = hashlib.sha256(data).hexdigest()
    if not data:
        return Rejection(doc_id, ref.source_uri, STAGE, "empty_document", "the file has 0 bytes")
    kind = sniff_binary(data)
    if kind:
        return Rejection(doc_id, ref.source_uri, STAGE, "binary_content",
                         f"looks like a {kind} file, not a text or HTML page")
    text, encoding = decode(data)
    if encoding not in UTF8_DECODES:  # a codec such as UTF-7 can decode to lone surrogates
        text = valid_text(text)
    text, encoding = repair_mojibake(text, encoding)
    if not text.strip():
        return Rejection(doc_id, ref.source_uri, STAGE, "empty_document",
                         "the file holds only whitespace")
    ctype = guess_content_type(ref.source_uri, text, ref.content_type_hint)
    doc = RawDocument(doc_id=doc_id, source_uri=ref.source_uri, url=ref.url, content_type=ctype,
                      text=text, encoding=encoding, byte_size=len(data))
    if not pack:
        return doc
    return doc.packed(data if encoding == "utf-8" else None)


def read(ref: SourceRef, opts: ReadOptions) -> RawDocument | Rejection:
    """Read one source: a file from disk, or a container record's payload read while listing."""
    if ref.problem:
        reason, detail = ref.problem
        return Rejection(None, ref.source_uri, STAGE, reason, valid_text(detail))
    if ref.payload is not None:
        if len(ref.payload) > opts.max_bytes:
            return Rejection(None, ref.source_uri, STAGE, "too_large",
                             f"record larger than {opts.max_bytes} bytes")
        return document_from_bytes(ref, ref.payload, opts.pack)
    try:
        data = _read_capped(ref.open_path, opts.max_bytes)
    except _TooLarge as exc:
        return Rejection(None, ref.source_uri, STAGE, "too_large", str(exc))
    except (_Corrupt, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Rejection(None, ref.source_uri, STAGE, "corrupt_gzip", str(exc) or type(exc).__name__)
    except OSError as exc:  # gone since listing, permission denied, a dangling link ...
        return Rejection(None, ref.source_uri, STAGE, os_error_reason(exc, ref.open_path),
                         f"{type(exc).__name__}: {exc.strerror or exc}")
    return document_from_bytes(ref, data, opts.pack)


def read_batch(refs: Iterable[SourceRef], opts: ReadOptions) -> BatchResult:
    return apply_batch(refs, lambda ref: read(ref, opts), stage=STAGE, label="read",
                       identity=lambda ref: (None, ref.source_uri))
