-- raw.sources: the input files runs have read, with the size and modification time they had,
-- so a later run over the same folder skips an unchanged file without reading or hashing it
-- (a second run over a crawl costs a stat per file). Only whole files that held a document
-- are recorded; WARC/JSONL records are re-read and skipped by content hash, and files that
-- could not be read (too large, corrupt gzip) are tried again.
create table if not exists raw.sources (
    source_uri  varchar primary key,   -- the path as the run was given it
    byte_size   bigint not null,       -- st_size when it was read
    mtime_ns    bigint not null,       -- st_mtime_ns when it was read
    doc_id      varchar not null,      -- the document it held (raw.documents or dq.quarantine)
    run_id      varchar not null,      -- the run that read it last
    seen_at     timestamp not null default current_timestamp
);
