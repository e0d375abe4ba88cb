"""newsflow: raw scraped news pages in, clean validated DuckDB tables out."""
__version__ = "0.1.0"
