-- dq.runs.error: why a failed run failed, in one line that names the setting to change
-- (the same line `newsflow run` prints; the traceback goes to the run log beside the
-- warehouse). Null for runs that did not fail.
alter table dq.runs add column if not exists error varchar;
