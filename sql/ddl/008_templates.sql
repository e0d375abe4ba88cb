-- Template learning: how many distinct pages (URLs) of a site carry a line. A line seen on
-- enough pages of one site is that site's chrome (footer, newsletter box, "alternate
-- addresses") even when it reads like prose; later runs pass it to the cleaner.
-- core.line_templates (site_key, fingerprint, doc_count) is created in 003_core.sql.
create index if not exists line_templates_site on core.line_templates (site_key);
