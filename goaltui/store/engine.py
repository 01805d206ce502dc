"""The two engines behind one seam: a DuckDB file (the default) or a PostgreSQL server (team
mode), chosen by what `--db` names: a `postgresql://` URL or a file path.

Every command works through a Store, so it runs the same on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import polars as pl

    from goaltui.model.types import Checkin
    from goaltui.store.dataset import CheckinBuckets, CheckinRanges, CheckinWindows, Dataset
    from goaltui.store.exporter import ExportSummary
    from goaltui.store.importer import ImportSummary, Progress

URL_PREFIXES = ("postgresql://", "postgres://")


def is_pg_url(text: str | Path) -> bool:
    """Whether a --db value names a PostgreSQL server rather than a file."""
    return str(text).startswith(URL_PREFIXES)


class Store(Protocol):
    """A goaltui database, on whichever engine."""

    @property
    def label(self) -> str:
        """How messages name the database (a URL without its password, or the path)."""
        ...

    def exists(self) -> bool:
        """Whether a goaltui database is there already."""
        ...

    def init(self) -> bool:
        """Create the database (or complete or migrate it); True when it was created now."""
        ...

    def load_dataset(
        self,
        *,
        checkins_until: date | None = None,
        checkin_windows: CheckinWindows | None = None,
        arithmetic_only: bool = False,
        aggregate: CheckinBuckets | None = None,
        outside: CheckinRanges | None = None,
    ) -> Dataset:
        """Everything, or less (see goaltui.store.dataset.read_dataset), as a Dataset."""
        ...

    def goal_checkins(self, goal_id: str) -> pl.DataFrame:
        """Every entry of one goal's check-ins (CHECKINS_SCHEMA, by seq)."""
        ...

    def aggregates(self, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
        """The check-in aggregates of `buckets` (goaltui.store.aggregates)."""
        ...

    def import_path(
        self,
        source: Path,
        *,
        replace: bool = False,
        encoding: str | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Validate and load the interchange format (see goaltui.store.importer)."""
        ...

    def export(self, out_dir: Path, *, progress: Progress | None = None) -> ExportSummary:
        """Write the interchange format back (see goaltui.store.exporter)."""
        ...

    def append_checkin(self, checkin: Checkin, *, today: date) -> Checkin:
        """Validate and append one check-in; returns the stored row."""
        ...

    def correct_checkin(self, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
        """Append `replacement` as the correction of check-in `checkin_id`."""
        ...

    def retract_checkin(self, checkin_id: str, *, today: date, note: str | None = None) -> Checkin:
        """Retract check-in `checkin_id` (a new entry that supersedes it)."""
        ...


@dataclass(frozen=True)
class FileStore:
    """A DuckDB file."""

    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def init(self) -> bool:
        from goaltui.store.db import write_session

        existed = self.path.exists()
        with write_session(self.path):
            pass
        return not existed

    def load_dataset(
        self,
        *,
        checkins_until: date | None = None,
        checkin_windows: CheckinWindows | None = None,
        arithmetic_only: bool = False,
        aggregate: CheckinBuckets | None = None,
        outside: CheckinRanges | None = None,
    ) -> Dataset:
        from goaltui.store.dataset import load_dataset

        return load_dataset(
            self.path,
            checkins_until=checkins_until,
            checkin_windows=checkin_windows,
            arithmetic_only=arithmetic_only,
            aggregate=aggregate,
            outside=outside,
        )

    def goal_checkins(self, goal_id: str) -> pl.DataFrame:
        from goaltui.store.dataset import load_goal_checkins

        return load_goal_checkins(self.path, goal_id)

    def aggregates(self, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
        from goaltui.store.dataset import load_aggregates

        return load_aggregates(self.path, buckets, until)

    def import_path(
        self,
        source: Path,
        *,
        replace: bool = False,
        encoding: str | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        from goaltui.store.importer import import_path, silent_progress

        return import_path(
            self.path,
            source,
            replace=replace,
            encoding=encoding,
            progress=progress or silent_progress,
        )

    def export(self, out_dir: Path, *, progress: Progress | None = None) -> ExportSummary:
        from goaltui.store.exporter import export_db

        return export_db(self.path, out_dir, progress=progress)

    def append_checkin(self, checkin: Checkin, *, today: date) -> Checkin:
        from goaltui.store.checkins import append_checkin

        return append_checkin(self.path, checkin, today=today)

    def correct_checkin(self, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
        from goaltui.store.checkins import correct_checkin

        return correct_checkin(self.path, checkin_id, replacement, today=today)

    def retract_checkin(self, checkin_id: str, *, today: date, note: str | None = None) -> Checkin:
        from goaltui.store.checkins import retract_checkin

        return retract_checkin(self.path, checkin_id, today=today, note=note)


@dataclass(frozen=True)
class PgStore:
    """A database on a PostgreSQL server."""

    url: str

    @property
    def label(self) -> str:
        from goaltui.store.pg import redacted

        return redacted(self.url)

    def exists(self) -> bool:
        from goaltui.store.pg import pg_exists

        return pg_exists(self.url)

    def init(self) -> bool:
        from goaltui.store.pg import init_pg

        return init_pg(self.url)

    def load_dataset(
        self,
        *,
        checkins_until: date | None = None,
        checkin_windows: CheckinWindows | None = None,
        arithmetic_only: bool = False,
        aggregate: CheckinBuckets | None = None,
        outside: CheckinRanges | None = None,
    ) -> Dataset:
        from goaltui.store.pg import load_pg_dataset

        return load_pg_dataset(
            self.url,
            checkins_until=checkins_until,
            checkin_windows=checkin_windows,
            arithmetic_only=arithmetic_only,
            aggregate=aggregate,
            outside=outside,
        )

    def goal_checkins(self, goal_id: str) -> pl.DataFrame:
        from goaltui.store.pg import load_pg_goal_checkins

        return load_pg_goal_checkins(self.url, goal_id)

    def aggregates(self, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
        from goaltui.store.pg import load_pg_aggregates

        return load_pg_aggregates(self.url, buckets, until)

    def import_path(
        self,
        source: Path,
        *,
        replace: bool = False,
        encoding: str | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        from goaltui.store.importer import silent_progress
        from goaltui.store.pg import import_pg

        return import_pg(
            self.url,
            source,
            replace=replace,
            encoding=encoding,
            progress=progress or silent_progress,
        )

    def export(self, out_dir: Path, *, progress: Progress | None = None) -> ExportSummary:
        from goaltui.store.exporter import export_dataset

        return export_dataset(self.load_dataset(), out_dir, progress=progress)

    def append_checkin(self, checkin: Checkin, *, today: date) -> Checkin:
        from goaltui.store.pg import append_pg_checkin

        return append_pg_checkin(self.url, checkin, today=today)

    def correct_checkin(self, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
        from goaltui.store.pg import correct_pg_checkin

        return correct_pg_checkin(self.url, checkin_id, replacement, today=today)

    def retract_checkin(self, checkin_id: str, *, today: date, note: str | None = None) -> Checkin:
        from goaltui.store.pg import retract_pg_checkin

        return retract_pg_checkin(self.url, checkin_id, today=today, note=note)


def open_store(db: str | Path) -> Store:
    """The store `db` names: a PostgreSQL URL or a DuckDB file path."""
    if is_pg_url(db):
        return PgStore(str(db))
    return FileStore(Path(db).expanduser())


def file_only(db: str | Path, what: str) -> Path:
    """The database file `db`, for work that runs on a file only; a clear refusal on a server."""
    if isinstance(db, Path) and not is_pg_url(db):
        return db
    from goaltui.i18n import _
    from goaltui.model.errors import DatabaseError

    raise DatabaseError(_("{what} does not run on a PostgreSQL database yet.").format(what=what))
