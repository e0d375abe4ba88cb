"""Input formats: WARC, JSONL, sidecar manifests; lazily listed, read through one path."""
import gzip
import hashlib
import types

import pytest

from flows.records import RawDocument, Rejection
from flows.sources import InputError, SourceStats, list_sources
from flows.stages.read import ReadOptions, read
from tests.crawl_builders import write_jsonl, write_warc

HTML = b"<html><head><title>T</title></head><body><p>Hello harbour</p></body></html>"


def test_warc_gz_yields_only_ok_html_responses_with_target_uri(tmp_path):
    w = write_warc(tmp_path / "crawl.warc.gz", [("https://news.example/a", HTML, "text/html; charset=utf-8"),
                                                ("https://news.example/b.txt", b"plain words", "text/plain")])
    stats = SourceStats()
    refs = list(list_sources([w], stats=stats))
    assert [r.url for r in refs] == ["https://news.example/a", "https://news.example/b.txt"]
    assert all(r.source_uri.startswith(str(w) + "#") and r.container == str(w) for r in refs)
    assert stats.ignored == {"warc_status_404": 1, "warc_not_html_or_text": 1}
    doc = read(refs[0], ReadOptions())
    assert isinstance(doc, RawDocument) and doc.content_type == "html"
    assert doc.doc_id == hashlib.sha256(HTML).hexdigest() and doc.url == "https://news.example/a"
    assert read(refs[1], ReadOptions()).content_type == "text"


def test_plain_warc_and_size_cap(tmp_path):
    w = write_warc(tmp_path / "c.warc", [("https://x.example/", HTML, "text/html")], extra=False)
    (ref,) = list(list_sources([w], max_bytes=10))
    out = read(ref, ReadOptions(max_bytes=10))
    assert isinstance(out, Rejection) and out.reason == "too_large"


def test_jsonl_gz_records_and_bad_lines(tmp_path):
    j = write_jsonl(tmp_path / "pages.jsonl.gz", [
        {"url": "https://a.example/1", "html": HTML.decode()},
        {"url": "https://a.example/2", "text": "Some text"},
        {"url": "https://a.example/3"},
    ])
    with gzip.open(j, "ab") as f:
        f.write(b"{not json\n")
    refs = list(list_sources([j]))
    assert [r.source_uri.rsplit("#", 1)[1] for r in refs] == ["L1", "L2", "L3", "L4"]
    outs = [read(r, ReadOptions()) for r in refs]
    assert outs[0].doc_id == hashlib.sha256(HTML).hexdigest() and outs[0].content_type == "html"
    assert outs[1].content_type == "text" and outs[1].url == "https://a.example/2"
    assert [o.reason for o in outs[2:]] == ["bad_json_record", "bad_json_record"]


def test_listing_is_lazy(tmp_path):
    j = write_jsonl(tmp_path / "big.jsonl", [{"url": f"u{i}", "text": f"t{i}"} for i in range(1000)])
    it = list_sources([j])
    assert isinstance(it, types.GeneratorType)
    assert next(it).url == "u0"


def test_manifest_gives_urls(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "sub" / "b.txt").write_text("words")
    (tmp_path / "c.txt").write_text("no url")
    (tmp_path / "urls.tsv").write_text("# file\turl\na.html\thttps://m.example/a\nsub/b.txt\thttps://m.example/b\n")
    refs = {r.source_uri.rsplit("/", 1)[1]: r.url for r in list_sources([tmp_path])}
    assert refs == {"a.html": "https://m.example/a", "b.txt": "https://m.example/b", "c.txt": None}


def test_missing_input_fails_before_reading(tmp_path):
    with pytest.raises(InputError):
        list_sources([tmp_path, tmp_path / "nope"])
