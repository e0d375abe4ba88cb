"""Detect-stage quality on the seeds and the HTML bench in ../shared (not part of the test run).

    PYTHONPATH=. python bench/detect_quality.py [--shared ../shared] [--per-doc] [--corpora]

Prints, for the five seeds, the publisher / wire / citations found against gold.json, and for
the bench (`bench/html/<id>.html.gz`, through the clean stage):

* outlet domain == manifest `domain` (both without `www.`), with the manifest URL passed as
  `RawDocument.url` and again with url=None (HTML metadata only);
* language == manifest `lang_guess`;
* the time detect takes per page.

`--corpora` adds title, author, date, publisher and language on ../shared/corpora/fundus
(HTML and plain text) through the real `newsflow run`, scored by its scorer (`bench/corpora.py`).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.records import Article, RawDocument, Rejection  # noqa: E402
from flows.stages.clean.cleaner import CleanOptions, clean  # noqa: E402
from flows.stages.detect.detector import detect, load_registry  # noqa: E402
from flows.stages.clean.lines import load_line_rules  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"


def _doc(text: str, source: str, url: str | None, content_type: str) -> RawDocument:
    data = text.encode("utf-8")
    return RawDocument(hashlib.sha256(data).hexdigest(), source, url, content_type, text,
                       "utf-8", len(data))


def _strip(d: str | None) -> str | None:
    return d.lower().removeprefix("www.") if d else None


def seed_articles(shared: Path, reference_dir: Path, seed: int = 0) -> dict[str, Article]:
    registry = load_registry(reference_dir)
    opts = CleanOptions(rules=load_line_rules(reference_dir))
    out = {}
    for f in sorted((shared / "seeds").glob("*.txt")):
        page = clean(_doc(f.read_text(encoding="utf-8"), str(f), None, "text"), opts)
        if not isinstance(page, Rejection):
            out[f.name] = detect(page, registry, seed)
    return out


@dataclass
class BenchRow:
    id: str
    domain: str
    lang_guess: str
    outlet_domain: str | None
    outlet_domain_nourl: str | None
    outlet_name: str | None
    language: str
    detect_s: float


def bench_rows(shared: Path, reference_dir: Path, seed: int = 0) -> list[BenchRow]:
    registry = load_registry(reference_dir)
    opts = CleanOptions(rules=load_line_rules(reference_dir))
    bench = shared / "bench"
    rows = []
    for line in (bench / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        m = json.loads(line)
        html = gzip.open(bench / "html" / f"{m['id']}.html.gz").read().decode("utf-8")
        found = {}
        for url in (m["url"], None):
            page = clean(_doc(html, f"bench/html/{m['id']}.html.gz", url, "html"), opts)
            if isinstance(page, Rejection):
                found[url is not None] = (None, None, "und", 0.0)
                continue
            t = time.perf_counter()
            a = detect(page, registry, seed)
            dt = time.perf_counter() - t
            found[url is not None] = (a.outlet.domain if a.outlet else None,
                                      a.outlet.name if a.outlet else None, a.language, dt)
        rows.append(BenchRow(m["id"], m["domain"], m["lang_guess"], found[True][0],
                             found[False][0], found[True][1], found[True][2], found[True][3]))
    return rows


def bench_scores(rows: list[BenchRow]) -> dict[str, float]:
    n = len(rows) or 1
    return {
        "pages": len(rows),
        "outlet_domain_with_url": sum(_strip(r.outlet_domain) == _strip(r.domain)
                                      for r in rows) / n,
        "outlet_domain_no_url": sum(_strip(r.outlet_domain_nourl) == _strip(r.domain)
                                    for r in rows) / n,
        "language": sum(r.language == r.lang_guess for r in rows) / n,
        "detect_ms_mean": 1000 * sum(r.detect_s for r in rows) / n,
        "detect_ms_max": 1000 * max((r.detect_s for r in rows), default=0.0),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--reference", type=Path, default=ROOT / "warehouse" / "reference")
    ap.add_argument("--per-doc", action="store_true", help="list bench misses")
    ap.add_argument("--corpora", action="store_true",
                    help="also run and score the fundus corpus (HTML and text)")
    args = ap.parse_args(argv)
    print(f"machine: {platform.platform()} python {platform.python_version()}")

    gold = json.loads((args.shared / "seeds" / "gold.json").read_text())["documents"]
    print("\n== seeds (plain text through clean)")
    for name, a in seed_articles(args.shared, args.reference).items():
        g = gold.get(name, {})
        o, w = a.outlet, a.wire
        print(f"{name}: lang={a.language} ({a.language_confidence:.2f}) gold={g.get('language')}")
        print(f"  publisher: {o.name + ' / ' + str(o.domain) + f' conf={o.confidence:.2f}' if o else None}"
              f"   gold: {(g.get('outlet') or {}).get('name')}")
        for ev in (o.evidence if o else ()):
            print(f"    evidence {ev.signal} line {ev.line_no}: {ev.text[:90]}")
        print(f"  wire: {w.name + f' conf={w.confidence:.2f}' if w else None}"
              f"   gold: {(g.get('wire') or {}).get('name')}")
        for ev in (w.evidence if w else ()):
            print(f"    evidence {ev.signal} line {ev.line_no}: {ev.text[:90]}")
        for c in a.citations:
            print(f"  cites {c.name} [{c.pattern}]: {c.sentence[:80]}")
        for p in a.paragraph_languages:
            if p.foreign:
                print(f"  foreign paragraph {p.paragraph_no}: {p.language} {p.script}")

    print("\n== bench (HTML through clean)")
    t = time.perf_counter()
    rows = bench_rows(args.shared, args.reference)
    s = bench_scores(rows)
    print(f"pages {s['pages']}  (clean+detect wall {time.perf_counter() - t:.1f}s)")
    print(f"outlet_domain == manifest domain, url given : {s['outlet_domain_with_url']:.4f}")
    print(f"outlet_domain == manifest domain, url=None  : {s['outlet_domain_no_url']:.4f}")
    print(f"language == lang_guess                      : {s['language']:.4f}")
    print(f"detect time per page: mean {s['detect_ms_mean']:.1f} ms, max {s['detect_ms_max']:.1f} ms")
    if args.per_doc:
        for r in rows:
            if _strip(r.outlet_domain) != _strip(r.domain):
                print(f"  outlet miss (url): {r.domain} -> {r.outlet_domain}")
            if _strip(r.outlet_domain_nourl) != _strip(r.domain):
                print(f"  outlet miss (no url): {r.domain} -> {r.outlet_domain_nourl} ({r.outlet_name})")
            if r.language != r.lang_guess:
                print(f"  language miss: {r.domain} {r.id[:12]} {r.lang_guess} -> {r.language}")
    if args.corpora:
        import corpora  # bench/corpora.py, beside this script

        print("\n== corpora (newsflow run, scored by ../shared/tools/score_fundus.py)")
        corpora.print_meta(corpora.measure(args.shared, ("fundus-html", "fundus-text")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
