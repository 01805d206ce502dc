"""The two engines behind one seam: a DuckDB file (the default) or a PostgreSQL server (team
mode), chosen by what `--db` names: a `postgresql://` URL or a file path.

Every command works through a Store, so it runs the same on either engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import polars as pl

    from goaltui.model.types import Checkin
    from goaltui.store.authoring import DefinitionChange
    from goaltui.store.dataset import CheckinBuckets, CheckinRanges, CheckinWindows, Dataset
    from goaltui.store.exporter import ExportSummary
    from goaltui.store.importer import ImportSummary, Progress

URL_PREFIXES = ("postgresql://", "postgres://")
CYCLE_NAMES = ("grades", "closed_periods", "history")
"""The cycle's tables (goaltui/store/tables.py)."""


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
        panes: bool = True,
    ) -> Dataset:
        """Everything, or less (see goaltui.store.dataset.read_dataset, also for
        `panes`), as a Dataset."""
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

    def stored_fiscal_year_start(self) -> int | None:
        """The organisation's first fiscal month as the database stores it; None when it
        stores none (or cannot be read now: the command itself will say why)."""
        ...

    def store_fiscal_year_start(self, month: int) -> None:
        """Store the organisation's first fiscal month (1-12) in the database."""
        ...

    def working_copy(
        self, what: str, *, checkins_of: str | None = None
    ) -> AbstractContextManager[Path]:
        """A goaltui file on which the file's code may change definitions and the cycle's
        tables (carry-over, close, reopen, grade), each change as one transaction of this
        database: the file itself, or a copy of a server written back when the block succeeds.
        `what` names the work in a refusal. A copy holds no check-ins, or with `checkins_of`
        (a period's label) those that score that period's objectives. Raises DatabaseError
        for a login that may not."""
        ...

    def cycle_tables(self, names: tuple[str, ...] = CYCLE_NAMES) -> dict[str, pl.DataFrame]:
        """Cycle tables by name, of grades, closed_periods and history (CYCLE_SCHEMAS frames,
        sorted by their keys), in one read."""
        ...

    def save_definition(self, table: str, row: dict[str, str | None]) -> None:
        """Add or replace one definition row (see goaltui.store.authoring.save_definition)."""
        ...

    def definition_problems(self, table: str, row: dict[str, str | None]) -> dict[str, str]:
        """What the import would say about `row`, by column; writes nothing."""
        ...

    def definition_changes(self, table: str, row_id: str) -> list[DefinitionChange]:
        """The history of one definition, newest first."""
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
        panes: bool = True,
    ) -> Dataset:
        from goaltui.store.dataset import load_dataset

        return load_dataset(
            self.path,
            checkins_until=checkins_until,
            checkin_windows=checkin_windows,
            arithmetic_only=arithmetic_only,
            aggregate=aggregate,
            outside=outside,
            panes=panes,
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

    def stored_fiscal_year_start(self) -> int | None:
        from goaltui.store.db import stored_fiscal_year_start

        return stored_fiscal_year_start(self.path)

    def store_fiscal_year_start(self, month: int) -> None:
        from goaltui.store.db import store_fiscal_year_start

        store_fiscal_year_start(self.path, month)

    @contextmanager
    def working_copy(self, what: str, *, checkins_of: str | None = None) -> Iterator[Path]:
        yield self.path

    def cycle_tables(self, names: tuple[str, ...] = CYCLE_NAMES) -> dict[str, pl.DataFrame]:
        from goaltui.store.cycle import read_cycle_table
        from goaltui.store.db import read_session

        with read_session(self.path) as con:
            return {name: read_cycle_table(con, name) for name in names}

    def save_definition(self, table: str, row: dict[str, str | None]) -> None:
        from goaltui.store.authoring import save_definition

        save_definition(self.path, table, row)

    def definition_problems(self, table: str, row: dict[str, str | None]) -> dict[str, str]:
        from goaltui.store.authoring import definition_problems

        return definition_problems(self.path, table, row)

    def definition_changes(self, table: str, row_id: str) -> list[DefinitionChange]:
        from goaltui.store.authoring import changes_in

        return changes_in(self.cycle_tables(("history",))["history"], table, row_id)


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
        panes: bool = True,
    ) -> Dataset:
        from goaltui.store.pg import load_pg_dataset

        return load_pg_dataset(
            self.url,
            checkins_until=checkins_until,
            checkin_windows=checkin_windows,
            arithmetic_only=arithmetic_only,
            aggregate=aggregate,
            outside=outside,
            panes=panes,
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

        return export_dataset(
            self.load_dataset(), out_dir, cycle=self.cycle_tables(), progress=progress
        )

    def append_checkin(self, checkin: Checkin, *, today: date) -> Checkin:
        from goaltui.store.pg import append_pg_checkin

        return append_pg_checkin(self.url, checkin, today=today)

    def correct_checkin(self, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
        from goaltui.store.pg import correct_pg_checkin

        return correct_pg_checkin(self.url, checkin_id, replacement, today=today)

    def retract_checkin(self, checkin_id: str, *, today: date, note: str | None = None) -> Checkin:
        from goaltui.store.pg import retract_pg_checkin

        return retract_pg_checkin(self.url, checkin_id, today=today, note=note)

    def stored_fiscal_year_start(self) -> int | None:
        from goaltui.store.pg_cycle import pg_stored_fiscal_year_start

        return pg_stored_fiscal_year_start(self.url)

    def store_fiscal_year_start(self, month: int) -> None:
        from goaltui.store.pg_cycle import pg_store_fiscal_year_start

        pg_store_fiscal_year_start(self.url, month)

    @contextmanager
    def working_copy(self, what: str, *, checkins_of: str | None = None) -> Iterator[Path]:
        from goaltui.store.pg_cycle import pg_working_copy

        with pg_working_copy(self.url, what, checkins_of=checkins_of) as path:
            yield path

    def cycle_tables(self, names: tuple[str, ...] = CYCLE_NAMES) -> dict[str, pl.DataFrame]:
        from goaltui.store.pg_cycle import pg_cycle_tables

        return pg_cycle_tables(self.url, names)

    def save_definition(self, table: str, row: dict[str, str | None]) -> None:
        from goaltui.i18n import _
        from goaltui.store.authoring import save_definition

        with self.working_copy(_("change definitions")) as path:
            save_definition(path, table, row)

    def definition_problems(self, table: str, row: dict[str, str | None]) -> dict[str, str]:
        from goaltui.store.authoring import definition_problems
        from goaltui.store.pg_cycle import pg_read_copy

        with pg_read_copy(self.url) as path:
            return definition_problems(path, table, row)

    def definition_changes(self, table: str, row_id: str) -> list[DefinitionChange]:
        from goaltui.store.authoring import changes_in

        return changes_in(self.cycle_tables(("history",))["history"], table, row_id)


def open_store(db: str | Path) -> Store:
    """The store `db` names: a PostgreSQL URL or a DuckDB file path."""
    if is_pg_url(db):
        return PgStore(str(db))
    return FileStore(Path(db).expanduser())


def as_store(db: str | Path | Store) -> Store:
    """`db` as a Store: a store stays itself, a URL or a path is opened."""
    if isinstance(db, (str, Path)):
        return open_store(db)
    return db
