-- raw.documents: one row per distinct input document (sha256 of its raw bytes), as decoded.
-- Kept so that `newsflow run --reprocess` can re-derive everything without re-reading sources.
create table if not exists raw.documents (
    doc_id        varchar primary key,   -- sha256 of the raw (decompressed) bytes
    source_uri    varchar not null,      -- where it was first read from
    url           varchar,               -- the page's own URL when the input format carries one
    content_type  varchar not null,      -- 'html' or 'text'
    encoding      varchar not null,
    byte_size     bigint not null,
    content       varchar not null,      -- decoded text or HTML
    first_run_id  varchar not null,
    loaded_at     timestamp not null default current_timestamp
);
