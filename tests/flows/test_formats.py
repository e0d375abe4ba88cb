"""WARC.gz and JSONL.gz load the same articles as the same pages in a folder with urls.tsv."""
import duckdb
import pytest

from flows.config import Settings
from flows.run.pipeline import run
from tests.conftest import FIXTURES
from tests.crawl_builders import write_jsonl, write_warc

PAGES = FIXTURES / "pages"
URLS = {"harbour_article.html": "https://harbourledger.example/2022/01/ferries",
        "valley_news.txt": "https://valley.example/orchards"}


def _articles(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(con.execute("select doc_id, title, text, language, outlet_domain from core.articles").fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded(prefect_harness, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    pages = [(URLS[n], (PAGES / n).read_bytes(), "text/html" if n.endswith(".html") else "text/plain")
             for n in sorted(URLS)]
    warc = write_warc(tmp / "crawl.warc.gz", pages)
    jsonl = write_jsonl(tmp / "crawl.jsonl.gz", [
        {"url": u, ("html" if ct == "text/html" else "text"): b.decode("utf-8")} for u, b, ct in pages])
    folder = tmp / "pages"
    folder.mkdir()
    for n in URLS:
        (folder / n).write_bytes((PAGES / n).read_bytes())
    (folder / "urls.tsv").write_text("".join(f"{n}\t{u}\n" for n, u in URLS.items()))
    out = {}
    for name, inputs in (("files", [str(folder)]),
                         ("warc", [str(warc)]), ("jsonl", [str(jsonl)])):
        s = Settings.from_env(tmp / f"{name}.duckdb", workers=1, batch_size=2)
        out[name] = (s, run(inputs, s))
    return out


def test_warc_and_jsonl_load_the_same_articles_as_files(loaded):
    files = _articles(loaded["files"][0].warehouse)
    assert len(files) == 2 and {a[4] for a in files} >= {"harbourledger.example"}
    assert _articles(loaded["warc"][0].warehouse) == files
    assert _articles(loaded["jsonl"][0].warehouse) == files


def test_container_records_keep_their_url_and_record_uri(loaded):
    s, summary = loaded["warc"]
    assert summary.ignored_records == {"warc_status_404": 1, "warc_not_html_or_text": 1}
    con = duckdb.connect(str(s.warehouse), read_only=True)
    rows = con.execute("select url, source_uri from core.articles order by url").fetchall()
    assert [r[0] for r in rows] == sorted(URLS.values())
    assert all("crawl.warc.gz#" in r[1] for r in rows)


def test_changed_page_at_same_url_is_a_linked_version(prefect_harness, tmp_path):
    s = Settings.from_env(tmp_path / "v.duckdb", workers=1)
    body = (PAGES / "harbour_article.html").read_bytes()
    url = URLS["harbour_article.html"]
    run([str(write_jsonl(tmp_path / "a.jsonl", [{"url": url, "html": body.decode()}]))], s)
    changed = body.decode().replace("winter crossings", "winter crossings and a night ferry")
    second = run([str(write_jsonl(tmp_path / "b.jsonl", [{"url": url, "html": changed}]))], s)
    assert second.loaded == 1
    con = duckdb.connect(str(s.warehouse), read_only=True)
    rows = con.execute("select doc_id, previous_doc_id from raw.documents where url = ? order by loaded_at",
                       [url]).fetchall()
    assert len(rows) == 2 and rows[0][1] is None and rows[1][1] == rows[0][0]
