"""Every bad input we know of, end to end through one `newsflow run` subprocess.

Good pages sit beside inputs that used to fail the whole run (a file name that is not
UTF-8, a JSONL url with a lone surrogate), load wrong (one bad byte sent a UTF-8 page to
`mac_iceland`; a cut WARC record loaded as a whole page) or lose their neighbours (a wrong
Content-Length) or take a worker's time and memory (a 1 MB first line of markup in a text
scrape, a dump of 30,000 lines; a JSONL dump with the page's HTML in `text`, which was read
as text). The run must exit 0; every good page is in mart.articles, every bad input
in dq.quarantine with its specific reason, and no mojibake reaches the articles' text.
One subprocess for the module: each costs ~10-15 s (Prefect's server start).
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.config import PROJECT_ROOT
from tests.conftest import SEEDS, need_shared
from tests.crawl_builders import warc_response, write_raw_warc

pytestmark = pytest.mark.slow

EXAMPLES = PROJECT_ROOT / "examples"
MAX_BYTES = 20 * 1024 * 1024  # Settings.max_bytes, the default the CLI runs with


def _seed(i: int) -> bytes:
    return sorted(SEEDS.glob("*.txt"))[i].read_bytes()


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def _warc_text(url: str, body: bytes, **kw) -> bytes:
    return warc_response(url, body, ctype="text/plain; charset=utf-8", **kw)


def build_inputs(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    # Good pages.
    (d / "good_seed.txt").write_bytes(_seed(0))
    (d / "good_page.html").write_bytes(_example("dw-gasspeicher.html"))
    # 1. A file name that is not valid UTF-8 (Latin-1 "café").
    with open(os.path.join(os.fsencode(d), b"caf\xe9.txt"), "wb") as f:
        f.write(_seed(1))
    # 2. JSONL: a url holding a lone surrogate, lines that are no JSON object, a huge line.
    lines = [json.dumps({"url": "https://lone.example/a\ud800b", "text": _seed(2).decode()}),
             "{this is not json",
             "[1, 2, 3]",
             json.dumps({"url": "https://big.example/", "text": "x" * (MAX_BYTES + 10)})]
    (d / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    # A gzip JSONL whose deflate stream is damaged (zlib.error, not an OSError).
    packed = bytearray(gzip.compress(b"".join(json.dumps({"url": f"https://z.example/{i}",
                                                          "text": "filler " * 40}).encode() + b"\n"
                                              for i in range(40))))
    packed[30:60] = b"\xff" * 30
    (d / "damaged.jsonl.gz").write_bytes(bytes(packed))
    # 3. One invalid byte in a UTF-8 page with curly quotes; Mac Roman mojibake of UTF-8.
    fr = _example("courrier-rhone-greve-tram.txt")
    mid = fr.index(b"\n", len(fr) // 2)
    (d / "one_bad_byte.txt").write_bytes(fr[:mid] + b" \xff" + fr[mid:])
    ru = _example("severny-vestnik-morozy.txt").decode("utf-8")
    (d / "mac_roman_mojibake.txt").write_bytes(
        _example("kyiv-visnyk-ukryttia.txt").decode("utf-8").encode("utf-8").decode("mac_roman").encode("utf-8"))
    # 4. WARC: a wrong Content-Length (gz: longer; plain: shorter), a cut record, no WARC.
    write_raw_warc(d / "crawl.warc.gz", [
        _warc_text("https://w.example/before", _seed(3)),
        _warc_text("https://w.example/bad-length", _example("harbour-courier-port-strike.txt"),
                   content_length=100_000),
        _warc_text("https://w.example/after", _seed(4)),
    ])
    write_raw_warc(d / "plain.warc", [
        _warc_text("https://p.example/before", _example("pinewood-weekly-library.txt")),
        _warc_text("https://p.example/bad-length", _example("wire-reprint-site-a.txt"), content_length=300),
        _warc_text("https://p.example/after", _example("northgate-false-flag-factcheck.txt")),
    ])
    cut = write_raw_warc(d / "cut.warc.gz", [
        _warc_text("https://c.example/whole", ru.encode("utf-8")),
        _warc_text("https://c.example/cut", _example("kyiv-visnyk-ukryttia.txt")),
    ])
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) - 400])  # inside the second record's gzip member
    (d / "not_a_crawl.warc.gz").write_bytes(gzip.compress(_example("tricounty-ap-berlin-spy-charges.html")))
    # 5. A symlink whose target is gone.
    os.symlink(d / "was_here.txt", d / "dangling.txt")
    # 6. datatrove's JSONL layout: the page's HTML in `text`, its URL in `metadata.url`
    #    (read as text, every page was quarantined as markup_in_text).
    (d / "datatrove.jsonl").write_text(json.dumps({
        "id": "0", "text": _example("dw-gasspeicher.html").decode("utf-8").replace("Gasspeicher", "Gaslager"),
        "metadata": {"url": "https://dt.example/gaslager"}}) + "\n", encoding="utf-8")
    # 7. Plain text that is really markup, on one 1 MB first line (took 140 s and 12 GB)
    #    above a real article, and a dump of 30,000 one-word lines (over the line cap).
    nav = " | ".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(25_000))
    (d / "markup_first_line.txt").write_bytes(nav.encode() + b"\n\n" + _example("harbour-courier-port-strike.txt"))
    (d / "many_lines.txt").write_text("\n".join(f"word{i % 97}" for i in range(30_000)), encoding="utf-8")


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    need_shared(SEEDS)
    base = tmp_path_factory.mktemp("bad_e2e")
    build_inputs(base / "in")
    warehouse = base / "w.duckdb"
    env = dict(os.environ, NEWSFLOW_WORKERS="1")
    proc = subprocess.run([sys.executable, "-m", "flows.commands.cli", "run", str(base / "in"),
                           "--warehouse", str(warehouse)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    con = duckdb.connect(str(warehouse), read_only=True) if warehouse.exists() else None
    yield proc, con
    if con is not None:
        con.close()


def _quarantine(con) -> dict[str, str]:
    return {u: r for u, r in con.execute("select source_uri, reason from dq.quarantine").fetchall()}


def _articles(con) -> dict[str, tuple[str | None, str]]:
    return {u: (url, t) for u, url, t in con.execute(
        "select source_uri, url, text from mart.articles").fetchall()}


def _by_name(rows: dict, name: str):
    hits = [v for k, v in rows.items() if os.path.basename(k.split("#", 1)[0]) == name]
    return hits


def _by_url(con, url: str) -> tuple[str, str]:
    """('loaded', source_uri) or (quarantine reason, source_uri) for a container record."""
    row = con.execute("select source_uri from mart.articles where url = ?", [url]).fetchone()
    if row:
        return "loaded", row[0]
    row = con.execute("select q.reason, q.source_uri from dq.quarantine q "
                      "left join raw.documents d using (doc_id) where d.url = ? or q.detail like ? ",
                      [url, "%" + url + "%"]).fetchone()
    return row if row else ("missing", "")


def test_the_run_exits_0(e2e):
    proc, con = e2e
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert con is not None
    status, seen, loaded, skipped, quarantined = con.execute(
        "select status, docs_seen, docs_loaded, docs_skipped, docs_quarantined from dq.runs").fetchone()
    assert status == "completed" and seen == loaded + skipped + quarantined


def test_good_pages_load(e2e):
    _, con = e2e
    articles = _articles(con)
    for name in ("good_seed.txt", "good_page.html"):
        assert _by_name(articles, name), name


def test_a_file_name_that_is_not_utf8_loads_with_its_bytes_escaped(e2e):
    _, con = e2e
    uris = [u for u in _articles(con) if u.endswith("caf\\xe9.txt")]
    assert len(uris) == 1
    size = con.execute("select byte_size from raw.sources where source_uri = ?", uris).fetchone()
    assert size is not None  # recorded, so an unchanged re-run skips it


def test_a_lone_surrogate_url_loads_replaced(e2e):
    _, con = e2e
    assert _by_url(con, "https://lone.example/a\ufffdb")[0] == "loaded"


def test_jsonl_lines_that_are_no_object_are_quarantined(e2e):
    _, con = e2e
    q = _quarantine(con)
    assert q.get(next(u for u in q if u.endswith("pages.jsonl#L2"))) == "bad_json_record"
    assert q.get(next(u for u in q if u.endswith("pages.jsonl#L3"))) == "bad_json_record"
    assert q.get(next(u for u in q if u.endswith("pages.jsonl#L4"))) == "too_large"


def test_a_damaged_jsonl_gzip_is_quarantined(e2e):
    _, con = e2e
    assert set(_by_name(_quarantine(con), "damaged.jsonl.gz")) == {"corrupt_gzip"}


def test_one_bad_byte_keeps_the_page_utf8(e2e):
    _, con = e2e
    (text,) = [t for u, (_, t) in _articles(con).items() if u.endswith("one_bad_byte.txt")]
    enc = con.execute("select encoding from raw.documents where source_uri like '%one_bad_byte.txt'").fetchone()[0]
    assert enc == "utf-8-replace"  # was mac_iceland, with "‚Äú" in the text
    assert "grève" in text or "é" in text


def test_mac_roman_mojibake_is_repaired(e2e):
    _, con = e2e
    (text,) = [t for u, (_, t) in _articles(con).items() if u.endswith("mac_roman_mojibake.txt")]
    assert "‚Ä" not in text and any("\u0400" <= c <= "\u04ff" for c in text)


def test_no_mojibake_in_any_article(e2e):
    _, con = e2e
    for uri, (_, text) in _articles(con).items():
        assert "‚Äú" not in text and "‚Äô" not in text and "â€" not in text, uri


def test_wrong_content_length_costs_only_its_record(e2e):
    _, con = e2e
    for host in ("w", "p"):
        assert _by_url(con, f"https://{host}.example/before")[0] == "loaded"
        assert _by_url(con, f"https://{host}.example/after")[0] == "loaded"
    q = _quarantine(con)
    assert set(_by_name(q, "crawl.warc.gz")) == {"bad_content_length"}
    assert set(_by_name(q, "plain.warc")) == {"bad_content_length"}


def test_a_cut_warc_record_is_quarantined_truncated(e2e):
    _, con = e2e
    assert _by_url(con, "https://c.example/whole")[0] == "loaded"
    assert _by_url(con, "https://c.example/cut")[0] != "loaded"
    assert set(_by_name(_quarantine(con), "cut.warc.gz")) == {"truncated_record"}


def test_a_warc_gz_that_is_no_warc_is_quarantined(e2e):
    _, con = e2e
    assert _by_name(_quarantine(con), "not_a_crawl.warc.gz") == ["not_warc"]
    summary = json.loads(con.execute("select summary_json from dq.runs").fetchone()[0])
    assert not summary["ignored_records"]  # was counted as ignored container records


def test_a_dangling_symlink_is_quarantined(e2e):
    _, con = e2e
    assert _by_name(_quarantine(con), "dangling.txt") == ["broken_symlink"]


def test_a_datatrove_jsonl_record_loads_as_its_html_page(e2e):
    _, con = e2e
    status, uri = _by_url(con, "https://dt.example/gaslager")
    assert status == "loaded" and uri.endswith("datatrove.jsonl#L1")
    title, text = con.execute("select title, text from mart.articles where source_uri = ?",
                              [uri]).fetchone()
    assert "Gaslager" in title and "Erdgasspeicher" in text and "<" not in text


def test_plain_text_markup_is_cleaned_and_a_line_dump_quarantined(e2e):
    _, con = e2e
    q = _quarantine(con)
    assert _by_name(q, "many_lines.txt") == ["too_many_lines"]
    # loaded, or quarantined for what it holds: never a timeout or an error
    assert all(r not in ("timeout", "worker_crashed") and not r.startswith("error_")
               for r in _by_name(q, "markup_first_line.txt")), _by_name(q, "markup_first_line.txt")
    assert _by_name(_articles(con), "markup_first_line.txt") or _by_name(q, "markup_first_line.txt")
