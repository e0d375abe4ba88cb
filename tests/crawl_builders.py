"""Build crawl containers (WARC, JSONL) from pages in tests, with warcio's own writer."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path


def write_warc(path: Path, pages: list[tuple[str, bytes, str]], *, status: str = "200 OK",
               extra: bool = True) -> Path:
    """pages: (url, body bytes, content type). Adds a request record per page and, when
    `extra`, a 404 response and an image response that must be ignored."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=str(path).endswith(".gz"))
        rows = list(pages)
        if extra:
            rows += [("https://example.org/missing", b"<html>not found</html>", "text/html", "404 Not Found"),
                     ("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n0000", "image/png")]
        for row in rows:
            url, body, ctype = row[:3]
            st = row[3] if len(row) > 3 else status
            req = w.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                       http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")],
                                                                     is_http_request=True))
            w.write_record(req)
            headers = StatusAndHeaders(st, [("Content-Type", ctype),
                                            ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            w.write_record(rec)
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    path.write_bytes(gzip.compress(data) if str(path).endswith(".gz") else data)
    return path


def warc_response(url: str, body: bytes, *, ctype: str = "text/html; charset=utf-8",
                  content_length: int | None = None) -> bytes:
    """One uncompressed WARC response record; `content_length` overrides the true one
    (to build a record whose Content-Length is wrong)."""
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype.encode() + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
    n = len(http) if content_length is None else content_length
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:" + url.rsplit("/", 1)[-1]
            + ">\r\nWARC-Target-URI: " + url + "\r\nWARC-Date: 2024-05-01T00:00:00Z\r\n"
            "Content-Type: application/http; msgtype=response\r\nContent-Length: " + str(n) + "\r\n\r\n")
    return head.encode() + http + b"\r\n\r\n"


def write_raw_warc(path: Path, records: list[bytes]) -> Path:
    """Records as given; one gzip member each when `path` ends in .gz."""
    if str(path).endswith(".gz"):
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
    else:
        path.write_bytes(b"".join(records))
    return path
