"""Start-up of a one-shot `newsflow run`: get a Prefect API up while the flow's imports load.

Where the seconds of a cold run went (2 cores, Prefect 3.9.1):

* Prefect's temporary server is a `uvicorn` subprocess that imports `prefect.server`
  (4-5 s) and then, on a fresh PREFECT_HOME, runs every alembic migration on an empty
  SQLite file (10-16 s) before it answers `/health`. Prefect starts it only when the flow
  is first called, after the CLI has already imported prefect, the flow and (later) GX.
* `import great_expectations` costs ~6 s and happened at the first `validate` task.

So a run here does three things instead:

1. `seed_prefect_home`: when the Prefect database does not exist yet, copy in a database
   migrated once at set-up time (`make setup` runs `python -m flows.run.startup --build-template`).
   It is Prefect's own migration output for the installed Prefect version, stored beside
   that version in the virtualenv; if it is missing or Prefect was upgraded, nothing is
   copied and Prefect migrates as usual. When the database is at the template's alembic
   revision (`database_is_current`), the server skips its migration check (~0.7 s) and
   the re-registration of block types (~1.2 s) on start; otherwise Prefect checks and
   migrates forward as usual.
2. `TemporaryApi`: start the same uvicorn process Prefect would start (ephemeral mode, no
   UI), on a socket we bind first and hand over with `--fd`, so the port cannot be taken in
   between, and point `PREFECT_API_URL` at it *before* prefect is imported. A
   `PREFECT_API_URL` the user set (a running server) is used as it is.
3. `warm_imports`: import great_expectations in a thread while the server boots on the
   other core (nearly free in wall time: the flow process would otherwise wait for the
   server), unless no input changed since the warehouse was last written
   (`inputs_changed_since`): a re-run that validates nothing does not pay for GX. trafilatura and langdetect are not imported here: the workers' forkserver
   preloads them (`flows/run/_worker_preload.py`); the main process never needs them.

This module imports nothing heavy and never imports prefect.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

log = logging.getLogger("newsflow")

DB_NAME = "prefect.db"
MEMO_NAME = "memo_store.toml"
CONNECTION_URL_VARS = ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL")


# ---------------------------------------------------------------- where Prefect keeps things

def prefect_home(environ=None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def _active_profile(environ) -> dict:
    """The active profile's settings from profiles.toml (read with tomllib: importing
    prefect.settings would import all of prefect, which is what we want to overlap)."""
    path = Path(environ.get("PREFECT_PROFILES_PATH") or prefect_home(environ) / "profiles.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    name = environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    return dict(data.get("profiles", {}).get(name, {}))


def configured_api_url(environ=None) -> str | None:
    """PREFECT_API_URL from the environment or the active profile, if any."""
    env = os.environ if environ is None else environ
    return env.get("PREFECT_API_URL") or _active_profile(env).get("PREFECT_API_URL") or None


def _custom_database(environ) -> bool:
    profile = _active_profile(environ)
    return any(environ.get(k) or profile.get(k) for k in CONNECTION_URL_VARS)


def template_dir(environ=None) -> Path:
    """Where the pre-migrated database for the installed Prefect version lives: inside the
    virtualenv (it belongs to the installed Prefect), or NEWSFLOW_PREFECT_TEMPLATE."""
    env = os.environ if environ is None else environ
    if env.get("NEWSFLOW_PREFECT_TEMPLATE"):
        return Path(env["NEWSFLOW_PREFECT_TEMPLATE"])
    version = metadata.version("prefect")
    return Path(sys.prefix) / "share" / "newsflow" / f"prefect-{version}"


# ---------------------------------------------------------------- 1. pre-migrated database

def seed_prefect_home(environ=None, template: Path | None = None) -> bool:
    """Copy the pre-migrated database into a PREFECT_HOME that has none. True if copied.

    Never overwrites: the copy is written beside the target and hard-linked into place,
    which fails if another run created the database meanwhile."""
    env = os.environ if environ is None else environ
    if _custom_database(env):
        return False
    template = template or template_dir(env)
    src = template / DB_NAME
    home = prefect_home(env)
    dest = home / DB_NAME
    if dest.exists() or not src.is_file():
        return False
    home.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".prefect-db-", dir=home)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        try:
            os.link(tmp, dest)
        except FileExistsError:
            return False
    finally:
        os.unlink(tmp)
    memo = template / MEMO_NAME
    if memo.is_file() and not (home / MEMO_NAME).exists():
        shutil.copyfile(memo, home / MEMO_NAME)
    log.debug("seeded %s from %s", dest, src)
    return True


def build_template(dest: Path | None = None, timeout_s: float = 600) -> Path:
    """Run Prefect's own start-up (migrations, block registration) once in an empty
    PREFECT_HOME and keep the resulting database as the template."""
    dest = dest or template_dir()
    with tempfile.TemporaryDirectory(prefix="newsflow-prefect-") as home:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PREFECT_API_URL", *CONNECTION_URL_VARS)}
        env["PREFECT_HOME"] = home
        env["PREFECT_PROFILES_PATH"] = str(Path(home) / "profiles.toml")
        api = TemporaryApi(environ=env)
        api.start()
        try:
            api.wait_ready(timeout_s)
        finally:
            api.stop()
        dest.mkdir(parents=True, exist_ok=True)
        tmp = dest / (DB_NAME + ".tmp")
        # The backup API gives one consistent file, whatever the journal mode left behind.
        src = sqlite3.connect(Path(home) / DB_NAME)
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
        os.replace(tmp, dest / DB_NAME)
        if (Path(home) / MEMO_NAME).is_file():
            shutil.copyfile(Path(home) / MEMO_NAME, dest / MEMO_NAME)
    return dest


MIGRATE_VARS = ("PREFECT_API_DATABASE_MIGRATE_ON_START", "PREFECT_SERVER_DATABASE_MIGRATE_ON_START")


def _alembic_revisions(db: Path) -> frozenset[str] | None:
    """The alembic revision(s) a Prefect SQLite database is at; None if unreadable."""
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            rows = con.execute("select version_num from alembic_version").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return frozenset(r[0] for r in rows) or None


def database_is_current(environ=None) -> bool:
    """Whether PREFECT_HOME's database is already at the revision of the template built
    for the installed Prefect (`build_template`): then the server's migration check on
    start (alembic loading every migration script, ~0.7 s here) can be skipped. False
    whenever that is not known: no template, another database, or the user chose."""
    env = os.environ if environ is None else environ
    profile = _active_profile(env)
    if _custom_database(env) or any(env.get(k) or profile.get(k) for k in MIGRATE_VARS):
        return False
    current = _alembic_revisions(prefect_home(env) / DB_NAME)
    return current is not None and current == _alembic_revisions(template_dir(env) / DB_NAME)


# What the temporary server may skip on a database at the template's revision. The
# template was made by a server that registered Prefect's block types; registering them
# again means importing every installed collection and hashing the block registry first
# (Prefect's memoised check), ~1.2 s of a ~5.5 s boot here. newsflow uses no blocks; a
# collection installed later gets its blocks registered by the next `prefect server start`.
SKIP_ON_CURRENT_DATABASE = {
    "PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
}
BLOCK_VARS = ("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "PREFECT_API_BLOCKS_REGISTER_ON_START",
              "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION",
              "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION")


def current_database_settings(environ=None) -> dict[str, str]:
    """Settings for the temporary server that skip its start-up checks (migrations, block
    registration) when `database_is_current`; none if the user set any of them."""
    env = os.environ if environ is None else environ
    if not database_is_current(env):
        return {}
    profile = _active_profile(env)
    user_chose_blocks = any(env.get(k) or profile.get(k) for k in BLOCK_VARS)
    return {k: v for k, v in SKIP_ON_CURRENT_DATABASE.items()
            if not (user_chose_blocks and k in BLOCK_VARS)}


# ---------------------------------------------------------------- 2. the temporary API

class TemporaryApi:
    """Prefect's temporary server, started early on a socket we already hold."""

    def __init__(self, environ=None):
        self.environ = dict(os.environ if environ is None else environ)
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def log_path(self) -> Path:
        """Where the server's output goes (one file per PREFECT_HOME, rewritten each run)."""
        return prefect_home(self.environ) / "newsflow-temporary-server.log"

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        tail = "\n".join(text.splitlines()[-lines:])
        return f"\nLast lines of {self.log_path}:\n{tail}" if tail else ""

    def start(self) -> "TemporaryApi":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        env = {**self.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        # The server's own output goes to a log file, not the terminal: stopping it at the
        # end of a run often cancels its task-run recorder mid-write, and Prefect logs that
        # as an ERROR with tracebacks (the events are retried) after newsflow's summary.
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        output = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                 "--fd", str(sock.fileno()), "--log-level", "error", "--lifespan", "on"],
                env=env, pass_fds=(sock.fileno(),), stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT)
        finally:
            sock.close()  # the child holds its own copy
            output.close()
        atexit.register(self.stop)
        return self

    def wait_ready(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"the temporary Prefect server exited (code {code}) before it "
                                   f"was ready.{self._log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout_s:.0f} s."
                           f"{self._log_tail()}")

    def stop(self) -> None:
        p, self.process = self.process, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---------------------------------------------------------------- 3. imports in the background

