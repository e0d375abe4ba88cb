-- Load one batch into core.removed_lines. The batch arrives as the registered frame batch_removed_lines;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.removed_lines by name
select * from batch_removed_lines;
