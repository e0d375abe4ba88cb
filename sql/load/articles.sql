-- Load one batch into core.articles. The batch arrives as the registered frame batch_articles;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.articles by name
select * from batch_articles;