# GX only: the flow builds its validator (a GX context) only once a batch has documents,
# but the import itself is cheapest here, during the server's boot. trafilatura and
# langdetect are preloaded in the extraction workers' forkserver instead.
WARM_MODULES: tuple[str, ...] = ("great_expectations",)


def warm_imports(modules=WARM_MODULES) -> threading.Thread:
    """Import slow modules in a daemon thread; a later `import` simply finds them loaded
    (or waits on the module lock while the thread finishes it)."""
    def work():
        import importlib
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the real import later reports the problem
                log.debug("background import of %s failed", name, exc_info=True)

    t = threading.Thread(target=work, name="newsflow-warm-imports", daemon=True)
    t.start()
    return t


# What the extraction workers' forkserver imports once, so each worker forks ready.
WORKER_PRELOAD: tuple[str, ...] = ("flows.run.worker", "flows.run._worker_preload")


def start_forkserver() -> None:
    """Start multiprocessing's forkserver with the workers' libraries preloaded (~2.5 s of
    CPU: trafilatura, langdetect's profiles, the stop lists). Called during the server's
    boot, when the flow process only waits; the pool later finds it running. Idempotent."""
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_PRELOAD))
    forkserver.ensure_running()


def inputs_changed_since(inputs, warehouse: Path, *, limit: int = 200_000) -> bool:
    """Whether any input file was modified after the warehouse file was last written (or
    no inputs are given, there is no warehouse yet, an input is not a plain file or
    folder, or there are more than `limit` files to look at).

    Only decides whether GX is worth importing early: a re-run over unchanged inputs
    loads nothing, validates nothing and should not spend ~6 s of CPU on the import. A
    wrong guess costs time, never correctness (the validator imports GX when it is first
    needed)."""
    if not inputs:  # the configured default inputs: let the flow find out
        return True
    try:
        since = Path(warehouse).stat().st_mtime_ns
    except OSError:
        return True
    seen = 0
    stack = [str(i) for i in inputs]
    while stack:
        item = stack.pop()
        try:
            st = os.stat(item)
        except OSError:  # a glob, or missing: the flow will say what is wrong
            return True
        if not os.path.isdir(item):
            seen += 1
            if st.st_mtime_ns > since or seen > limit:
                return True
            continue
        try:
            with os.scandir(item) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        seen += 1
                        if entry.stat().st_mtime_ns > since or seen > limit:
                            return True
        except OSError:
            return True
    return False


