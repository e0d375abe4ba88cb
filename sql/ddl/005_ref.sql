-- ref: reference data loaded from warehouse/reference/ at the start of every run.
create table if not exists ref.outlets (
    outlet_id   varchar primary key,
    name        varchar not null,
    aliases     varchar[],
    domains     varchar[],
    country     varchar,
    languages   varchar[],
    kind        varchar not null,
    signatures  varchar[]
);
