-- mart.articles_per_outlet_day: how much each outlet published, day by day, in which languages.
-- Grain: one row per publishing outlet per published_date. Articles whose date is unknown
-- form one row per outlet with published_date null.
-- outlet_key is the core.outlets key: registry id, else 'domain:<domain>' / 'name:<name>'.
create or replace view mart.articles_per_outlet_day as
with articles as (
    select
        doc_id,
        outlet_key,
        coalesce(outlet_name, outlet_domain, 'unknown') as outlet_name,
        published_date,
        language,
        word_count,
        wire_name
    from mart.articles
),

final as (
    select
        outlet_key,
        any_value(outlet_name) as outlet_name,
        published_date,
        count(*) as article_count,
        count(wire_name) as wire_article_count,
        sum(word_count) as word_count,
        count(distinct language) as language_count,
        mode(language) as main_language,
        histogram(language) as language_mix          -- map: language -> articles
    from articles
    group by outlet_key, published_date
)

select * from final
