-- Load one batch into core.citations. The batch arrives as the registered frame batch_citations;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.citations by name
select * from batch_citations;
