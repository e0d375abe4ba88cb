-- mart.outlet_profiles: who each publishing outlet is and what its pages look like.
-- Grain: one row per outlet that published at least one loaded article (outlet_key as in
-- core.outlets). country and kind come from the registry (ref.outlets) when the outlet is
-- registered, and are null otherwise. outlet_name is the registry's name, else the name
-- core.outlets keeps for the key (the first real name seen); aliases are the other names
-- the outlet was seen under (core.outlets.aliases), empty when none.
create or replace view mart.outlet_profiles as
with articles as (
    select
        doc_id,
        outlet_key,
        outlet_id,
        outlet_name,
        outlet_domain,
        outlet_registered,
        language,
        word_count,
        boilerplate_share,
        wire_name,
        published_date
    from mart.articles
),

registry as (
    select outlet_id, name as registry_name, country, kind from ref.outlets
),

outlets as (
    select outlet_key, name as stored_name, aliases from core.outlets
),

per_outlet as (
    select
        outlet_key,
        any_value(outlet_id) as outlet_id,
        coalesce(any_value(outlet_name), any_value(outlet_domain), 'unknown') as outlet_name,
        any_value(outlet_domain) as outlet_domain,
        bool_or(coalesce(outlet_registered, false)) as registered,
        count(*) as article_count,
        count(wire_name) as wire_article_count,
        median(word_count) as median_word_count,
        round(avg(boilerplate_share), 4) as boilerplate_share,       -- mean over its articles
        count(distinct language) as language_count,
        mode(language) as main_language,
        min(published_date) as first_published,
        max(published_date) as last_published
    from articles
    group by outlet_key
),

final as (
    select
        per_outlet.outlet_key,
        per_outlet.outlet_id,
        coalesce(registry.registry_name, outlets.stored_name, per_outlet.outlet_name) as outlet_name,
        coalesce(outlets.aliases, []) as aliases,
        per_outlet.outlet_domain,
        per_outlet.registered,
        registry.country,
        registry.kind,
        per_outlet.article_count,
        per_outlet.wire_article_count,
        per_outlet.median_word_count,
        per_outlet.boilerplate_share,
        per_outlet.language_count,
        per_outlet.main_language,
        per_outlet.first_published,
        per_outlet.last_published
    from per_outlet
    left join registry on registry.outlet_id = per_outlet.outlet_id
    left join outlets on outlets.outlet_key = per_outlet.outlet_key
)

select * from final
