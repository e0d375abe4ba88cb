-- Load one batch into raw.documents. The batch arrives as the registered frame batch_documents;
-- "or ignore" on the primary key makes a repeated or resumed batch change nothing.
insert or ignore into raw.documents by name
select * from batch_documents;
