"""Good articles are never quarantined by our own checks, end to end through `newsflow run`.

Each fixture page reproduces a cause that quarantined real pages of the shared corpora
(fundus, trafilatura-eval) and failed here before its fix:

* two web.archive.org captures of different sites: one `domain:web.archive.org` outlet
  with two site names failed the outlets suite's uniqueness check (failed_outlets);
* one domain under two site names in one batch, and a third name in a later run with
  batches of one: one outlet row with aliases, never a second row or a failure;
* an XHTML page opening with `<?xml ... encoding=...?>`: lxml refused it (no_article_text);
* a Japanese article: counted by spaces it was 2 "words" (word_count_out_of_range);
* a tutorial quoting `<iframe ...>` embed code as text (markup_in_text).

Two CLI runs (~10-15 s each with the Prefect server).
"""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from flows.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

PROSE = ("The harbour authority said on Tuesday that the new ferry timetable would start next "
         "month, after a long consultation with residents, shop owners and the island's schools. "
         "Officials expect the change to cut waiting times at the pier by almost half in summer.")


def _page(title: str, site_name: str | None, paragraphs: list[str], head: str = "",
          declaration: str = "", lang: str = "en") -> str:
    meta = f'<meta property="og:site_name" content="{site_name}">' if site_name else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'{declaration}<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title>{meta}{head}</head><body><article><h1>{title}</h1>{body}"
            "</article></body></html>")


def _paras(topic: str, n: int = 4) -> list[str]:
    return [f"{topic}: {PROSE} Paragraph {i} adds that the plan is reviewed every year." for i in range(n)]


JAPANESE = [
    "政府は二十日、新しい経済対策を閣議決定した。総額は約十兆円に上る見通しで、物価高に苦しむ家計を支援する。",
    "岸田首相は記者会見で「国民の暮らしを守るため、あらゆる手段を講じる」と述べ、年内の補正予算成立を目指す考えを示した。",
    "対策には電気・ガス料金の負担軽減や、低所得世帯への給付金が盛り込まれた。野党は効果が不十分だと批判している。",
]

EMBED = ('&lt;iframe width="476" height="267" src="https://video.example/embed/?pid=14030919" '
         'frameborder="0" allowfullscreen&gt;&lt;/iframe&gt;')


def _corpus(root):
    """(folder, {file: url}) of the first run's pages."""
    pages = {
        "archived_blog.html": ("https://web.archive.org/web/20110106023242/http://blog.harbour.example/ferries",
                               _page("Ferries to run on time", "The Harbour Blog", _paras("Ferries"))),
        "archived_club.html": ("https://web.archive.org/web/20120611024252/http://www.rowing-club.example/news/7",
                               _page("Rowing club opens boathouse", "Rowing Club News", _paras("Rowing"))),
        "gazette_1.html": ("https://www.gazette.example/2024/05/tram",
                           _page("Tram line extended", "Gazette", _paras("Tram"))),
        "gazette_2.html": ("https://www.gazette.example/2024/05/bridge",
                           _page("Bridge repairs start", "Gazette.example", _paras("Bridge"))),
        "xhtml.html": ("https://www.oldsite.example/article/1",
                       _page("Library reopens", "Old Site", _paras("Library"),
                             declaration='<?xml version="1.0" encoding="UTF-8"?>\n')),
        "japanese.html": ("https://www.shimbun.example/articles/20250121",
                          _page("新しい経済対策を閣議決定", "架空新聞", JAPANESE, lang="ja")),
        "embed_tutorial.html": ("https://www.tutorials.example/embed-video",
                                _page("How to embed our video player", "Tutorials",
                                      _paras("Embedding", 3) + [
                                          "Paste this embed code into your page where the video should go:",
                                          f"<code>{EMBED}</code>",
                                          "Wrap it in a &lt;div class=\"video\"&gt; element to style it."])),
    }
    root.mkdir()
    manifest = ["# file\turl"]
    for name, (url, html) in pages.items():
        (root / name).write_text(html, encoding="utf-8")
        manifest.append(f"{name}\t{url}")
    (root / "urls.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return root, len(pages)


def _run(folder, warehouse, *extra):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), NEWSFLOW_WORKERS="1")
    proc = subprocess.run([sys.executable, "-m", "flows.commands.cli", "run", str(folder), "--warehouse",
                           str(warehouse), *extra], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_good_pages_are_never_quarantined(tmp_path):
    first, n_first = _corpus(tmp_path / "first")
    second = tmp_path / "second"
    second.mkdir()
    (second / "gazette_3.html").write_text(
        _page("Harbour market reopens", "The Gazette", _paras("Market")), encoding="utf-8")
    (second / "urls.tsv").write_text("# file\turl\ngazette_3.html\thttps://gazette.example/2024/06/market\n",
                                     encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    _run(first, warehouse)
    _run(second, warehouse, "--batch-size", "1")

    con = duckdb.connect(str(warehouse), read_only=True)
    quarantined = con.execute("select source_uri, reason, detail from dq.quarantine").fetchall()
    assert quarantined == []
    loaded = {os.path.basename(u) for (u,) in con.execute("select source_uri from mart.articles").fetchall()}
    assert loaded == {p.name for p in first.glob("*.html")} | {"gazette_3.html"}
    assert len(loaded) == n_first + 1

    outlets = dict(con.execute("select outlet_key, list_sort(list_prepend(name, aliases)) "
                               "from core.outlets").fetchall())
    # archived pages: the archived sites, not the archive
    assert outlets["domain:blog.harbour.example"] == ["The Harbour Blog"]
    assert outlets["domain:rowing-club.example"] == ["Rowing Club News"]
    assert not any("archive.org" in k for k in outlets)
    # one domain, three site names over two runs: one row, the other names as aliases
    assert outlets["domain:gazette.example"] == ["Gazette", "Gazette.example", "The Gazette"]
    assert con.execute("select name from core.outlets where outlet_key = 'domain:gazette.example'"
                       ).fetchone() == ("Gazette",)
    # the Japanese article's word count is its length in words, not in spaces
    (words,) = con.execute("select word_count from mart.articles where source_uri like '%japanese.html'"
                           ).fetchone()
    assert words > 100
    (text,) = con.execute("select text from mart.articles where source_uri like '%embed_tutorial.html'"
                          ).fetchone()
    assert "<iframe" in text
