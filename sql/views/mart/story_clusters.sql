-- mart.story_clusters: wire syndication clusters, each with its earliest publisher and the
-- wire agency the story came from.
-- Grain: one row per cluster (two or more near-duplicate articles; see
-- mart.story_cluster_members for the articles). wire_name is the agency any member named
-- (the most frequent one when members disagree); null when no member named one.
create or replace view mart.story_clusters as
with members as (
    select * from mart.story_cluster_members
),

earliest as (
    select cluster_id, doc_id, outlet_key, outlet_name, title, published_date, loaded_at
    from members
    where publish_order = 1
),

per_cluster as (
    select
        cluster_id,
        count(*) as article_count,
        count(distinct outlet_key) as outlet_count,
        list(distinct outlet_name order by outlet_name) as outlets,
        mode(wire_name) as wire_name,
        mode(wire_id) as wire_id,
        min(published_date) as first_published,
        max(published_date) as last_published,
        round(min(similarity), 4) as min_similarity,
        round(max(similarity), 4) as max_similarity
    from members
    group by cluster_id
),

final as (
    select
        per_cluster.cluster_id,
        per_cluster.article_count,
        per_cluster.outlet_count,
        per_cluster.outlets,
        per_cluster.wire_name,
        per_cluster.wire_id,
        earliest.doc_id as earliest_doc_id,
        earliest.outlet_key as earliest_outlet_key,
        earliest.outlet_name as earliest_outlet,
        earliest.published_date as earliest_published_date,
        earliest.title as earliest_title,
        per_cluster.first_published,
        per_cluster.last_published,
        per_cluster.min_similarity,
        per_cluster.max_similarity
    from per_cluster
    join earliest using (cluster_id)
)

select * from final
