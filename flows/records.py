"""The record types that flow between stages.

Every stage takes and returns these frozen dataclasses, so a stage can be unit-tested with
plain values and the Prefect layer only moves batches of them between processes (they are
picklable). Expected failures are `Rejection` values with a snake_case reason, never
exceptions: nothing is silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

ContentType = Literal["html", "text"]


@dataclass(frozen=True)
class SourceRef:
    """Where a document comes from, before its bytes are read.

    `source_uri` names the input (a path, or `file.warc.gz#record-3`); `url` is the page's
    own web address when the input format carries one (WARC target URI, JSONL `url`,
    sidecar manifest), never fetched.

    `source_uri` is always valid Unicode (it is stored in DuckDB, which refuses anything
    else): a file name that is not valid UTF-8 shows its bad bytes escaped (`caf\\xe9.txt`),
    and `path` keeps the name as the OS gave it (surrogate-escaped), to open the file by.
    """

    source_uri: str
    url: str | None = None
    content_type_hint: ContentType | None = None
    # Records inside a container (WARC, JSONL): the container's path and the record's place
    # in it (byte offset, `L<line>`), and its payload bytes, read capped while listing.
    container: str | None = None
    record: str | None = None
    payload: bytes | None = field(default=None, repr=False, compare=False)
    # A record that could not be read while listing: (reason, detail), quarantined by read.
    problem: tuple[str, str] | None = None
    # The file's real path when it differs from `source_uri` (a name that is not UTF-8).
    path: str | None = None

    @property
    def open_path(self) -> str:
        """The path to open or stat: the real one, never the display form."""
        return self.path or self.source_uri


@dataclass(frozen=True)
class RawDocument:
    """A decoded input document. `doc_id` is the sha256 of the raw (decompressed) bytes.

    A *packed* document (`packed()`) holds its text as UTF-8 bytes in `utf8`, with `text`
    empty: the form the flow process keeps a batch in between reading and loading. Why:
    CPython stores a str at 1, 2 or 4 bytes a character by its widest character, and one
    emoji makes a whole page 4 bytes a character; over the bench's HTML that was 3.8 times
    the page's UTF-8 size, held for two batches at once. The workers, which clean the text,
    get it unpacked; `content` gives the text in either form."""

    doc_id: str
    source_uri: str
    url: str | None
    content_type: ContentType
    text: str
    encoding: str
    byte_size: int
    utf8: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def content(self) -> str:
        """The document's text, packed or not."""
        return self.text if self.utf8 is None else self.utf8.decode("utf-8", "surrogatepass")

    @property
    def content_utf8(self) -> bytes:
        """The document's text as UTF-8, packed or not (lone surrogates kept as they are)."""
        return self.utf8 if self.utf8 is not None else self.text.encode("utf-8", "surrogatepass")

    def packed(self, utf8: bytes | None = None) -> "RawDocument":
        """This document with its text as UTF-8 bytes (`utf8`, when the caller already has
        them, e.g. the file's own bytes when they were valid UTF-8)."""
        if self.utf8 is not None:
            return self
        return replace(self, text="", utf8=utf8 if utf8 is not None else self.content_utf8)

    def unpacked(self) -> "RawDocument":
        """This document with its text as a str, for the stages that read it."""
        return self if self.utf8 is None else replace(self, text=self.content, utf8=None)


@dataclass(frozen=True)
class Rejection:
    """A document that a stage could not turn into its output, and why.

    `reason` is a stable snake_case code users group by (`empty_document`, `binary_content`,
    `no_article_text` ...); `detail` is free text for a human.
    """

    doc_id: str | None
    source_uri: str
    stage: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class LineDecision:
    """One input line and what the cleaner decided about it.

    `line_no` is 1-based in the document's text as read (for HTML, in the page's text
    rendering). `reason` is `kept` for kept lines, else the snake_case cause
    (`chrome_phrase`, `menu_line`, `title_line` ...); `rule` names the exact rule, phrase or
    feature that decided, so `newsflow explain` can show it.
    """

    line_no: int
    text: str
    keep: bool
    reason: str
    rule: str = ""


@dataclass(frozen=True)
class CleanPage:
    """A document after boilerplate removal: the article and what was removed."""

    doc: RawDocument
    title: str | None
    author: str | None
    published_date: str | None  # ISO yyyy-mm-dd
    site_name: str | None
    canonical_url: str | None
    description: str | None
    paragraphs: tuple[str, ...]
    lines: tuple[LineDecision, ...]  # every line considered, kept or removed
    extractor: str  # which path produced the text: "trafilatura+lines" or "lines"
    publisher_hint: str | None = None  # JSON-LD publisher name when the HTML has one

    @property
    def text(self) -> str:
        """The article body, one paragraph per line."""
        return "\n".join(self.paragraphs)

    @property
    def removed(self) -> tuple[LineDecision, ...]:
        return tuple(d for d in self.lines if not d.keep)


@dataclass(frozen=True)
class Evidence:
    """Why a detector decided: which signal, and the text or field it saw."""

    signal: str  # e.g. "url_domain", "og_site_name", "copyright_line", "dateline"
    text: str
    line_no: int | None = None


@dataclass(frozen=True)
class OutletMatch:
    """The publisher (or wire agency) of an article."""

    outlet_id: str | None  # registry id, None when unregistered
    name: str
    domain: str | None
    registered: bool
    confidence: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Citation:
    """An outlet the article cites, with the sentence that cites it."""

    outlet_id: str | None
    name: str
    sentence: str
    pattern: str  # which citation pattern matched ("told X", "X reported" ...)


@dataclass(frozen=True)
class ParagraphLanguage:
    """Per-paragraph language, flagged where it differs from the document's."""

    paragraph_no: int
    language: str
    script: str
    foreign: bool


@dataclass(frozen=True)
class Article:
    """A cleaned page with everything detected about it; what validate and load see."""

    page: CleanPage
    language: str  # ISO 639-1 or "und"
    language_confidence: float
    outlet: OutletMatch | None
    wire: OutletMatch | None
    citations: tuple[Citation, ...] = ()
    paragraph_languages: tuple[ParagraphLanguage, ...] = ()
    # Computed in the extraction workers with the rest of the per-document CPU work, so the
    # loader only stores them: the article's MinHash (method, shingle count, hash values)
    # for syndication clusters, and the fingerprints of its page's distinct lines for
    # template learning. None / () when not computed (the loader then leaves them to the
    # post-load hook and computes the fingerprints itself).
    minhash: tuple[str, int, tuple[int, ...]] | None = None
    line_prints: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.page.doc.doc_id


@dataclass(frozen=True)
class BatchResult:
    """What a batch stage returns: records kept, rejections, and counts by reason."""

    kept: tuple = ()
    rejected: tuple[Rejection, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
