-- mart.articles: the stable, user-facing view of articles. One row per article: the latest
-- version of each page (an earlier version, which a changed page's raw.documents row names
-- in previous_doc_id, stays in core.articles; previous_doc_id here names it).
-- Contract relied on by tools and users: rename a column only with a migration and a note.
create or replace view mart.articles as
with superseded as (
    select d.previous_doc_id as doc_id
    from raw.documents as d
    inner join core.articles as newer on newer.doc_id = d.doc_id
    where d.previous_doc_id is not null
),

articles as (
    select a.*, d.previous_doc_id
    from core.articles as a
    left join raw.documents as d on d.doc_id = a.doc_id
    where a.doc_id not in (select doc_id from superseded)
),
final as (
    select
        doc_id,
        source_uri,
        url,
        canonical_url,
        title,
        text,
        language,
        language_confidence,
        outlet_id,
        coalesce(outlet_key, 'unknown') as outlet_key,  -- joins core.outlets; 'unknown' when none
        outlet_name,
        outlet_domain,
        outlet_registered,
        wire_id,
        wire_name,
        published_date,
        author,
        word_count,
        paragraph_count,
        boilerplate_share,
        run_id,
        loaded_at,
        previous_doc_id
    from articles
)
select * from final;
