-- dq: what each run did, how validation went, and what was quarantined and why.

create table if not exists dq.runs (
    run_id          varchar primary key,
    flow_run_id     varchar,
    started_at      timestamp not null,
    finished_at     timestamp,
    status          varchar not null,     -- running / completed / failed
    inputs          varchar,
    docs_seen       integer default 0,
    docs_loaded     integer default 0,
    docs_skipped    integer default 0,
    docs_quarantined integer default 0,
    summary_json    varchar
);

-- One row per expectation per run (counts summed over the run's batches).
create table if not exists dq.validation_results (
    run_id            varchar not null,
    suite             varchar not null,
    expectation       varchar not null,   -- expectation type plus its column, e.g. expect_column_values_to_not_be_null(title)
    expectation_type  varchar not null,
    column_name       varchar,
    severity          varchar not null,   -- critical / warning
    success           boolean not null,
    observed_value    varchar,
    element_count     bigint,
    unexpected_count  bigint,
    primary key (run_id, suite, expectation, severity)
);

-- Documents that could not become articles: identity, stage, reason, failing expectations.
create table if not exists dq.quarantine (
    quarantine_id        varchar primary key,  -- doc_id, or sha256 of the source_uri when unreadable
    doc_id               varchar,
    source_uri           varchar not null,
    stage                varchar not null,     -- read / clean / detect / validate / load
    reason               varchar not null,
    detail               varchar,
    failed_expectations  varchar,              -- JSON list, for stage = validate
    run_id               varchar not null,
    quarantined_at       timestamp not null default current_timestamp
);
