"""Throughput and memory benchmark for `newsflow run` (issue 7). A script, not a test.

In one go, over the same N generated documents (bench/make_corpus.py):

  floor      bare trafilatura.extract + langdetect in a process pool, one worker per core:
             no Prefect, no GX, no DuckDB. What extraction alone costs on this machine.
  first      `newsflow run` end to end into a fresh warehouse (fresh PREFECT_HOME, so the
             start-up is included), as a subprocess.
  second     the same `newsflow run` again: everything is already loaded.
  datatrove  HuggingFace datatrove's extraction pipeline (JsonlReader -> Trafilatura ->
             JsonlWriter, LocalPipelineExecutor, one task and worker per core), run with the
             python of the bench virtualenv (.venv-bench, bench/requirements-peer.txt);
             then the same with a langdetect step (a LambdaFilter that sets the language),
             the closest peer to newsflow's work. `kept` counts the documents each wrote.

Each is a subprocess; its wall time, CPU time (all descendants, from rusage) and peak
resident memory (sum of PSS over the process tree, polled every 0.1 s) are recorded.

    python bench/run_bench.py                  # 1000 documents
    python bench/run_bench.py --docs 5000
    python bench/run_bench.py --quick          # 200 documents, a smoke run
    python bench/run_bench.py --kind html      # an all-HTML corpus (default: half text)
    python bench/run_bench.py --memory-scaling # newsflow peak RSS at 2000 vs 20000 docs

Targets (issue 17): at 5,000 docs, mixed and all-HTML, end-to-end wall and CPU <= 1.3x the
floor; on all-HTML, docs/s >= 0.5x datatrove + langdetect; peak PSS <= 1.0 GB; second run
<= 5% of the first.
The machine is printed with the figures; on a shared box, CPU seconds are the steadier
number (wall time includes waiting for other people's processes: see the load average).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import BENCH, make_corpus  # noqa: E402


@dataclass
class Measured:
    name: str
    docs: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    rc: int
    out: str = ""
    kept: int | None = None  # documents with output (datatrove drops what it cannot extract)

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.wall_s if self.wall_s else 0.0


def _pss(p) -> int:
    try:
        return p.memory_full_info().pss
    except (AttributeError, OSError):  # no /proc/PID/smaps_rollup: fall back to RSS
        return p.memory_info().rss


def measure(name: str, cmd: list[str], docs: int, env: dict | None = None, cwd=None,
            log: Path | None = None) -> Measured:
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out_f = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=out_f, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    import threading

    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    cpu_seen: dict[int, float] = {}  # last CPU time seen per process of the tree
    while proc.poll() is None:
        try:
            procs = [root] + root.children(recursive=True)
            total = 0
            for p in procs:
                try:
                    # PSS, not RSS: the extraction workers fork from a forkserver that has
                    # trafilatura and langdetect loaded, and RSS would count those shared
                    # pages once per worker. PSS splits shared pages between the processes.
                    total += _pss(p)
                    t = p.cpu_times()
                    cpu_seen[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    reader.join()
    if log:
        out_f.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # rusage covers every descendant that was waited for; pools that are terminated
    # without a wait are missed there, so take the larger of the two counts.
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
              sum(cpu_seen.values()))
    return Measured(name, docs, wall, cpu, peak / 2**20, proc.returncode, "".join(chunks))


# ---------------------------------------------------------------- the floor (run in a subprocess)

def _floor_one(path: str) -> int:
    import gzip

    import trafilatura
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    text = raw.decode("utf-8", errors="replace")
    if ".html" in path:
        # The options newsflow's clean stage uses (flows/stages/clean/cleaner.py).
        text = trafilatura.extract(text, favor_precision=True, with_metadata=True,
                                   include_comments=False, deduplicate=False) or ""
    if text.strip():
        try:
            detect(text)
        except Exception:
            pass
    return 1


def floor_main(pages: str, workers: int) -> int:
    from concurrent.futures import ProcessPoolExecutor

    paths = sorted(str(p) for p in Path(pages).iterdir())
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        n = sum(pool.map(_floor_one, paths, chunksize=8))
    print(json.dumps({"docs": n, "seconds": time.perf_counter() - t0}))
    return 0


# ---------------------------------------------------------------- datatrove (bench venv)

DATATROVE_SCRIPT = r"""
import sys, time, json
from importlib import metadata
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.filters import LambdaFilter
from datatrove.pipeline.writers import JsonlWriter


def set_language(doc):
    # The same langdetect call as the floor: seeded, on the extracted text; keep the document.
    from langdetect import DetectorFactory, detect
    DetectorFactory.seed = 0
    try:
        doc.metadata["language"] = detect(doc.text)
    except Exception:
        doc.metadata["language"] = "und"
    return True


