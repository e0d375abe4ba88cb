-- Load one batch into core.outlets (grain: one row per outlet_key). The batch arrives as the
-- registered frame batch_outlets, one row per key (flows.stages.load.one_row_per_outlet).
-- A key already stored keeps its row: a name it has not been seen under joins its aliases
-- (the stored name stays, unless it is only the bare domain and the batch brings a real
-- name), so a repeated or resumed batch changes nothing and an outlet never gets a second row.
insert into core.outlets by name
select * from batch_outlets
on conflict (outlet_key) do update set
    name = case when name = domain and excluded.name <> coalesce(excluded.domain, '')
                then excluded.name else name end,
    aliases = list_sort(list_distinct(list_filter(
        list_concat(coalesce(aliases, []), [excluded.name], coalesce(excluded.aliases, [])),
        a -> a is not null
             and a <> coalesce(domain, '')
             and a <> (case when name = domain and excluded.name <> coalesce(excluded.domain, '')
                            then excluded.name else name end))));
