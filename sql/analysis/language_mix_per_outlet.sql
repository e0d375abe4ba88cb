-- In which languages does each outlet publish? One row per outlet and language, with the
-- share of the outlet's articles in that language.
with daily as (
    select outlet_key, outlet_name, language_mix from mart.articles_per_outlet_day
),

per_language as (
    select
        outlet_key,
        any_value(outlet_name) as outlet_name,
        entry.key as language,
        sum(entry.value)::bigint as articles
    from daily, unnest(map_entries(language_mix)) as t(entry)
    group by outlet_key, entry.key
),

final as (
    select
        outlet_name as outlet,
        language,
        articles,
        round(articles / sum(articles) over (partition by outlet_key), 3) as share
    from per_language
)

select * from final
order by outlet, articles desc, language
