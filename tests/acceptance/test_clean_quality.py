"""Acceptance: the seeds against gold.json line by line, and the bench against pinned floors.

Reads ../shared/seeds and ../shared/bench (relative to the project root); skips with a
message when they are absent. Floors live in quality_floors.json: raise them when the
score rises, never lower them silently. Bench text is scored with the shipped model
(trained on this dev split, so this guards regressions; the generalisation figure is
`python bench/quality.py --cv`). Runs in well under a minute.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.records import CleanPage, RawDocument
from flows.stages.clean.cleaner import CleanOptions, clean
from flows.stages.clean.lines import load_line_rules

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SEEDS, BENCH = SHARED / "seeds", SHARED / "bench"
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text())


@pytest.fixture(scope="module")
def opts():
    return CleanOptions(rules=load_line_rules(ROOT / "warehouse" / "reference"))


def _norm(s: str) -> str:
    return " ".join(s.split())


def _seed_cases():
    if not (SEEDS / "gold.json").exists():
        return []
    gold = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))["documents"]
    return sorted(gold.items())


@pytest.mark.skipif(not (SEEDS / "gold.json").exists(), reason=f"no seeds at {SEEDS}")
@pytest.mark.parametrize("name,gold", _seed_cases(), ids=[n for n, _ in _seed_cases()])
def test_seed_against_gold(opts, name, gold):
    raw = (SEEDS / name).read_text(encoding="utf-8")
    src = raw.replace("\r\n", "\n").split("\n")
    page = clean(RawDocument(name, name, None, "text", raw, "utf-8", len(raw)), opts)
    assert isinstance(page, CleanPage), page
    assert page.title == gold["title"]
    kept = {_norm(p) for p in page.paragraphs}
    for no in gold["lines"].get("body", []):
        assert _norm(src[no - 1]) in kept, f"body line {no} dropped: {src[no - 1][:80]}"
    for no in gold["lines"].get("boilerplate", []) + gold["lines"].get("title", []):
        assert _norm(src[no - 1]) not in kept, f"line {no} kept: {src[no - 1][:80]}"
    assert gold["title"] not in page.paragraphs
    removed = {d.line_no: d for d in page.lines if not d.keep}
    assert all(d.reason != "kept" and d.rule for d in removed.values())


def _evaluate(pred: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(BENCH / "evaluate.py"), str(pred),
                          "--bench", str(BENCH), *extra],
                         capture_output=True, text=True, check=True).stdout
    parts = out.strip().splitlines()[-1].split()
    return {parts[i]: float(parts[i + 1]) for i in range(0, len(parts) - 1, 2)}


def _ids() -> list[str]:
    with open(BENCH / "manifest.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f]


@pytest.mark.skipif(not (BENCH / "evaluate.py").exists(), reason=f"no bench at {BENCH}")
def test_bench_text_floors(opts, tmp_path):
    for doc_id in _ids():
        text = (BENCH / "text" / f"{doc_id}.txt").read_text(encoding="utf-8")
        page = clean(RawDocument(doc_id, doc_id, None, "text", text, "utf-8", len(text)), opts)
        kept = [d.text for d in page.lines if d.keep] if isinstance(page, CleanPage) else []
        (tmp_path / f"{doc_id}.txt").write_text("\n".join(kept), encoding="utf-8")
    tok, lines = _evaluate(tmp_path), _evaluate(tmp_path, "--lines")
    floors = FLOORS["text"]
    assert tok["f1"] >= floors["token_f1"], tok
    assert tok["recall"] >= floors["token_recall"], tok
    assert lines["f1"] >= floors["line_f1"], lines


@pytest.mark.skipif(not (BENCH / "evaluate.py").exists(), reason=f"no bench at {BENCH}")
def test_bench_html_floors(opts, tmp_path):
    for doc_id in _ids():
        with gzip.open(BENCH / "html" / f"{doc_id}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        page = clean(RawDocument(doc_id, doc_id, None, "html", html, "utf-8", len(html)), opts)
        text = page.text if isinstance(page, CleanPage) else ""
        (tmp_path / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    gram = _evaluate(tmp_path, "--ngram", "4")
    assert gram["f1"] >= FLOORS["html"]["ngram4_f1"], gram
