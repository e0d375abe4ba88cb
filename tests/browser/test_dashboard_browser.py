"""The dashboard and Data Docs of real runs, opened in headless Debian chromium (offline).

The warehouse comes from the real flow over tests/fixtures/pages (two runs, then a failed
one recorded as the flow records it); chromium dumps the DOM it rendered and takes a
screenshot, with every proxy pointed at a closed port so nothing can be fetched. With NEWSFLOW_UPDATE_SCREENSHOT=1 the screenshot
also replaces docs/dashboard.png (the README's picture), so a plain test run leaves the
tree clean. Skips only when chromium is absent and we are not on CI; on CI it must run
(tests/install_system_deps.sh installs it).
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from flows.config import PROJECT_ROOT
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1", "--proxy-server=127.0.0.1:9"]
FAILED_REASON = "DuckDB ran out of its memory limit (16MB) while writing a batch"
SCREENSHOT_DOC = PROJECT_ROOT / "docs" / "dashboard.png"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required on CI: tests/install_system_deps.sh installs it")
    pytest.skip("chromium is not installed (run: sh tests/install_system_deps.sh); "
                "this test is skipped only outside CI")


def _run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="newsflow-chromium-") as profile:
        return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def dashboard(prefect_harness, tmp_path_factory):
    from flows.config import Settings
    from flows.reports.dashboard import write_dashboard
    from flows.run.pipeline import run

    import duckdb

    tmp = tmp_path_factory.mktemp("dash")
    settings = Settings.from_env(tmp / "w.duckdb", workers=1)
    first = run([str(FIXTURES / "pages")], settings)
    second = run([str(FIXTURES / "pages")], settings)
    con = duckdb.connect(str(settings.warehouse))
    con.execute("insert into dq.runs (run_id, started_at, finished_at, status, docs_seen, error) values "
                "('failed-run', current_timestamp, current_timestamp + interval 95 second, 'failed', 6, ?)",
                [FAILED_REASON])
    con.close()
    return write_dashboard(settings.warehouse), first, second, settings


def test_dashboard_renders_with_data_in_chromium(dashboard):
    binary = _chromium()
    page, first, second, settings = dashboard
    assert page == settings.dashboard_path
    out = _run_chromium(binary, "--dump-dom", page.as_uri())
    dom = out.stdout
    assert out.returncode == 0 and "<svg" in dom, out.stderr[-2000:]
    for chart in ("chart-runs", "chart-pass-grid", "chart-expectations", "chart-quarantine", "chart-outlets",
                  "chart-languages", "chart-boilerplate"):
        assert f'id="{chart}"' in dom, chart
    assert dom.count('class="run"') == 2 and dom.count('class="run run-failed"') == 1
    assert f'data-run-id="{first.run_id}"' in dom and f'data-run-id="{second.run_id}"' in dom
    assert 'id="kpi-runs">3<' in dom
    assert 'id="failed-runs"' in dom and FAILED_REASON in dom and "1 min 35 s" in dom
    assert dom.count('class="cell"') >= 10   # expectations x runs
    assert f'id="kpi-articles">{first.loaded}<' in dom
    assert f'id="kpi-quarantined">{first.quarantined}<' in dom
    for reason in ("empty_document", "binary_content", "no_article_text"):
        assert reason in dom
    assert "harbourledger" in dom.lower() or "Harbour" in dom


def test_dashboard_screenshot_is_not_blank(dashboard, tmp_path):
    binary = _chromium()
    page, _, _, _ = dashboard
    shot = tmp_path / "dashboard.png"
    out = _run_chromium(binary, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, out.stderr[-2000:]
    width, height, colours = _png_summary(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    assert colours >= 8, f"screenshot looks blank ({colours} distinct colours)"
    if os.environ.get("NEWSFLOW_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT_DOC.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT_DOC)


def test_data_docs_list_the_run_and_load_their_icons_offline(dashboard, tmp_path):
    """The Data Docs index lists the run that validated documents; a validation page's Font Awesome (the status
    icons) and Bootstrap come from the site itself: a probe page beside it asks the browser
    whether the icon font loaded, with the network unreachable."""
    binary = _chromium()
    _, first, second, settings = dashboard
    index = settings.data_docs_dir / "index.html"
    dom = _run_chromium(binary, "--dump-dom", index.as_uri()).stdout
    assert 'id="newsflow-index"' in dom
    assert f"<code>{first.run_id}</code>" in dom
    assert second.loaded == 0 and f"<code>{second.run_id}</code>" not in dom  # it validated nothing
    site = tmp_path / "site"
    shutil.copytree(settings.data_docs_dir, site)
    (page,) = list((site / "validations").rglob("*core.articles.html"))[:1]
    probe = page.with_name("probe.html")
    head = page.read_text(encoding="utf-8").split("</head>")[0]
    probe.write_text(head + """</head><body><i class="fas fa-check-circle text-success"></i>
<p id="out">waiting</p><script>
document.fonts.load('900 16px "Font Awesome 6 Free"').then(function () {
  var ok = document.fonts.check('900 16px "Font Awesome 6 Free"');
  var css = getComputedStyle(document.querySelector('.text-success')).color;
  document.getElementById('out').textContent = 'fa=' + ok + ' bootstrap-colour=' + css;
});
</script></body></html>""", encoding="utf-8")
    dom = _run_chromium(binary, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()).stdout
    assert "fa=true" in dom, dom[-500:]
    assert "bootstrap-colour=rgb(40, 167, 69)" in dom, dom[-500:]  # Bootstrap 4's .text-success


def _png_summary(data: bytes, sample_rows: int = 200) -> tuple[int, int, int]:
    """Width, height and the number of distinct pixel colours in a sample of rows of an
    8-bit RGB/RGBA PNG (what chromium writes): enough to tell a chart from a blank page."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours: set[bytes] = set()
    step = max(1, height // sample_rows)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        if y % step == 0:
            colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 4))
        prev = line
    return width, height, len(colours)
