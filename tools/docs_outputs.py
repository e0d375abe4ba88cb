"""Regenerate, and check, what the README and docs/ show: query outputs and shell commands.

The outputs in README.md and docs/*.md sit between markers naming what produced them:

    <!-- output: sql/analysis/who_cites_whom.sql -->          a file run by the DuckDB shell
    <!-- output: newsflow search "false flag" --limit 2 -->   or a shell command, run as shown
    ```text
    ...                                                       rewritten by this script
    ```
    <!-- /output -->

Everything runs in a sandbox that looks like a fresh clone after `make run`: a directory
with `warehouse/news.duckdb` built by `newsflow run` from examples/ (exactly what `make run`
does), and `sql/`, `examples/`, `.venv/` linked from the project. Shell commands run there
with `.venv/bin` first on PATH and `NEWSFLOW_WAREHOUSE` pointing at the sandbox's warehouse.
The project's absolute path is shown as `…` (it differs per clone).

    .venv/bin/python tools/docs_outputs.py            # rewrite the outputs (make docs-outputs)
    .venv/bin/python tools/docs_outputs.py --check    # exit 1 if any shown output is stale
    .venv/bin/python tools/docs_outputs.py --commands # run every ```sh command (bar SKIP)

tests/docs/ runs the last two on one sandbox.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
LINKED = ("sql", "examples", ".venv")

OUTPUT_BLOCK = re.compile(
    r"(?P<open><!-- output: (?P<what>.+?) -->\n)(?P<body>.*?)(?P<close><!-- /output -->)", re.S)
SH_BLOCK = re.compile(r"^```sh\n(?P<body>.*?)^```$", re.S | re.M)

# Commands from ```sh blocks that the checker does not run, and why. Matched against each
# command (continuation lines joined, comments stripped) with re.search.
SKIP = (
    (r"^make (run|setup)\b", "builds the real warehouse/: the sandbox is built the same way"),
    (r"^make (test|bench|bench-quality)\b|^\.ci/run\b", "the test suite or a benchmark itself"),
    (r"^(\.venv/bin/)?python .*bench/", "a benchmark: minutes, not seconds"),
    (r"\bnewsflow serve\b", "runs until stopped and needs a running Prefect server"),
    (r"^prefect ", "needs a running Prefect server (and a work pool)"),
    (r"^export ", "points later commands at the user's own server or paths"),
    (r"\bnewsflow run\b(?!.*--help)", "a run: the sandbox fixture is one; more would each take ~10 s"),
    (r"(^|\s)(/data/|\.\./crawl)", "placeholder paths for the user's own crawl"),
)


@dataclass
class Sandbox:
    root: Path
    env: dict

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "news.duckdb"


def clean_env(prefect_home: Path) -> dict:
    """The user's environment without newsflow's settings or a Prefect server."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSFLOW_") and k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false", GX_ANALYTICS_ENABLED="false")
    return env


def build_sandbox(root: Path) -> Sandbox:
    """A fresh clone after `make run`, in `root` (which must be empty or missing)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    (root / "warehouse").mkdir()
    env = clean_env(root / "prefect-home")
    box = Sandbox(root, env)
    # `make run` is `.venv/bin/newsflow run`: the bundled sample corpus into the warehouse.
    done = subprocess.run([str(VENV_BIN / "newsflow"), "run", "--quiet", "--warehouse", str(box.warehouse)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"newsflow run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    box.env = dict(env, NEWSFLOW_WAREHOUSE=str(box.warehouse))
    return box


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shown_command(what: str) -> str:
    """The shell command behind a marker: a .sql file goes through the DuckDB shell."""
    if what.endswith(".sql") and " " not in what:
        return f"duckdb -readonly warehouse/news.duckdb -f {shlex.quote(what)}"
    return what


def normalise(text: str, box: Sandbox) -> str:
    for path in (str(box.root.resolve()), str(box.root), str(ROOT)):
        text = text.replace(path + "/", "…/")
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def run_shown(box: Sandbox, what: str) -> str:
    cmd = shown_command(what)
    done = subprocess.run(["bash", "-c", cmd], cwd=box.root, env=box.env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"`{cmd}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return normalise(done.stdout, box)


def render(box: Sandbox, text: str) -> str:
    """`text` with every marked output replaced by what its command prints now."""
    def replace(m: re.Match) -> str:
        return f"{m['open']}```text\n{run_shown(box, m['what'])}```\n{m['close']}"
    return OUTPUT_BLOCK.sub(replace, text)


def stale_outputs(box: Sandbox, files: list[Path] | None = None) -> dict[Path, str]:
    """{file: unified diff} for every file whose shown outputs differ from a fresh run."""
    stale = {}
    for path in files or doc_files():
        old = path.read_text(encoding="utf-8")
        new = render(box, old)
        if new != old:
            rel = path.relative_to(ROOT)
            stale[path] = "".join(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), f"{rel} (shown)", f"{rel} (now)"))
    return stale


@dataclass
class Command:
    file: Path
    line: int
    text: str

    def where(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"


def shell_blocks(path: Path) -> list[list[Command]]:
    """The commands of each ```sh block: continuation lines joined, comments dropped."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for m in SH_BLOCK.finditer(text):
        first = text.count("\n", 0, m.start("body")) + 1
        commands, pending, start = [], "", first
        for i, raw in enumerate(m["body"].splitlines()):
            if not pending:
                start = first + i
            line = raw.rstrip()
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            full = strip_comment(pending + line).strip()
            pending = ""
            if full:
                commands.append(Command(path, start, full))
        blocks.append(commands)
    return blocks


def strip_comment(line: str) -> str:
    """A line without its trailing `# comment` (a # inside quotes stays)."""
    quote, out = None, []
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            break
        out.append(ch)
    return "".join(out)


def skip_reason(command: str) -> str | None:
    for pattern, reason in SKIP:
        if re.search(pattern, command):
            return reason
    return None


def run_block(box: Sandbox, block: list[Command]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run a block's commands in one shell (so `. .venv/bin/activate` carries on), stopping at
    the first failure. Returns the result and the commands it skipped, with why."""
    script, skipped = ["set -e"], []
    for cmd in block:
        reason = skip_reason(cmd.text)
        if reason:
            skipped.append(f"{cmd.where()}: {cmd.text}  ({reason})")
            continue
        script.append(f"echo {shlex.quote('$ ' + cmd.text)} >&2")
        script.append(f"{cmd.text} > /dev/null")
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=box.root, env=box.env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    return done, skipped


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="report stale outputs, change nothing")
    p.add_argument("--commands", action="store_true", help="run the ```sh commands")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsflow-docs-") as tmp:
        box = build_sandbox(Path(tmp) / "clone")
        rc = 0
        if args.commands:
            for path in doc_files():
                for block in shell_blocks(path):
                    if not block:
                        continue
                    done, skipped = run_block(box, block)
                    for s in skipped:
                        print(f"skipped {s}")
                    if done.returncode != 0:
                        rc = 1
                        print(f"FAILED {block[0].where()}:\n{done.stderr}", file=sys.stderr)
            return rc
        stale = stale_outputs(box)
        for path, diff in stale.items():
            if args.check:
                sys.stdout.write(diff)
            else:
                path.write_text(render(box, path.read_text(encoding="utf-8")), encoding="utf-8")
                print(f"rewrote outputs in {path.relative_to(ROOT)}")
        if not stale:
            print("all shown outputs are current")
        return 1 if (stale and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