# ---------------------------------------------------------------- the one call the CLI makes

class Startup:
    """What `begin` started; `ready()` before the flow, `close()` after it."""

    def __init__(self, api: TemporaryApi | None, warm: threading.Thread | None, timeout_s: float):
        self.api, self.warm, self.timeout_s = api, warm, timeout_s

    def ready(self) -> None:
        if self.api is not None:
            self.api.wait_ready(self.timeout_s)

    def close(self) -> None:
        if self.api is not None:
            self.api.stop()

    def __enter__(self) -> "Startup":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def begin(environ=None, warm: bool = True) -> Startup:
    """Call before anything imports prefect. Starts the API (unless one is configured) and
    background imports; sets PREFECT_API_URL so Prefect does not start its own server."""
    env = os.environ if environ is None else environ
    timeout_s = float(env.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 180)
    api = None
    if not configured_api_url(env) and env.get("NEWSFLOW_EARLY_SERVER", "1") != "0":
        seed_prefect_home(env)
        api = TemporaryApi({**env, **current_database_settings(env)}).start()
        env["PREFECT_API_URL"] = api.url
    thread = warm_imports() if warm and WARM_MODULES else None
    return Startup(api, thread, timeout_s)


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="Build the pre-migrated Prefect database for this virtualenv.")
    p.add_argument("--build-template", action="store_true")
    p.add_argument("--dest", type=Path)
    args = p.parse_args(argv)
    if not args.build_template:
        p.print_help()
        return 0
    from flows.config import apply_library_environment

    apply_library_environment()
    t0 = time.monotonic()
    dest = build_template(args.dest)
    print(f"newsflow: pre-migrated Prefect database in {dest} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
