"""The DuckDB store: schema, loading the interchange format, durable check-in writes.

Import from the modules (`goaltui.store.dataset`, `.db`, `.importer`, ...): this package
itself imports nothing, so the dashboard can start before DuckDB and polars are loaded.
"""
