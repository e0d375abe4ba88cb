-- Who cites whom? Each outlet's most cited sources ("told Reuters", "according to TASS"),
-- self-citations excluded. One row per (citing outlet, cited outlet).
with edges as (
    select * from mart.citation_graph where not self_citation
),

final as (
    select
        citing_name as outlet,
        cited_name as cites,
        citation_count as citations,
        article_count as articles
    from edges
)

select * from final
order by citations desc, outlet, cites
