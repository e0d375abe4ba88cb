"""Progress: the line's wording, rate and ETA, when plain lines are due, the tracker's counts."""
import io
import logging

from flows.run.progress import (LineSchedule, PlainReporter, RateMeter, Snapshot, Tracker,
                            format_duration, format_progress, install, plain_line, summary_line,
                            uninstall)
from flows.records import SourceRef


class Clock:
    def __init__(self, t: float = 100.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_line_says_done_total_percent_rate_eta_and_quarantined():
    s = Snapshot(done=1024, total=2000, quarantined=3, elapsed_s=26.8, rate=39.0)
    assert plain_line(s) == ("newsflow: 1,024/2,000 documents (51 %), 39.0 docs/s, ETA 0:25, "
                             "3 quarantined")


def test_an_estimated_total_says_so():
    s = Snapshot(done=10, total=400, rate=5.0, estimated=True)
    assert format_progress(s) == ("10/~400 documents (2 %, total estimated), 5.0 docs/s, "
                                  "ETA ~1:18, 0 quarantined")


def test_no_rate_yet_means_no_eta_and_the_finished_line_gives_the_time():
    assert format_progress(Snapshot(done=0, total=17)) == "0/17 documents (0 %), 0 quarantined"
    done = Snapshot(done=17, total=17, elapsed_s=62, rate=0.27, finished=True)
    assert format_progress(done) == "17/17 documents (100 %), 0.3 docs/s, in 1:02, 0 quarantined"
    assert format_progress(Snapshot(done=5, total=None)) == "5 documents, 0 quarantined"


def test_the_tail_says_the_last_batches_are_loading_without_an_eta():
    s = Snapshot(done=2000, total=2000, rate=50.0, loading=488)
    assert format_progress(s) == ("2,000/2,000 documents (100 %), 50.0 docs/s, 0 quarantined, "
                                  "validating and loading the last 488")


def test_durations():
    assert [format_duration(x) for x in (0, 25.4, 61, 3723)] == ["0:00", "0:25", "1:01", "1:02:03"]


def test_rate_is_measured_over_the_recent_window():
    m = RateMeter(window_s=30)
    for t in range(0, 100, 5):
        m.add(float(t), t * (1 if t < 60 else 3))  # 1 doc/s, then faster
    assert m.rate(95.0) > 2.0  # the early slow minute has left the window
    assert RateMeter().rate(0.0) is None


def test_the_rate_starts_with_the_first_document_done():
    m = RateMeter()
    m.add(0.0, 0)   # the batch is read; the workers start (10 s)
    m.add(10.0, 1)  # the first document
    assert m.rate(11.0) is None  # too soon to say
    m.add(14.0, 41)
    assert m.rate(14.0) == 10.0  # not 41/14


def test_plain_lines_every_ten_seconds_or_each_quarter_and_at_the_end():
    sched = LineSchedule(every_s=10, milestone_pct=25, min_gap_s=2)
    due = []
    for t, done in [(0, 0), (1, 10), (3, 20), (5, 30), (15, 40), (16, 50), (18, 60), (21, 80), (22, 100)]:
        s = Snapshot(done=done, total=100, finished=done == 100)
        if sched.due(s, t):
            sched.mark(s, t)
            due.append(done)
    # the first count, 30 % (a quarter crossed), 10 s later, 60 (a half), 80 (3/4), the end
    assert due == [10, 30, 40, 60, 80, 100]
    assert not sched.due(Snapshot(done=100, total=100, finished=True), 30)


def test_tracker_counts_per_document_and_per_batch():
    clock = Clock()
    t = Tracker(total=20, clock=clock)
    t.batch_read(1, refs=10, new_docs=8, quarantined=1)  # 2 skipped or rejected by the read
    cb = t.extracted_callback(1)
    cb(1, 0)
    cb(1, 1)
    s = t.snapshot()
    assert (s.done, s.quarantined) == (4, 2)
    t.batch_finished(1, refs=10, quarantined_total=3)  # validation quarantined one more
    assert (t.snapshot().done, t.snapshot().quarantined) == (10, 3)
    clock.t += 10
    t.finish()
    s = t.snapshot()
    assert s.finished and s.rate == 1.0 and s.elapsed_s == 10


def test_container_records_make_an_estimated_total_until_listed():
    t = Tracker()
    files = ["/a/one.html", "/a/c1.warc.gz", "/a/c2.warc.gz"]
    refs = [SourceRef("/a/one.html")] + [SourceRef(f"/a/c1.warc.gz#{i}", container="/a/c1.warc.gz")
                                         for i in range(4)] + \
        [SourceRef(f"/a/c2.warc.gz#{i}", container="/a/c2.warc.gz") for i in range(6)]
    it = t.count_sources(refs, files)
    assert (t.total, t.estimated) == (3, True)
    for _ in range(3):  # the page and two records of the first container
        next(it)
    assert t.estimated and t.total == 1 + 2 + 2  # c2 counted as c1 so far
    list(it)
    assert (t.total, t.estimated) == (11, False)


class RunLog:
    def __init__(self):
        self.lines = []

    def info(self, msg, *args):
        self.lines.append(msg % args if args else msg)


def test_the_run_log_gets_periodic_lines_not_one_per_document():
    clock = Clock(0.0)
    run_log = RunLog()
    t = Tracker(total=1000, clock=clock, run_log=run_log)
    t.begin()
    t.batch_read(1, refs=1000, new_docs=1000, quarantined=0)
    cb = t.extracted_callback(1)
    for i in range(1000):
        clock.t = i * 0.1  # 10 docs/s for 100 s
        cb(1, 0)
    t.batch_finished(1, 1000, 0)
    t.finish()
    progress = [line for line in run_log.lines if "documents (" in line]
    assert 8 <= len(progress) <= 14, progress
    assert progress[-1].startswith("1,000/1,000 documents (100 %)")
    assert run_log.lines[0] == "processing 1,000 documents"


def test_plain_reporter_prints_phases_and_progress_lines():
    out = io.StringIO()
    clock = Clock(0.0)
    reporter = install(quiet=False, live=False, stream=out)
    assert isinstance(reporter, PlainReporter)
    reporter.clock = clock
    try:
        t = Tracker(total=4, clock=clock)
        t.status("opening the warehouse…")
        t.begin()
        t.batch_read(1, 4, 4, 0)
        t.extracted_callback(1)(4, 1)
        t.batch_finished(1, 4, 1)
        clock.t = 2.0
        t.finish()
    finally:
        uninstall()
    lines = out.getvalue().splitlines()
    assert lines[0] == "newsflow: opening the warehouse…"
    assert lines[1] == "newsflow: 4 documents to go through"
    assert lines[-1] == "newsflow: 4/4 documents (100 %), 2.0 docs/s, in 0:02, 1 quarantined"


def test_quiet_installs_nothing_and_the_flow_side_costs_nothing():
    assert install(quiet=True) is None
    try:
        assert not logging.getLogger("newsflow.progress").isEnabledFor(logging.INFO)
    finally:
        uninstall()


def test_summary_line():
    from flows.run.pipeline import RunSummary

    s = RunSummary(seen=10, loaded=7, skipped=1, status="completed")
    s.add_quarantine("timeout")
    s.add_quarantine("too_short", 1)
    assert summary_line(s) == ("run completed: 10 seen, 7 loaded, 1 skipped, "
                               "2 quarantined (timeout 1, too_short 1)")
