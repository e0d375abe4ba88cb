"""The DuckDB warehouse: connect, migrate, load and record runs (`warehouse`), the derived
data refreshed after each run (`postload`: syndication clusters, the full-text index in
`fts`), and read-only access for the commands (`readonly`, `search`)."""
