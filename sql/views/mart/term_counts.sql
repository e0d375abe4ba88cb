-- mart.term_counts(term): how often a word or phrase appears, per outlet per day.
-- A view cannot take a parameter, so this is a table macro:
--     select * from mart.term_counts('false flag') order by published_date;
-- Grain: one row per publishing outlet per published_date with at least one article whose
-- title or body holds the term. Matching ignores case, and the words of a phrase may be
-- separated by spaces or hyphens ('false flag' also finds "false-flag" and "False Flag"),
-- on word boundaries (so 'war' does not count "software"). The term is a value, escaped as a
-- regular expression, never spliced into SQL.
create or replace macro mart.term_counts(term) as table
with pattern as (
    select '(^|[^\p{L}\p{N}])('
           || array_to_string(
                  list_transform(string_split_regex(trim(lower(term)), '[\s\-]+'),
                                 w -> regexp_escape(w)),
                  '[\s\-]+')
           || ')($|[^\p{L}\p{N}])' as regex
),

articles as (
    select
        doc_id,
        outlet_key,
        coalesce(outlet_name, outlet_domain, 'unknown') as outlet_name,
        published_date,
        lower(coalesce(title, '') || chr(10) || text) as haystack
    from mart.articles
),

matches as (
    select
        articles.doc_id,
        articles.outlet_key,
        articles.outlet_name,
        articles.published_date,
        len(regexp_extract_all(articles.haystack, pattern.regex, 2)) as occurrences
    from articles, pattern
    where regexp_matches(articles.haystack, pattern.regex)
),

final as (
    select
        outlet_key,
        any_value(outlet_name) as outlet_name,
        published_date,
        count(*) as article_count,
        sum(occurrences)::bigint as occurrences,
        list(doc_id order by doc_id) as doc_ids
    from matches
    group by outlet_key, published_date
)

select * from final
