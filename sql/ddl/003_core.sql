-- core: normalised articles and what was derived from them. One writer (the load step).

-- One row per article (a document that passed cleaning and critical validation).
create table if not exists core.articles (
    doc_id               varchar primary key,
    source_uri           varchar not null,
    url                  varchar,
    canonical_url        varchar,
    title                varchar,
    text                 varchar not null,   -- one paragraph per line
    language             varchar not null,   -- ISO 639-1 or 'und'
    language_confidence  double not null,
    outlet_id            varchar,            -- ref.outlets id; null when unregistered or unknown
    outlet_key           varchar,            -- core.outlets key (flows.stages.load.outlet_key); null when unknown
    outlet_name          varchar,
    outlet_domain        varchar,
    outlet_registered    boolean,
    outlet_confidence    double,
    wire_id              varchar,
    wire_name            varchar,
    published_date       date,
    author               varchar,
    site_name            varchar,
    description          varchar,
    word_count           integer not null,   -- words; a CJK character is one, Thai etc. ~4 letters one (flows/stages/words.py)
    char_count           integer not null,
    paragraph_count      integer not null,
    removed_line_count   integer not null,
    boilerplate_share    double not null,    -- removed characters / all characters of the page's lines
    extractor            varchar not null,
    run_id               varchar not null,
    loaded_at            timestamp not null default current_timestamp
);

-- One row per paragraph of an article, in order.
create table if not exists core.paragraphs (
    doc_id        varchar not null,
    paragraph_no  integer not null,
    text          varchar not null,
    language      varchar,
    script        varchar,
    foreign_language boolean not null default false,
    primary key (doc_id, paragraph_no)
);

-- One row per line the cleaner removed, with why; line_no is 1-based in the document's
-- text (for HTML, in the page's text rendering).
create table if not exists core.removed_lines (
    doc_id      varchar not null,
    line_no     integer not null,
    text        varchar not null,
    reason      varchar not null,
    rule        varchar,
    primary key (doc_id, line_no)
);

-- Evidence behind each detection (publisher, wire): which signal, what text, which line.
create table if not exists core.detection_evidence (
    doc_id      varchar not null,
    target      varchar not null,     -- 'outlet' or 'wire'
    seq         integer not null,
    signal      varchar not null,
    text        varchar not null,
    line_no     integer,
    primary key (doc_id, target, seq)
);

-- Outlets an article cites ("told Reuters", "according to TASS"), with the sentence.
create table if not exists core.citations (
    doc_id          varchar not null,
    seq             integer not null,
    cited_outlet_id varchar,
    cited_name      varchar not null,
    sentence        varchar not null,
    pattern         varchar not null,
    primary key (doc_id, seq)
);

-- Every outlet seen as a publisher or wire, registered or not, so the registry can grow.
create table if not exists core.outlets (
    outlet_key   varchar primary key,   -- registry id, or 'domain:<domain>' / 'name:<name>'
    outlet_id    varchar,
    name         varchar not null,
    domain       varchar,
    registered   boolean not null,
    first_run_id varchar not null
);

-- Lines seen on many pages of one site (footers, newsletter boxes): template learning.
create table if not exists core.line_templates (
    site_key     varchar not null,   -- URL domain, or '*' when the input has no URL
    fingerprint  varchar not null,
    doc_count    integer not null,
    primary key (site_key, fingerprint)
);
