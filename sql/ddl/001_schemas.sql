-- Schemas as layers: raw (as landed), core (normalised), mart (human-facing views),
-- dq (runs, validation results, quarantine), ref (reference data loaded from files).
create schema if not exists raw;
create schema if not exists core;
create schema if not exists mart;
create schema if not exists dq;
create schema if not exists ref;
