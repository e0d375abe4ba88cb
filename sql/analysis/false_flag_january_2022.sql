-- Which outlets used "false flag" (or "false-flag") in January 2022, and how often?
-- One row per outlet: articles that hold the phrase, total occurrences, first and last day.
-- Built on the table macro mart.term_counts(term); change the term or the dates to ask again.
with counts as (
    select * from mart.term_counts('false flag')
    where published_date >= date '2022-01-01'
      and published_date <  date '2022-02-01'
),

final as (
    select
        outlet_name,
        sum(article_count)::bigint as articles,
        sum(occurrences)::bigint as occurrences,
        min(published_date) as first_day,
        max(published_date) as last_day
    from counts
    group by outlet_name
)

select * from final
order by occurrences desc, outlet_name
