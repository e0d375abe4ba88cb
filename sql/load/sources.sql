-- Record one batch's input files in raw.sources (frame batch_sources): a file read again
-- after it changed replaces its row, so the row always describes the last version read.
insert or replace into raw.sources by name
select source_uri, byte_size, mtime_ns, doc_id, run_id from batch_sources;
