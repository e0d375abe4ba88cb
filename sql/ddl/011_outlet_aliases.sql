-- core.outlets.aliases: the other names an outlet has been seen under. A site names itself
-- differently from page to page ("NTV" / "NTV.com.tr", "Funke Mediengruppe" / "FUNKE
-- Mediengruppe"); it is still one outlet, one row keyed on outlet_key, with the name first
-- seen in `name` and every other name here (sql/load/outlets.sql keeps the list, across
-- batches and runs). Registered outlets' aliases from the registry stay in ref.outlets.
alter table core.outlets add column if not exists aliases varchar[] default [];
