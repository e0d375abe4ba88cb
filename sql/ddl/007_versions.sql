-- Versions: a changed page at the same URL is a new document (new content hash) that links
-- to the version it replaces. raw.documents.previous_doc_id is the doc_id of the latest
-- earlier document with the same url (null for the first version or when there is no url).
alter table raw.documents add column if not exists previous_doc_id varchar;
