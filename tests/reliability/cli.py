"""Run `newsflow run` as a user does: the installed command, in a subprocess, with the
default settings (none of the NEWSFLOW_* variables the rest of the suite sets)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CliRun:
    rc: int
    stdout: str
    stderr: str
    seconds: float
    peak_pss_mb: float


def newsflow_command() -> list[str]:
    exe = Path(sys.executable).with_name("newsflow")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.commands.cli"]


def default_env(prefect_home: Path) -> dict[str, str]:
    """The environment without newsflow's settings, with a PREFECT_HOME of the test's own
    (so a killed run's Prefect state stays in the test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")
           and k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env["PREFECT_HOME"] = str(prefect_home)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 900,
            measure_memory: bool = False) -> CliRun:
    """`newsflow ARGS`; with `measure_memory`, the peak PSS of its whole process tree
    (the flow, its extraction workers, Prefect's temporary server), polled every 0.2 s."""
    import psutil

    start = time.monotonic()
    proc = subprocess.Popen(newsflow_command() + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    if measure_memory:
        root = psutil.Process(proc.pid)
        while proc.poll() is None and time.monotonic() - start < timeout:
            total = 0
            try:
                for p in [root] + root.children(recursive=True):
                    try:
                        total += p.memory_full_info().pss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak = max(peak, total)
            time.sleep(0.2)
    out, err = proc.communicate(timeout=max(1.0, timeout - (time.monotonic() - start)))
    return CliRun(proc.returncode, out, err, time.monotonic() - start, peak / 2**20)
