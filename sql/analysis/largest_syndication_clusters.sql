-- Which stories were carried by the most sites, who had each first, and from which wire?
-- One row per syndication cluster, largest first.
with clusters as (
    select * from mart.story_clusters
),

final as (
    select
        article_count as articles,
        outlet_count as outlets,
        coalesce(wire_name, '(no wire named)') as wire,
        earliest_outlet as first_published_by,
        earliest_published_date as first_published_on,
        earliest_title as title,
        array_to_string(outlets, ', ') as carried_by
    from clusters
)

select * from final
order by articles desc, first_published_on nulls last, title
limit 10
