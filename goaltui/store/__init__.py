"""The DuckDB store: schema, loading the interchange format, durable check-in writes."""

from goaltui.store.dataset import TABLE_SCHEMAS, Dataset, load_dataset, read_dataset
from goaltui.store.db import fingerprint, read_session, write_session
from goaltui.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "TABLE_SCHEMAS",
    "Dataset",
    "fingerprint",
    "load_dataset",
    "read_dataset",
    "read_session",
    "write_session",
]
