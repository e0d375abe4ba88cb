-- mart.story_cluster_members: the articles of each syndication cluster (the same story, most
-- often wire copy, carried by several sites), with who had it first.
-- Grain: one row per article that belongs to a cluster (core.story_clusters, rebuilt after
-- every run by flows/store/postload.py from MinHash signatures of the article bodies).
-- publish_order: 1 = earliest publisher, by published_date (unknown dates last), then loaded_at.
create or replace view mart.story_cluster_members as
with clusters as (
    select cluster_id, doc_id, cluster_size, similarity, containment from core.story_clusters
),

articles as (
    select
        doc_id,
        outlet_key,
        coalesce(outlet_name, outlet_domain, 'unknown') as outlet_name,
        title,
        published_date,
        loaded_at,
        wire_id,
        wire_name,
        word_count,
        source_uri
    from mart.articles
),

final as (
    select
        clusters.cluster_id,
        clusters.doc_id,
        row_number() over (
            partition by clusters.cluster_id
            order by articles.published_date asc nulls last, articles.loaded_at, clusters.doc_id
        ) as publish_order,
        clusters.cluster_size,
        clusters.similarity,
        clusters.containment,
        articles.outlet_key,
        articles.outlet_name,
        articles.title,
        articles.published_date,
        articles.loaded_at,
        articles.wire_id,
        articles.wire_name,
        articles.word_count,
        articles.source_uri
    from clusters
    join articles using (doc_id)
)

select * from final
