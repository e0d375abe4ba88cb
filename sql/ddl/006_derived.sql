-- Derived data the post-load hook (flows/store/postload.py) rebuilds after every run.

-- One row per article: its MinHash signature over word shingles, computed once per article
-- and per method (the method string names shingle size, permutations and seed).
create table if not exists core.article_minhash (
    doc_id         varchar primary key,
    method         varchar not null,
    shingle_count  integer not null,
    hashvalues     ubigint[] not null
);

-- One row per article that belongs to a syndication cluster (the same story, usually wire
-- copy, carried by two or more articles). Replaced as a whole after every run.
create table if not exists core.story_clusters (
    cluster_id    varchar not null,    -- the smallest doc_id of the cluster (stable across runs)
    doc_id        varchar not null,
    cluster_size  integer not null,
    similarity    double not null,     -- best estimated Jaccard (word 5-shingles) with another member
    containment   double not null,     -- best estimated share of the smaller text found in the other
    method        varchar not null,
    primary key (doc_id)
);
