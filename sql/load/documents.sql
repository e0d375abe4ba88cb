-- Load one batch into raw.documents. The batch arrives as the registered frame batch_documents;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
-- previous_doc_id links a changed page to the latest stored version of the same page: the
-- same url, or for a document without one (a plain file), the same source_uri.
-- content arrives as UTF-8 bytes (flows/store/warehouse.py UTF8_COLUMNS: faster than str).
with batch as (
    select
        *,
        case when url is not null then 'url:' || url else 'path:' || source_uri end as version_key
    from batch_documents
),

stored as (
    select
        doc_id,
        loaded_at,
        case when url is not null then 'url:' || url else 'path:' || source_uri end as version_key
    from raw.documents
),

latest as (
    select version_key, arg_max(doc_id, loaded_at) as doc_id
    from stored
    where version_key in (select version_key from batch)
    group by version_key
),

final as (
    select b.* exclude (version_key) replace (decode(b.content) as content),
        l.doc_id as previous_doc_id
    from batch as b
    left join latest as l on l.version_key = b.version_key and l.doc_id <> b.doc_id
)

insert or ignore into raw.documents by name
select * from final;
