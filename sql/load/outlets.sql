-- Load one batch into core.outlets. The batch arrives as the registered frame batch_outlets;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.outlets by name
select * from batch_outlets;