src, out, logs, cores, lang = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
if __name__ == "__main__":
    t0 = time.perf_counter()
    steps = [JsonlReader(src), Trafilatura(favour_precision=True, timeout=30.0)]
    if lang:
        steps.append(LambdaFilter(set_language))
    LocalPipelineExecutor(
        pipeline=[*steps, JsonlWriter(out)],
        tasks=cores, workers=cores, logging_dir=logs, skip_completed=False,
    ).run()
    print(json.dumps({"seconds": time.perf_counter() - t0,
                      "datatrove": metadata.version("datatrove"),
                      "trafilatura": metadata.version("trafilatura")}))
"""


def count_jsonl(folder: Path) -> int:
    import gzip

    n = 0
    for f in folder.rglob("*.jsonl*"):
        opener = gzip.open if f.suffix == ".gz" else open
        with opener(f, "rt") as fh:
            n += sum(1 for _ in fh)
    return n


def loaded_articles(warehouse: Path) -> int | None:
    """Articles newsflow loaded (mart.articles rows), read-only."""
    try:
        import duckdb
    except ImportError:
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM mart.articles").fetchone()[0]


# ---------------------------------------------------------------- orchestration

def _env(prefect_home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL",)}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def newsflow_cmd(pages: Path, warehouse: Path) -> list[str]:
    return [sys.executable, "-m", "flows.commands.cli", "run", str(pages), "--warehouse", str(warehouse), "-q"]


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def versions() -> dict:
    out = {}
    for pkg in ("prefect", "trafilatura", "duckdb", "great-expectations", "langdetect"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "-"
    return out


def run_suite(args, work: Path) -> list[Measured]:
    cores = os.cpu_count() or 1
    info = make_corpus(work / "corpus", args.docs, shards=cores, kind=args.kind)
    pages = Path(info["pages"])
    n = args.docs
    results = []
    logs = work / "logs"
    logs.mkdir(exist_ok=True)

    floor_cmd = [sys.executable, __file__, "--floor-worker", str(pages), "--workers", str(cores)]
    results.append(measure("floor (trafilatura+langdetect, pool)", floor_cmd, n,
                           env=_env(work / "ph-floor"), log=logs / "floor.log"))

    home = work / "prefect-home"
    wh = work / "warehouse" / "bench.duckdb"
    first = measure("newsflow run (first, fresh warehouse)", newsflow_cmd(pages, wh), n,
                    env=_env(home), cwd=PROJECT, log=logs / "first.log")
    first.kept = loaded_articles(wh) if first.rc == 0 else None
    results.append(first)
    if not args.skip_second:
        results.append(measure("newsflow run (second, same inputs)", newsflow_cmd(pages, wh), n,
                               env=_env(home), cwd=PROJECT, log=logs / "second.log"))

    if not args.single_floor:
        # This shared machine drifts by 20-30 % within an hour: a floor measured on both
        # sides of newsflow's runs brackets them, and the ratios use the mean.
        results.append(measure("floor again (after newsflow)", floor_cmd, n,
                               env=_env(work / "ph-floor"), log=logs / "floor-again.log"))

    peer = Path(args.peer_python)
    if args.skip_peer:
        pass
    elif not peer.exists():
        print(f"(datatrove skipped: {peer} not found; `make bench` creates it)", file=sys.stderr)
    else:
        script = work / "datatrove_run.py"
        script.write_text(DATATROVE_SCRIPT)
        # Two rows: extraction only, and the same + a langdetect step (LambdaFilter), the
        # closest peer to newsflow's work short of metadata and a warehouse.
        for label, lang, tag in (("datatrove (reader->Trafilatura->writer)", "0", "dt"),
                                 ("datatrove + langdetect (LambdaFilter)", "1", "dtl")):
            m = measure(label, [str(peer), str(script), info["jsonl"], str(work / f"{tag}-out"),
                                str(work / f"{tag}-logs"), str(cores), lang], n,
                        env={**os.environ, "PYTHONPATH": ""}, log=logs / f"{tag}.log")
            if m.rc == 0:
                try:
                    m.out = json.loads(m.out.strip().splitlines()[-1]).get("datatrove", "")
                except (ValueError, IndexError):
                    pass
                m.kept = count_jsonl(work / f"{tag}-out")
            results.append(m)
    return results


def print_table(results: list[Measured], args, extra: dict) -> None:
    cores = os.cpu_count() or 1
    v = versions()
    print()
    print(f"newsflow bench: {args.docs} documents ({args.kind}), {cores} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{round(_mem_total_gb())} GB RAM")
    print("versions: " + ", ".join(f"{k} {x}" for k, x in v.items())
          + (f", datatrove {extra['datatrove']}" if extra.get("datatrove") else ""))
    print(f"load average before: {extra['load_before']}, after: {loadavg()}")
    print()
    print(f"| {'run':<42} | {'rc':>2} | {'wall s':>7} | {'cpu s':>7} | {'docs/s':>7} | "
          f"{'peak PSS MB':>11} | {'kept':>6} |")
    print(f"|{'-'*44}|{'-'*4}|{'-'*9}|{'-'*9}|{'-'*9}|{'-'*13}|{'-'*8}|")
    for r in results:
        kept = "" if r.kept is None else str(r.kept)
        print(f"| {r.name:<42} | {r.rc:>2} | {r.wall_s:>7.1f} | {r.cpu_s:>7.1f} | "
              f"{r.docs_per_s:>7.1f} | {r.peak_rss_mb:>11.0f} | {kept:>6} |")
    by = {r.name.split(" (")[0] + ("2" if "second" in r.name else ""): r for r in results}
    floor, first, second, peer = by.get("floor"), by.get("newsflow run"), by.get("newsflow run2"), by.get("datatrove")
    peer_lang = by.get("datatrove + langdetect")
    again = by.get("floor again")
    print()
    if floor and again:
        print(f"floor before / after newsflow: {floor.wall_s:.1f} / {again.wall_s:.1f} s wall; "
              "the ratios below use their mean")
        floor = Measured("floor", floor.docs, (floor.wall_s + again.wall_s) / 2,
                         (floor.cpu_s + again.cpu_s) / 2, max(floor.peak_rss_mb, again.peak_rss_mb),
                         max(floor.rc, again.rc), "")
    if floor and first:
        print(f"end-to-end / floor:  wall {first.wall_s / floor.wall_s:.2f}x, "
              f"cpu {first.cpu_s / floor.cpu_s:.2f}x   (target <= 1.3x at 5,000 docs)")
    if first and second:
        print(f"second / first:      wall {second.wall_s / first.wall_s:.1%}   (target <= 5%)")
    if first and peer and peer.rc == 0:
        print(f"newsflow / datatrove docs/s: {first.docs_per_s / peer.docs_per_s:.2f}x")
    if first and peer_lang and peer_lang.rc == 0:
        print(f"newsflow / datatrove+langdetect docs/s: "
              f"{first.docs_per_s / peer_lang.docs_per_s:.2f}x   (target >= 0.5x, all-HTML corpus)")
    if peer and floor and peer.rc == 0:
        print(f"datatrove / floor:   wall {peer.wall_s / floor.wall_s:.2f}x")


def _mem_total_gb() -> float:
    import psutil

    return psutil.virtual_memory().total / 2**30


def memory_scaling(args, work: Path) -> int:
    rows = []
    for n in args.scale_docs:
        d = work / f"scale-{n}"
        info = make_corpus(d / "corpus", n, shards=1, kind=args.kind)
        m = measure(f"newsflow run, {n} docs", newsflow_cmd(Path(info["pages"]), d / "wh" / "b.duckdb"), n,
                    env=_env(d / "prefect-home"), cwd=PROJECT, log=d / "run.log")
        rows.append(m)
        print(f"{m.name}: rc {m.rc}, wall {m.wall_s:.1f} s, cpu {m.cpu_s:.1f} s, "
              f"{m.docs_per_s:.1f} docs/s, peak PSS {m.peak_rss_mb:.0f} MB", flush=True)
        shutil.rmtree(d / "corpus", ignore_errors=True)
    if len(rows) >= 2:
        print(f"peak PSS {rows[-1].docs} / {rows[0].docs} docs: "
              f"{rows[-1].peak_rss_mb / rows[0].peak_rss_mb:.2f}x   (target <= 1.2x)")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=1000)
    p.add_argument("--quick", action="store_true", help="200 documents")
    p.add_argument("--kind", choices=("both", "html", "text"), default="both")
    p.add_argument("--memory-scaling", action="store_true",
                   help="only newsflow, at --scale-docs sizes; compare peak RSS")
    p.add_argument("--scale-docs", type=lambda s: [int(x) for x in s.split(",")], default=[2000, 20000])
    p.add_argument("--peer-python", default=str(PROJECT / ".venv-bench" / "bin" / "python"))
    p.add_argument("--skip-peer", action="store_true")
    p.add_argument("--skip-second", action="store_true")
    p.add_argument("--single-floor", action="store_true",
                   help="measure the floor once, before newsflow (default: before and after)")
    p.add_argument("--workdir", type=Path, help="keep the corpus and outputs here")
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    p.add_argument("--floor-worker", metavar="PAGES", help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.floor_worker:
        return floor_main(args.floor_worker, args.workers)
    if args.quick:
        args.docs = 200
    if not BENCH.exists():
        print(f"{BENCH} is not here (the shared bench data sits beside the project)", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.memory_scaling:
            return memory_scaling(args, work)
        load_before = loadavg()
        results = run_suite(args, work)
        extra = {"load_before": load_before,
                 "datatrove": next((r.out for r in results if r.name.startswith("datatrove")), "")}
        print_table(results, args, extra)
        if args.json:
            args.json.write_text(json.dumps({"docs": args.docs, "cores": os.cpu_count(), **extra,
                                             "versions": versions(),
                                             "results": [{**r.__dict__, "docs_per_s": r.docs_per_s}
                                                         for r in results]}, indent=2, default=str))
        failed = [r.name for r in results if r.rc != 0]
        if failed:
            print(f"failed: {', '.join(failed)} (logs in {work / 'logs'})", file=sys.stderr)
            return 1
        return 0
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
