"""Build a benchmark corpus of N distinct pages from the shared extraction benchmark.

Sources: `../shared/bench/html/<id>.html.gz` (the page as fetched; its URL from
`manifest.jsonl` goes in as `<link rel="canonical">`, which is where trafilatura finds a
page's address) and `../shared/bench/text/<id>.txt` (the naive plain-text rendering).
Copies are cycled through the sources in a fixed order, HTML and text alternating, and
each copy is made unique (an HTML comment, or a last line, naming the copy), so every
document has its own content hash and nothing is skipped as a duplicate.

Writes:
  DIR/pages/NNNNNN-<id>.html.gz | .txt   the corpus newsflow reads (and the floor too)
  DIR/jsonl/shard-K.jsonl.gz             the same documents for datatrove's JsonlReader
  DIR/corpus.json                        what was built

    python bench/make_corpus.py DIR --docs 1000 [--shards 2] [--kind both|html|text]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


def load_sources(bench: Path, kind: str) -> list[dict]:
    rows = [json.loads(line) for line in (bench / "manifest.jsonl").read_text().splitlines() if line.strip()]
    rows.sort(key=lambda r: r["id"])
    out = []
    for r in rows:
        html = bench / "html" / f"{r['id']}.html.gz"
        text = bench / "text" / f"{r['id']}.txt"
        if kind in ("both", "html") and html.exists():
            out.append({"id": r["id"], "kind": "html", "url": r["url"],
                        "body": gzip.decompress(html.read_bytes()).decode("utf-8")})
        if kind in ("both", "text") and text.exists():
            out.append({"id": r["id"], "kind": "text", "url": r["url"],
                        "body": text.read_text(encoding="utf-8")})
    # Interleave so any prefix of the corpus has both kinds.
    html = [s for s in out if s["kind"] == "html"]
    text = [s for s in out if s["kind"] == "text"]
    mixed = [x for pair in zip(html, text) for x in pair] + html[len(text):] + text[len(html):]
    return mixed


def _with_canonical(html: str, url: str, tag: str) -> str:
    link = f'<link rel="canonical" href="{url}">'
    low = html[:4096].lower()
    i = low.find("<head")
    if i >= 0:
        j = html.find(">", i) + 1
        html = html[:j] + link + html[j:]
    else:
        html = link + html
    return html + f"\n<!-- {tag} -->\n"


def make_corpus(dest: Path, n_docs: int, shards: int = 2, kind: str = "both",
                bench: Path = BENCH) -> dict:
    sources = load_sources(bench, kind)
    if not sources:
        raise SystemExit(f"no pages under {bench}")
    pages = dest / "pages"
    jsonl = dest / "jsonl"
    pages.mkdir(parents=True, exist_ok=True)
    jsonl.mkdir(parents=True, exist_ok=True)
    writers = [gzip.open(jsonl / f"shard-{k}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1)
               for k in range(shards)]
    counts = {"html": 0, "text": 0}
    try:
        for i in range(n_docs):
            src = sources[i % len(sources)]
            tag = f"newsflow-bench copy {i:06d}"
            if src["kind"] == "html":
                body = _with_canonical(src["body"], src["url"], tag)
                path = pages / f"{i:06d}-{src['id'][:16]}.html.gz"
                path.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=1))
            else:
                body = src["body"].rstrip("\n") + f"\n{tag}\n"
                path = pages / f"{i:06d}-{src['id'][:16]}.txt"
                path.write_text(body, encoding="utf-8")
            counts[src["kind"]] += 1
            # Consecutive html/text pairs go to one shard: each shard gets the same mix of
            # kinds (`i % shards` with 2 shards put every html page in one shard and every
            # text page in the other, so datatrove ran on one core, not two).
            writers[(i // 2) % shards].write(json.dumps(
                {"id": path.name, "text": body, "metadata": {"url": src["url"], "kind": src["kind"]}}) + "\n")
    finally:
        for w in writers:
            w.close()
    info = {"docs": n_docs, "kinds": counts, "sources": len(sources), "shards": shards,
            "pages": str(pages), "jsonl": str(jsonl)}
    (dest / "corpus.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dest", type=Path)
    p.add_argument("--docs", type=int, default=1000)
    p.add_argument("--shards", type=int, default=os.cpu_count() or 1)
    p.add_argument("--kind", choices=("both", "html", "text"), default="both")
    p.add_argument("--bench", type=Path, default=BENCH)
    args = p.parse_args(argv)
    print(json.dumps(make_corpus(args.dest, args.docs, args.shards, args.kind, args.bench)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
