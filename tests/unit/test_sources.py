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


def test_jsonl_text_holding_a_page_is_read_as_html(tmp_path):
    """datatrove's layout: the page's HTML in `text`, its URL in `metadata.url`."""
    j = write_jsonl(tmp_path / "dt.jsonl.gz", [
        {"id": "1", "text": "\n  " + HTML.decode(), "metadata": {"url": "https://a.example/1"}},
        {"id": "2", "text": "Plain words <b> here", "metadata": {"url": "https://a.example/2"}},
    ])
    outs = [read(r, ReadOptions()) for r in list_sources([j])]
    assert [(o.content_type, o.url) for o in outs] == [("html", "https://a.example/1"),
                                                       ("text", "https://a.example/2")]


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


# ---------------------------------------------------------------- one bad input, one row

def test_non_utf8_file_name_gets_a_utf8_source_uri_and_is_read_by_its_real_path(tmp_path):
    import os

    from flows.sources import display_path

    real = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"))
    with open(real, "wb") as f:
        f.write(b"A page about the cafe on the harbour.\n")
    (ref,) = list(list_sources([tmp_path]))
    assert ref.source_uri == str(tmp_path / "caf\\xe9.txt") == display_path(real)
    ref.source_uri.encode("utf-8")  # storable: DuckDB refused the surrogate-escaped form
    assert ref.open_path == real
    doc = read(ref, ReadOptions())
    assert isinstance(doc, RawDocument) and doc.source_uri == ref.source_uri
    assert "harbour" in doc.text


def test_jsonl_lone_surrogates_become_replacement_characters(tmp_path):
    j = tmp_path / "s.jsonl"
    j.write_bytes(b'{"url": "https://s.example/\\ud800", "text": "caf\\udc00 words \\ud83d\\ude00"}\n')
    (ref,) = list(list_sources([j]))
    assert ref.url == "https://s.example/\ufffd"
    doc = read(ref, ReadOptions())
    assert doc.text == "caf\ufffd words \U0001F600"  # a real pair stays one character
    doc.text.encode("utf-8")


def test_jsonl_lines_that_are_not_objects_or_nest_too_deep_are_quarantined(tmp_path):
    j = tmp_path / "b.jsonl"
    j.write_bytes(b'[1, 2]\n"text"\n' + b"[" * 200_000 + b"\n" + b'{"url": "u", "text": "fine"}\n')
    outs = [read(r, ReadOptions()) for r in list_sources([j])]
    assert [getattr(o, "reason", "loaded") for o in outs] == [
        "bad_json_record", "bad_json_record", "bad_json_record", "loaded"]


def test_jsonl_parsed_payload_over_the_cap_is_too_large(tmp_path):
    j = write_jsonl(tmp_path / "big.jsonl", [{"url": "u", "text": "x" * 5000}, {"url": "v", "text": "ok"}])
    refs = list(list_sources([j], max_bytes=1000))
    assert refs[0].problem[0] == "too_large" and refs[0].payload is None
    assert read(refs[1], ReadOptions(max_bytes=1000)).text == "ok"


def test_corrupt_jsonl_gzip_is_one_row_and_the_run_goes_on(tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl.gz", [{"url": f"u{i}", "text": "t" * 50} for i in range(50)])
    data = bytearray(good.read_bytes())
    data[40:60] = b"\x00" * 20  # inside the deflate stream: zlib.error, not an OSError
    bad = tmp_path / "b.jsonl.gz"
    bad.write_bytes(bytes(data))
    other = write_jsonl(tmp_path / "c.jsonl", [{"url": "c", "text": "next file"}])
    refs = list(list_sources([bad, other]))
    assert refs[-1].url == "c"
    assert [r.problem[0] for r in refs if r.problem] == ["corrupt_gzip"]


def test_dangling_symlink_and_link_loop_are_listed_and_quarantined(tmp_path):
    import os

    (tmp_path / "ok.txt").write_text("a real page")
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "up")  # a folder loop: not followed, no recursion
    outs = {os.path.basename(r.source_uri): read(r, ReadOptions()) for r in list_sources([tmp_path])}
    assert set(outs) == {"ok.txt", "dangling.txt", "loop.txt"}
    assert outs["dangling.txt"].reason == "broken_symlink" and outs["loop.txt"].reason == "broken_symlink"
    assert isinstance(outs["ok.txt"], RawDocument)


def test_file_gone_or_unreadable_after_listing_is_a_reason_not_an_exception(tmp_path, monkeypatch):
    import builtins

    from flows.records import SourceRef

    gone = tmp_path / "gone.txt"
    assert read(SourceRef(str(gone)), ReadOptions()).reason == "file_missing"
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    real_open = builtins.open

    def deny(path, *a, **kw):  # chmod 000 does not stop root, so refuse the open itself
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **kw)

    monkeypatch.setattr(builtins, "open", deny)
    assert read(SourceRef(str(locked)), ReadOptions()).reason == "permission_denied"
    assert read(SourceRef(str(tmp_path)), ReadOptions()).reason == "unreadable_directory"


