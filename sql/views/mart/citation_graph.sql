-- mart.citation_graph: who cites whom ("told Reuters", "according to TASS").
-- Grain: one row per (citing outlet, cited outlet) pair, from core.citations joined to the
-- citing article. cited_key is the registry id when the cited outlet is registered, else
-- 'name:<cited name>'.
create or replace view mart.citation_graph as
with citations as (
    select doc_id, cited_outlet_id, cited_name from core.citations
),

articles as (
    select
        doc_id,
        outlet_key,
        coalesce(outlet_name, outlet_domain, 'unknown') as outlet_name,
        published_date
    from mart.articles
),

registry as (
    select outlet_id, name from ref.outlets
),

edges as (
    select
        articles.outlet_key as citing_key,
        articles.outlet_name as citing_name,
        coalesce(citations.cited_outlet_id, 'name:' || lower(citations.cited_name)) as cited_key,
        coalesce(registry.name, citations.cited_name) as cited_name,
        citations.doc_id,
        articles.published_date
    from citations
    join articles using (doc_id)
    left join registry on registry.outlet_id = citations.cited_outlet_id
),

final as (
    select
        citing_key,
        any_value(citing_name) as citing_name,
        cited_key,
        any_value(cited_name) as cited_name,
        count(*) as citation_count,
        count(distinct doc_id) as article_count,
        min(published_date) as first_cited,
        max(published_date) as last_cited,
        citing_key = cited_key as self_citation
    from edges
    group by citing_key, cited_key
)

select * from final
