-- Load one batch into raw.documents. The batch arrives as the registered frame batch_documents;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
-- previous_doc_id links a changed page to the latest stored version at the same url.
-- content arrives as UTF-8 bytes (flows/warehouse.py UTF8_COLUMNS: faster than str).
with latest as (
    select url, arg_max(doc_id, loaded_at) as doc_id
    from raw.documents
    where url is not null and url in (select url from batch_documents)
    group by url
),

final as (
    select b.* replace (decode(b.content) as content), l.doc_id as previous_doc_id
    from batch_documents as b
    left join latest as l on l.url = b.url and l.doc_id <> b.doc_id
)

insert or ignore into raw.documents by name
select * from final;