def test_unexpected_error_in_one_container_is_one_row(tmp_path, monkeypatch):
    import flows.sources as sources

    def boom(path, max_bytes):
        yield from ()
        raise RuntimeError("parser bug")

    monkeypatch.setattr(sources, "iter_jsonl", boom)
    (tmp_path / "a.jsonl").write_text("{}\n")
    (tmp_path / "b.txt").write_text("a page")
    refs = list(list_sources([tmp_path]))
    assert [r.problem and r.problem[0] for r in refs] == ["error_RuntimeError", None]


def test_manifest_that_is_not_utf8_still_gives_urls(tmp_path):
    import os

    real = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.html"))
    with open(real, "wb") as f:
        f.write(HTML)
    (tmp_path / "urls.tsv").write_bytes(b"caf\xe9.html\thttps://m.example/caf\xe9\n")
    (ref,) = list(list_sources([tmp_path]))
    assert ref.url == "https://m.example/caf\ufffd"


# ---------------------------------------------------------------- WARC framing

def _page(i: int) -> bytes:
    return (f"<html><body><h1>Story {i}</h1><p>" + "The council met again. " * 20
            + "</p></body></html>").encode()


def _outcomes(path):
    from tests.crawl_builders import warc_response  # noqa: F401  (builders used by callers)

    return [(r.url, r.problem[0] if r.problem else "ok") for r in list_sources([path])]


def _records(n=4):
    from tests.crawl_builders import warc_response

    return [warc_response(f"https://n.example/{i}", _page(i)) for i in range(n)]


@pytest.mark.parametrize("ext", [".warc", ".warc.gz"])
@pytest.mark.parametrize("wrong", ["longer", "shorter"])
def test_wrong_content_length_costs_only_its_record(tmp_path, ext, wrong):
    from tests.crawl_builders import warc_response, write_raw_warc

    recs = _records()
    n = len(recs[1]) if wrong == "longer" else 100
    recs[1] = warc_response("https://n.example/1", _page(1), content_length=n)
    out = _outcomes(write_raw_warc(tmp_path / f"c{ext}", recs))
    assert out == [("https://n.example/0", "ok"), ("https://n.example/1", "bad_content_length"),
                   ("https://n.example/2", "ok"), ("https://n.example/3", "ok")]


@pytest.mark.parametrize("ext", [".warc", ".warc.gz"])
def test_warc_cut_inside_a_record_quarantines_it_as_truncated(tmp_path, ext):
    from tests.crawl_builders import write_raw_warc

    p = write_raw_warc(tmp_path / f"cut{ext}", _records())
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - len(data) // 8])  # inside the last record
    out = _outcomes(p)
    assert out[:3] == [(f"https://n.example/{i}", "ok") for i in range(3)]
    assert out[3] == ("https://n.example/3", "truncated_record")  # was loaded as a whole page


def test_warc_gz_cut_before_the_gzip_trailer_is_truncated(tmp_path):
    from tests.crawl_builders import write_raw_warc

    p = write_raw_warc(tmp_path / "cut.warc.gz", _records(2))
    p.write_bytes(p.read_bytes()[:-6])  # the block is whole, the member's CRC/size are not
    assert _outcomes(p)[-1] == ("https://n.example/1", "truncated_record")


def test_damaged_gzip_member_costs_only_its_record(tmp_path):
    from tests.crawl_builders import write_raw_warc

    p = write_raw_warc(tmp_path / "d.warc.gz", _records())
    data = bytearray(p.read_bytes())
    q = len(data) // 4
    data[q + 30:q + 60] = b"\xff" * 30
    p.write_bytes(bytes(data))
    out = _outcomes(p)
    assert [o[1] for o in out] == ["ok", "corrupt_record", "ok", "ok"]
    assert {o[0] for o in out if o[1] == "ok"} == {"https://n.example/0", "https://n.example/2",
                                                   "https://n.example/3"}


@pytest.mark.parametrize("name,data", [
    ("page.warc.gz", gzip.compress(HTML)),
    ("page.warc", HTML),
    ("zeros.warc.gz", b"\x00" * 100),
])
def test_a_file_that_is_no_warc_is_quarantined_not_ignored(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    stats = SourceStats()
    refs = list(list_sources([p], stats=stats))
    assert [r.problem[0] for r in refs] in (["not_warc"], ["corrupt_record"]) and not stats.ignored
    if name != "zeros.warc.gz":
        assert refs[0].problem[0] == "not_warc"


def test_uncompressed_warc_named_gz_and_oversized_records(tmp_path):
    from tests.crawl_builders import warc_response, write_raw_warc

    p = write_raw_warc(tmp_path / "plain.warc", _records(2))
    q = tmp_path / "plain-named.warc.gz"
    q.write_bytes(p.read_bytes())
    assert [o[1] for o in _outcomes(q)] == ["ok", "ok"]
    big = write_raw_warc(tmp_path / "big.warc.gz", [warc_response("https://n.example/big", b"x" * 5000)]
                         + _records(1))
    outs = [read(r, ReadOptions(max_bytes=1000)) for r in list_sources([big], max_bytes=1000)]
    assert [getattr(o, "reason", "ok") for o in outs] == ["too_large", "ok"]
    huge = write_raw_warc(tmp_path / "huge.warc", [warc_response("https://n.example/h", b"y" * 3_000_000)]
                          + _records(1))  # beyond the block cap: skipped unread, not held
    refs = list(list_sources([huge], max_bytes=1000))
    assert [r.problem[0] if r.problem else "ok" for r in refs] == ["too_large", "ok"]
