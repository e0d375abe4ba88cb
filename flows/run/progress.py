"""Progress of a run: documents done / total, rate, ETA and quarantined so far.

Two halves, joined by one stdlib logger (`newsflow.progress`), so that the flow never knows
who watches it:

* `Tracker`, kept by the flow: counts documents as batches are read and as the extraction
  workers finish each one (a callback per document; no Prefect call), and writes a plain
  line to the run's Prefect log every `every_s` seconds and at each quarter, so a served run
  and the Prefect UI show progress without a log line per document.
* the reporters, installed by `newsflow run` on that logger: a live line on a terminal
  (rich), or plain periodic lines when stderr is a file or a pipe (logs, CI). The flow
  sends the tracker itself once, and a message per phase ("opening the warehouse..."); the
  reporters read the counts whenever they draw.

The total: the number of input files is known after discovery. Records inside WARC and
JSONL containers are not, so while containers are still being listed the total is an
estimate (each container not yet opened counted as the mean of those opened), shown as
`~2,000`; it becomes exact when the last container has been listed.

Imports nothing heavy (rich is imported by the terminal reporter only).
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

LOGGER_NAME = "newsflow.progress"
log = logging.getLogger(LOGGER_NAME)

PLAIN_EVERY_S = 10.0     # a plain line at least this often while documents get done
MILESTONE_PCT = 25       # and one at each quarter (when >= MIN_GAP_S since the last line)
MIN_GAP_S = 2.0
RATE_WINDOW_S = 30.0     # the rate is measured over the last half minute


# ---------------------------------------------------------------- formatting (pure)

@dataclass(frozen=True)
class Snapshot:
    """The counts at one moment; `total` is None when nothing is known yet."""

    done: int
    total: int | None
    quarantined: int = 0
    elapsed_s: float = 0.0
    rate: float | None = None      # documents per second, None until measurable
    estimated: bool = False        # the total is an estimate (containers still being listed)
    finished: bool = False
    # documents cleaned but whose batch is still being validated and loaded
    loading: int = 0

    @property
    def tail(self) -> bool:
        """Every document is cleaned; the last batches are being validated and loaded."""
        return (not self.finished and not self.estimated and self.total is not None
                and self.done >= self.total and self.loading > 0)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))

    @property
    def eta_s(self) -> float | None:
        if self.total is None or not self.rate or self.finished or self.tail:
            return None
        return max(0.0, (self.total - self.done) / self.rate)


def format_count(n: int) -> str:
    return f"{n:,}"


def format_duration(seconds: float) -> str:
    """0:25, 12:03, 1:02:03."""
    s = int(round(max(0.0, seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_progress(s: Snapshot) -> str:
    """`1,024/2,000 documents (51 %), 38.2 docs/s, ETA 0:25, 3 quarantined`."""
    if s.total is None:
        head = f"{format_count(s.done)} documents"
    else:
        total = ("~" if s.estimated else "") + format_count(max(s.total, s.done))
        pct = s.percent
        head = f"{format_count(s.done)}/{total} documents ({pct} %" + (
            ", total estimated" if s.estimated else "") + ")"
    parts = [head]
    if s.rate is not None:
        parts.append(f"{s.rate:.1f} docs/s")
    if s.finished:
        parts.append(f"in {format_duration(s.elapsed_s)}")
    elif s.eta_s is not None:
        parts.append(f"ETA {'~' if s.estimated else ''}{format_duration(s.eta_s)}")
    parts.append(f"{format_count(s.quarantined)} quarantined")
    if s.tail:
        parts.append(f"validating and loading the last {format_count(s.loading)}")
    return ", ".join(parts)


def plain_line(s: Snapshot) -> str:
    return "newsflow: " + format_progress(s)


class LineSchedule:
    """When a plain line is due: every `every_s` seconds while the count moves, at each
    `milestone_pct` step (at most one per `min_gap_s`), and always once finished."""

    def __init__(self, every_s: float = PLAIN_EVERY_S, milestone_pct: int = MILESTONE_PCT,
                 min_gap_s: float = MIN_GAP_S):
        self.every_s, self.milestone_pct, self.min_gap_s = every_s, milestone_pct, min_gap_s
        self.last_t: float | None = None
        self.last_done = -1
        self.last_step = 0
        self.finished = False

    def due(self, s: Snapshot, now: float) -> bool:
        if self.finished:
            return False
        if s.finished:
            return True
        if s.done == self.last_done:
            return False
        if self.last_t is None:
            return s.done > 0
        gap = now - self.last_t
        step = (s.percent or 0) // self.milestone_pct
        return gap >= self.every_s or (step > self.last_step and gap >= self.min_gap_s)

    def mark(self, s: Snapshot, now: float) -> None:
        self.last_t, self.last_done = now, s.done
        self.last_step = (s.percent or 0) // self.milestone_pct
        self.finished = s.finished


class RateMeter:
    """Documents per second over the last `window_s` seconds, counted from the first
    document done (the workers' start-up before it would make the first rate a crawl),
    and only once `min_span_s` have passed since."""

    def __init__(self, window_s: float = RATE_WINDOW_S, min_span_s: float = 2.0):
        self.window_s, self.min_span_s = window_s, min_span_s
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, done: int) -> None:
        if done == 0:
            return
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window_s:
            self.samples.popleft()

    def rate(self, now: float) -> float | None:
        if not self.samples:
            return None
        t0, d0 = self.samples[0]
        d1 = self.samples[-1][1]
        span = now - t0
        if span < self.min_span_s or d1 == d0:
            return None
        return (d1 - d0) / span


# ---------------------------------------------------------------- the flow's side

class Tracker:
    """The run's counts, updated from the flow's thread and the extraction thread.

    `run_log` (the Prefect run logger) gets a plain line on `LineSchedule`; `log` (the
    `newsflow.progress` logger) gets the tracker once and each phase message, for a
    terminal reporter to draw."""

    def __init__(self, total: int | None = None, *, estimated: bool = False, run_log=None,
                 clock: Callable[[], float] = time.monotonic, schedule: LineSchedule | None = None):
        self._lock = threading.Lock()
        self.clock = clock
        self.t0 = clock()
        self.total = total
        self.estimated = estimated
        self.run_log = run_log
        self.schedule = schedule or LineSchedule()
        self.rates = RateMeter()
        self.finished = False
        self.t_end: float | None = None
        self.phase = ""
        self._done = 0            # documents of finished batches
        self._quarantined = 0     # quarantined in finished batches (the summary's count)
        self._open: dict[int, list[int]] = {}  # batch -> [done, quarantined] while in flight
        # listing containers: files not yet opened, records listed, containers listed
        self._pages = 0
        self._containers_left = 0
        self._container_records = 0
        self._containers_done = 0

    # -- totals
    def count_sources(self, refs: Iterable, files: list[str]) -> Iterator:
        """`refs` (SourceRefs listed from `files`) counted as they are listed: plain files
        are known upfront, container records as they come; the total is exact once the
        last ref has been listed."""
        from flows.sources import input_kind

        kinds = [input_kind(f) for f in files]
        with self._lock:
            self._pages = sum(k == "page" for k in kinds)
            self._containers_left = len(kinds) - self._pages
            self.estimated = self._containers_left > 0
            self.total = len(files)
        return self._counted(refs)

    def _counted(self, refs: Iterable) -> Iterator:
        current: str | None = None
        listed = 0
        for ref in refs:
            container = getattr(ref, "container", None)
            with self._lock:
                if container is not None:
                    if container != current:
                        current = container
                        self._containers_left = max(0, self._containers_left - 1)
                        self._containers_done += 1
                    self._container_records += 1
                listed += 1
                self._update_estimate(listed)
            yield ref
        with self._lock:
            self.total, self.estimated = listed, False

    def _update_estimate(self, listed: int) -> None:
        if not self.estimated:
            return
        mean = self._container_records / self._containers_done if self._containers_done else 1
        estimate = self._pages + self._container_records + round(self._containers_left * mean)
        self.total = max(listed, estimate)

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total, self.estimated = total, False
        self._tick()

    # -- counts
    def batch_read(self, n: int, refs: int, new_docs: int, quarantined: int) -> None:
        """Batch `n` was read: its documents other than the `new_docs` to extract are done
        (skipped, or quarantined by the read: `quarantined`)."""
        with self._lock:
            self._open[n] = [max(0, refs - new_docs), quarantined]
        self._tick()

    def extracted_callback(self, n: int) -> Callable[[int, int], None]:
        """For the extraction pool: called with (documents done, of them rejected)."""
        def on_docs(done: int, rejected: int = 0) -> None:
            with self._lock:
                counts = self._open.setdefault(n, [0, 0])
                counts[0] += done
                counts[1] += rejected
            self._tick()
        return on_docs

    def batch_finished(self, n: int, refs: int, quarantined_total: int) -> None:
        """Batch `n` was validated and loaded: its `refs` documents are done and the run's
        quarantine count is the summary's."""
        with self._lock:
            self._open.pop(n, None)
            self._done += refs
            self._quarantined = quarantined_total
        self._tick()

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self.clock() if self.t_end is None else self.t_end
            done = self._done + sum(c[0] for c in self._open.values())
            if self.total is not None and not self.estimated:
                done = min(done, self.total)
            quarantined = self._quarantined + sum(c[1] for c in self._open.values())
            elapsed = now - self.t0
            # finished: the run's mean rate; while running: the last half minute's
            rate = ((done / elapsed if elapsed > 0 else None) if self.finished
                    else self.rates.rate(now))
            loading = sum(c[0] for c in self._open.values())
            return Snapshot(done=done, total=self.total, quarantined=quarantined,
                            elapsed_s=elapsed, rate=rate, estimated=self.estimated,
                            finished=self.finished, loading=loading)

    def _tick(self) -> None:
        with self._lock:
            now = self.clock()
            self.rates.add(now, self._done + sum(c[0] for c in self._open.values()))
        if self.run_log is None:
            return
        s = self.snapshot()
        with self._lock:
            if not self.schedule.due(s, now):
                return
            self.schedule.mark(s, now)
        self.run_log.info(format_progress(s))

    # -- phases
    def begin(self) -> None:
        """Hand the tracker to the reporters (the terminal line starts counting)."""
        self.phase = ""
        log.info("processing documents", extra={"tracker": self})
        if self.run_log is not None and self.total is not None:
            what = format_count(self.total) + (" input files (container records counted as they "
                                               "are read)" if self.estimated else " documents")
            self.run_log.info("processing %s", what)

    def status(self, text: str) -> None:
        self.phase = text
        status(text, self.run_log)

    def finish(self) -> None:
        """The documents are done (or the run failed): the last progress line. Idempotent."""
        with self._lock:
            if self.finished:
                return
            self.finished = True
            self.t_end = self.clock()
            self.phase = ""
            if self.total is not None:
                self.total, self.estimated = max(self.total, self._done), False
        self._tick()
        log.info("documents done", extra={"tracker": self, "finished": True})


def status(text: str, run_log=None) -> None:
    """A phase of the run ("opening the warehouse..."), for the reporters and the run log."""
    log.info(text, extra={"status": text})
    if run_log is not None:
        run_log.info(text)


def summary_line(s) -> str:
    """One line for the run log: `completed: 2,000 seen, 1,990 loaded, ...`."""
    parts = [f"{format_count(s.seen)} seen", f"{format_count(s.loaded)} loaded"]
    if s.staged:
        parts.append(f"{format_count(s.staged)} staged")
    parts.append(f"{format_count(s.skipped)} skipped")
    q = f"{format_count(s.quarantined)} quarantined"
    if s.quarantine_reasons:
        q += " (" + ", ".join(f"{k} {v}" for k, v in sorted(
            s.quarantine_reasons.items(), key=lambda kv: (-kv[1], kv[0]))) + ")"
    parts.append(q)
    return f"run {s.status}: " + ", ".join(parts)


# ---------------------------------------------------------------- the terminal's side

class Reporter(logging.Handler):
    """Base reporter: receives the tracker and phase messages from `newsflow.progress`."""

    def __init__(self, stream=None, clock: Callable[[], float] = time.monotonic):
        super().__init__(logging.INFO)
        self._stream = stream
        self.clock = clock
        self.tracker: Tracker | None = None
        self.phase = ""
        self.phase_t = clock()

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if getattr(record, "tracker", None) is not None:
                self.tracker = record.tracker
                if getattr(record, "finished", False):
                    self.on_finish()
                else:
                    self.on_tracker()
            elif getattr(record, "status", None):
                self.phase, self.phase_t = record.status, self.clock()
                self.on_status(record.status)
        except Exception:
            self.handleError(record)

    def on_tracker(self) -> None: ...
    def on_status(self, text: str) -> None: ...
    def on_finish(self) -> None: ...

    # Not stopped by close(): logging.config.dictConfig (Prefect's logging set-up, when
    # prefect is imported) closes every existing handler, though they stay attached.
    def stop(self) -> None: ...


class PlainReporter(Reporter):
    """Plain lines: each phase once, progress on `LineSchedule` (a ticker thread checks it
    every `poll_s`, so a line comes even while the flow is busy elsewhere)."""

    def __init__(self, stream=None, clock=time.monotonic, schedule: LineSchedule | None = None,
                 poll_s: float = 1.0):
        super().__init__(stream, clock)
        self.schedule = schedule or LineSchedule()
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def on_status(self, text: str) -> None:
        self._write("newsflow: " + text)

    def on_tracker(self) -> None:
        if self.tracker.total is not None:
            total = self.tracker.total
            self._write(f"newsflow: {format_count(total)} " + (
                "input files; records inside WARC/JSONL files are counted as they are read"
                if self.tracker.estimated else "documents to go through"))
        if self._thread is None:
            self._thread = threading.Thread(target=self._tick_loop, name="newsflow-progress",
                                            daemon=True)
            self._thread.start()

    def poll(self) -> None:
        if self.tracker is None:
            return
        s = self.tracker.snapshot()
        now = self.clock()
        with self._lock:
            if self.schedule.due(s, now):
                self.schedule.mark(s, now)
                self._write(plain_line(s))

    def _tick_loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.poll()

    def on_finish(self) -> None:
        self.poll()
        self.stop()

    def stop(self) -> None:
        self._stop.set()


class LiveReporter(Reporter):
    """One live line on a terminal (rich), redrawn four times a second: the phase with a
    spinner before documents flow, then done/total, a bar, rate, ETA and quarantined."""

    def __init__(self, stream=None, clock=time.monotonic):
        super().__init__(stream, clock)
        self._live = None
        self._console = None

    def _start(self) -> None:
        if self._live is not None:
            return
        from rich.console import Console
        from rich.live import Live

        console = Console(file=self._stream) if self._stream is not None else Console(stderr=True)
        self._console = console
        self._live = Live(_Line(self), console=console, refresh_per_second=4, transient=True,
                          redirect_stdout=False, redirect_stderr=True)
        self._live.start()

    def on_status(self, text: str) -> None:
        self._start()

    def on_tracker(self) -> None:
        self._start()

    def on_finish(self) -> None:
        """The live line goes; the final progress line stays, and later phases (the
        post-load steps) show on a new live line until the run ends."""
        self.stop()
        tracker, self.tracker = self.tracker, None
        if tracker is not None and self._console is not None:
            from rich.text import Text

            self._console.print(Text(plain_line(tracker.snapshot())), soft_wrap=True)

    def stop(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()


class _Line:
    """The live line's renderable: recomputed at every refresh."""

    def __init__(self, reporter: LiveReporter):
        self.r = reporter
        from rich.spinner import Spinner

        self.spinner = Spinner("dots", style="cyan")

    def __rich__(self):
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        r = self.r
        grid = Table.grid(padding=(0, 1))
        for _ in range(4):  # one line, whatever the width: long text ends in an ellipsis
            grid.add_column(no_wrap=True, overflow="ellipsis")
        if r.tracker is None:
            grid.add_row(self.spinner, Text(f"{r.phase} ({int(r.clock() - r.phase_t)} s)"))
            return grid
        s = r.tracker.snapshot()
        bar = ProgressBar(total=max(1, s.total or 1), completed=s.done if s.total else 0, width=24,
                          pulse=s.total is None)
        text = Text(format_progress(s))
        phase = r.tracker.phase if r.tracker.phase and not s.finished else ""
        grid.add_row(self.spinner, bar, text, Text(phase, style="dim"))
        return grid


def install(quiet: bool, live: bool | None = None, stream=None) -> Reporter | None:
    """The reporter for this terminal on `newsflow.progress` (none when `quiet`): a live
    line when `live` (default: stderr is a terminal), else plain lines."""
    uninstall()
    lg = logging.getLogger(LOGGER_NAME)
    lg.propagate = False
    if quiet:
        lg.setLevel(logging.WARNING)
        return None
    lg.setLevel(logging.INFO)
    out = stream if stream is not None else sys.stderr
    if live is None:
        live = bool(getattr(out, "isatty", lambda: False)())
    reporter = LiveReporter(stream) if live else PlainReporter(stream)
    lg.addHandler(reporter)
    return reporter


def uninstall() -> None:
    """Stop and remove the reporters (the live line is cleared; printed lines stay)."""
    lg = logging.getLogger(LOGGER_NAME)
    for h in list(lg.handlers):
        lg.removeHandler(h)
        if isinstance(h, Reporter):
            h.stop()
        h.close()
