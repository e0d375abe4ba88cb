-- Load one batch into core.paragraphs. The batch arrives as the registered frame batch_paragraphs;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into core.paragraphs by name
select * from batch_paragraphs;
