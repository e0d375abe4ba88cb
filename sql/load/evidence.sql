-- Load one batch into core.detection_evidence. The batch arrives as the registered frame batch_evidence;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.detection_evidence by name
select * from batch_evidence;
