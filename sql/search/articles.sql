-- Full-text search over articles (title and body), best first. One row per matching article.
-- Uses the fts index built by flows/store/postload.py (schema fts_core_articles, BM25 scores).
-- Parameters (bound, never spliced): $query, the user's words; $limit, the rows wanted.
-- An article that holds the query's words as a phrase ("false flag", "false-flag") ranks
-- above one that only holds them apart; BM25 orders within each group.
with scored as (
    select
        doc_id,
        fts_core_articles.match_bm25(doc_id, $query) as score
    from core.articles
),

hits as (
    select * from scored where score is not null
),

articles as (
    select doc_id, title, text, outlet_name, outlet_domain, published_date, source_uri
    from mart.articles
),

phrases as (
    select
        hits.doc_id,
        hits.score,
        contains(
            ' ' || regexp_replace(lower(coalesce(articles.title, '') || ' ' || articles.text),
                                  '[^\p{L}\p{N}]+', ' ', 'g') || ' ',
            ' ' || trim(regexp_replace(lower($query), '[^\p{L}\p{N}]+', ' ', 'g')) || ' '
        ) as phrase_match
    from hits
    join articles using (doc_id)
),

final as (
    select
        row_number() over (order by phrases.phrase_match desc, phrases.score desc, phrases.doc_id) as rank,
        phrases.doc_id,
        round(phrases.score, 4) as score,
        phrases.phrase_match,
        coalesce(articles.outlet_name, articles.outlet_domain) as outlet,
        articles.published_date,
        articles.title,
        articles.text,
        articles.source_uri
    from phrases
    join articles using (doc_id)
)

select * from final
order by rank
limit $limit
