-- Which outlets' pages carry the most boilerplate, and how long are their articles?
-- One row per outlet, from mart.outlet_profiles, heaviest chrome first.
with profiles as (
    select * from mart.outlet_profiles
),

final as (
    select
        outlet_name as outlet,
        coalesce(country, '?') as country,
        coalesce(kind, 'unregistered') as kind,
        article_count as articles,
        median_word_count,
        boilerplate_share
    from profiles
)

select * from final
order by boilerplate_share desc, outlet
