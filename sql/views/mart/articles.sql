-- mart.articles: the stable, user-facing view of articles. One row per article.
-- Contract relied on by tools and users: rename a column only with a migration and a note.
create or replace view mart.articles as
with articles as (
    select * from core.articles
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
        loaded_at
    from articles
)
select * from final;
