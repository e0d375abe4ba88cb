-- What the post-load hook (flows/store/postload.py) last derived from: a fingerprint of the set of
-- articles (count and xor of doc_id hashes). When core.articles still has that fingerprint,
-- signatures, clusters and the search index are current and a run skips rebuilding them;
-- a run killed between its loads and the hook leaves a stale fingerprint, so the next run
-- rebuilds.
create table if not exists core.derived_state (
    name          varchar primary key,   -- 'postload'
    fingerprint   varchar not null,
    refreshed_at  timestamp not null default current_timestamp
);
