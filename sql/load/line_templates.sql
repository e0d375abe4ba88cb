-- Count one batch's pages into core.line_templates (frame batch_line_templates: one row per
-- site, line fingerprint and new page). Pages already counted are never in the frame: only
-- documents first loaded by this batch, and only the first version of a URL, contribute.
insert into core.line_templates (site_key, fingerprint, doc_count)
select site_key, fingerprint, count(*) from batch_line_templates group by all
on conflict (site_key, fingerprint) do update set doc_count = doc_count + excluded.doc_count;
