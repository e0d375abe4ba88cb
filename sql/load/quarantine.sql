-- Load one batch into dq.quarantine. The batch arrives as the registered frame batch_quarantine;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into dq.quarantine by name
select * from batch_quarantine;
