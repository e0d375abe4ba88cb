"""newsflow on the shared corpora (../shared/corpora), scored by the corpora's own scorers.

    python bench/corpora.py                       # all four: fundus/trafilatura-eval x html/text
    python bench/corpora.py --only fundus-html --keep /tmp/w   # keep the warehouses
    python bench/corpora.py --json OUT.json

Each corpus is run through the real command (`newsflow run DIR --warehouse W`, default
settings, a fresh warehouse) and scored by `../shared/tools/score_fundus.py` or
`score_trafeval.py`, exactly the commands a closing note quotes. So the figures include
what validation quarantines (a quarantined page counts as a miss, as the scorers do).
`bench/quality.py --corpora` prints the body columns, `bench/detect_quality.py --corpora`
the metadata columns; tests/acceptance/test_corpora_quality.py pins floors on them.

The corpora are dev halves of larger sets (the other half, other publishers, checks that a
gain generalises), so these figures guard regressions; they are not a tuning target for
single pages.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
CORPORA = ("fundus-html", "fundus-text", "trafeval-html", "trafeval-text")
_DIRS = {"fundus": "fundus", "trafeval": "trafilatura-eval"}
# The scorers' summary keys each table shows (score_fundus.py summary["all"]).
BODY_KEYS = ("body_P", "body_R", "body_F1")
META_KEYS = ("title_ok90", "author_ok", "date_ok", "publisher_ok", "language_ok")


def _newsflow() -> list[str]:
    """The `newsflow` command of the interpreter running this script."""
    exe = Path(sys.executable).parent / "newsflow"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from flows.commands.cli import entry; entry()"]


def corpus_dir(shared: Path, name: str) -> Path:
    family, kind = name.split("-")
    return shared / "corpora" / _DIRS[family] / kind


def run_corpus(shared: Path, name: str, workdir: Path) -> tuple[Path, float]:
    """Run newsflow on one corpus into a fresh warehouse; (warehouse, wall seconds)."""
    wh = workdir / f"{name}.duckdb"
    env = {**os.environ, "TQDM_DISABLE": "1"}
    t = time.perf_counter()
    subprocess.run([*_newsflow(), "run", str(corpus_dir(shared, name)), "--warehouse", str(wh),
                    "-q"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return wh, time.perf_counter() - t


def score(shared: Path, name: str, warehouse: Path) -> dict[str, float | int | str]:
    """The scorer's summary over all pages (missing pages count as misses)."""
    tools = shared / "tools"
    if name.startswith("fundus"):
        with tempfile.TemporaryDirectory(prefix="newsflow-score-") as tmp:
            out = Path(tmp) / "score.json"
            subprocess.run([sys.executable, str(tools / "score_fundus.py"),
                            str(shared / "corpora" / "fundus"), "--warehouse", str(warehouse),
                            "--json", str(out)], check=True, stdout=subprocess.DEVNULL)
            return json.loads(out.read_text(encoding="utf-8"))["summary"]["all"]
    res = subprocess.run([sys.executable, str(tools / "score_trafeval.py"),
                          str(shared / "corpora" / "trafilatura-eval"), "--warehouse",
                          str(warehouse), "--json"], check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def measure(shared: Path, names: tuple[str, ...] = CORPORA, keep: Path | None = None
            ) -> dict[str, dict]:
    """Run and score each named corpus: {name: scorer summary + `wall_s`}."""
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newsflow-corpora-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        out = {}
        for name in names:
            for old in workdir.glob(f"{name}.*"):  # a fresh warehouse, reports and log
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            wh, wall = run_corpus(shared, name, workdir)
            out[name] = {**score(shared, name, wh), "wall_s": round(wall, 1)}
        return out
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def available(shared: Path) -> bool:
    return (shared / "corpora" / "fundus" / "gold").is_dir() and (shared / "tools").is_dir()


def print_body(results: dict[str, dict]) -> None:
    print("| corpus | precision | recall | F |")
    print("|---|---|---|---|")
    for name, r in results.items():
        if name.startswith("fundus"):
            print(f"| {name} body token F1 | {r['body_P']:.3f} | {r['body_R']:.3f} | "
                  f"{r['body_F1']:.3f} |")
        else:
            print(f"| {name} snippets | {r['precision']:.3f} | {r['recall']:.3f} | "
                  f"{r['f1']:.3f} |")


def print_meta(results: dict[str, dict]) -> None:
    print("| corpus | title (tok F1 >= 0.9) | author | date | publisher | language |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        if name.startswith("fundus"):
            print(f"| {name} | " + " | ".join(f"{r[k]:.3f} ({r[k + '_n']})" for k in META_KEYS)
                  + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--only", default=",".join(CORPORA),
                    help=f"comma-separated subset of {', '.join(CORPORA)}")
    ap.add_argument("--keep", type=Path, help="write the warehouses here and keep them")
    ap.add_argument("--json", type=Path, help="write all summaries here")
    args = ap.parse_args(argv)
    names = tuple(n for n in args.only.split(",") if n)
    unknown = set(names) - set(CORPORA)
    if unknown:
        ap.error(f"unknown corpus {sorted(unknown)}; choose from {', '.join(CORPORA)}")
    if not available(args.shared):
        ap.error(f"no corpora under {args.shared} (../shared beside the project)")
    results = measure(args.shared, names, args.keep)
    print_body(results)
    print()
    print_meta(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
