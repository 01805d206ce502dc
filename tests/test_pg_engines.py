"""The same organisation on both engines gives the same numbers, the same export and the same
behaviour of import and check-ins: a DuckDB file beside a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import pytest

from goaltui.cli import main
from goaltui.model.errors import ValidationError
from goaltui.model.types import Checkin
from goaltui.store.engine import FileStore, PgStore, Store, open_store
from goaltui.store.pg import BULK_ROWS
from tests.pg_server import PgServer
from tests.store_helpers import SAMPLE, append_rows, assert_same, write_large_source, write_source

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
AS_OF = "2026-11-16"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main([*argv, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def load_demo(file: Path, url: str) -> tuple[str, str]:
    for db in (str(file), url):
        assert main(["init", "--db", db]) == 0
        assert main(["import", str(DEMO), "--db", db]) == 0
    return str(file), url


@pytest.fixture
def both(pg_url: str, db_path: Path) -> tuple[str, str]:
    """The demo imported into a DuckDB file and into PostgreSQL: (file, url)."""
    return load_demo(db_path, pg_url)


@pytest.fixture(scope="module")
def read_only(
    pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Like `both`, once for the tests of this module that only read."""
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS engines WITH (FORCE)")
        con.execute("CREATE DATABASE engines")
    yield load_demo(tmp_path_factory.mktemp("engines") / "demo.duckdb", pg_server.url("engines"))
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS engines WITH (FORCE)")


@pytest.mark.parametrize(
    "options",
    [
        ["report", "--format", "csv"],
        ["report", "--format", "csv", "--history"],
        ["report", "--format", "json", "--unit", "sales"],
        ["report", "--format", "md"],
        ["lint", "--format", "csv"],
    ],
)
def test_the_demo_reports_byte_for_byte_the_same_on_both_engines(
    read_only: tuple[str, str], capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    file, url = read_only
    on_file = run(capsys, *options, "--db", file)
    assert len(on_file) > 1000
    assert run(capsys, *options, "--db", url) == on_file


def test_export_is_the_same_on_both_engines(
    read_only: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file, url = read_only
    run(capsys, "export", str(tmp_path / "file"), "--db", file)
    out = run(capsys, "export", str(tmp_path / "pg"), "--db", url)
    assert out.startswith(f"Exported {url} to {tmp_path / 'pg'}: 18 units, 33 KPIs")
    names = sorted(p.name for p in (tmp_path / "file").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "pg").iterdir())
    # The history tells the same changes; who made them (the server's login or the local user)
    # and when differ by nature, so it is compared apart.
    for name in names:
        if name != "history.csv":
            pg, duck = (
                (tmp_path / "pg" / name).read_bytes(),
                (tmp_path / "file" / name).read_bytes(),
            )
            assert pg == duck, name
    pg_history, file_history = (
        pl.read_csv(tmp_path / engine / "history.csv", infer_schema=False)
        for engine in ("pg", "file")
    )
    assert pg_history.height == file_history.height > 0
    assert set(pg_history["changed_by"]) == {"postgres"}
    same = ["table_name", "row_id", "before", "after"]
    assert pg_history.select(same).equals(file_history.select(same))


def test_datasets_are_equal_on_both_engines(read_only: tuple[str, str]) -> None:
    file, url = read_only
    assert_same(open_store(file).load_dataset(), open_store(url).load_dataset())
    window = {"checkins_until": date(2026, 6, 30), "arithmetic_only": True}
    a = open_store(file).load_dataset(**window)  # type: ignore[arg-type]
    b = open_store(url).load_dataset(**window)  # type: ignore[arg-type]
    assert a.checkins.height == b.checkins.height > 0
    assert_same(a, type(b).from_frames(**{**b.tables(), "checkins": b.checkins.sort("seq")}))


def test_check_ins_corrections_and_merges_keep_the_engines_equal(
    both: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file, url = both
    for db in (file, url):
        run(capsys, "checkin", "sales-kim-contracts", "7", "--note", "메모", "--db", db)
        store = open_store(db)
        first = store.append_checkin(
            Checkin(goal_id="cs-csat", date=date(2026, 11, 2), value=4.1, id="fix-me"),
            today=date(2026, 11, 16),
        )
        store.append_checkin(
            Checkin(goal_id="cs-csat", date=first.date, value=4.4, supersedes="fix-me"),
            today=date(2026, 11, 16),
        )
        # Importing the demo again merges: nothing new, every repeat skipped.
        out = run(capsys, "import", str(DEMO), "--db", db)
        assert "0 check-ins added (1,969 repeats skipped)" in out
    a, b = open_store(file).load_dataset(), open_store(url).load_dataset()
    assert a.checkins.height == b.checkins.height == 1969 + 3
    assert run(capsys, "report", "--format", "csv", "--db", url) == run(
        capsys, "report", "--format", "csv", "--db", file
    )


def test_an_invalid_import_writes_nothing_on_postgresql(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = PgStore(pg_url)
    store.init()
    store.import_path(write_source(tmp_path / "good"))
    before = store.load_dataset()
    bad = write_source(
        tmp_path / "bad",
        {
            **append_rows("checkins", "nope,2026-11-03,1,,,,\n"),
            "units": SAMPLE["units"] + "new,New,hb,team\n",
        },
    )
    with pytest.raises(ValidationError) as caught:
        store.import_path(bad)
    assert caught.value.problems == [
        "checkins.csv:6: goal_id: no KPI or key result has the id 'nope'"
    ]
    assert_same(store.load_dataset(), before)


def test_replace_starts_over_and_numbers_continue(pg_url: str, tmp_path: Path) -> None:
    store: Store = PgStore(pg_url)
    store.init()
    store.import_path(write_source(tmp_path / "a"))
    summary = store.import_path(DEMO, replace=True)
    assert str(summary).startswith("18 units, 33 KPIs")
    dataset = store.load_dataset()
    assert dataset.units.height == 18
    assert dataset.checkins["seq"].to_list() == list(range(1969))
    saved = store.append_checkin(
        Checkin(goal_id="cs-csat", date=date(2026, 11, 2), value=4.0), today=date(2026, 11, 16)
    )
    with psycopg.connect(pg_url) as con:
        row = con.execute("SELECT seq FROM checkins WHERE id = %s", [saved.id]).fetchone()
    assert row == (1969,)


def test_a_check_in_refused_by_the_rules_names_the_field_on_both_engines(
    read_only: tuple[str, str],
) -> None:
    for db in read_only:
        store = open_store(db)
        with pytest.raises(ValidationError) as caught:
            store.append_checkin(
                Checkin(goal_id="nope", date=date(2026, 11, 2), value=1), today=date(2026, 11, 16)
            )
        assert caught.value.problems == ["goal_id: no KPI or key result has the id 'nope'"]


def test_the_url_may_come_from_the_environment(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOALTUI_DB", pg_url)
    assert run(capsys, "init") == f"Created goaltui database {pg_url}\n"
    assert isinstance(open_store(pg_url), PgStore)
    assert isinstance(open_store("x.duckdb"), FileStore)


def test_a_database_not_yet_initialised_says_how_to_start(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--db", pg_url]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"goaltui: {pg_url}: not a goaltui database yet; create it with "
        f"`goaltui init --db {pg_url}`\n"
    )


def test_the_cycle_on_a_database_not_yet_initialised_says_how_to_start(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["close", "2026-Q3", "--db", pg_url]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"goaltui: {pg_url}: not a goaltui database yet; create it with "
        f"`goaltui init --db {pg_url}`\n"
    )
    # The dashboard does, once there is a goaltui database: until then it says how to start.
    assert main(["--db", pg_url]) == 1
    err = capsys.readouterr().err
    assert "no goaltui database there" in err and "goaltui init --db URL" in err


def test_import_into_an_empty_database_creates_it_only_when_valid(
    pg_url: str, tmp_path: Path
) -> None:
    store = PgStore(pg_url)
    bad = write_source(tmp_path / "bad", append_rows("checkins", "nope,2026-11-03,1,,,,\n"))
    with pytest.raises(ValidationError):
        store.import_path(bad)
    assert not store.exists()
    store.import_path(write_source(tmp_path / "good"))
    assert store.exists()
    assert store.load_dataset().units.height == 4


def test_a_bulk_import_rebuilds_the_check_in_indexes(pg_url: str, tmp_path: Path) -> None:
    store = PgStore(pg_url)
    summary = store.import_path(write_large_source(tmp_path / "large", checkins=BULK_ROWS))
    assert summary.checkins_added == BULK_ROWS
    with psycopg.connect(pg_url) as con:
        indexes = con.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'checkins' ORDER BY 1"
        ).fetchall()
        enabled = con.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'goaltui_member_checkin'"
        ).fetchone()
        count = con.execute("SELECT count(*), max(seq) FROM checkins").fetchone()
    assert indexes == [
        ("checkins_goal_date",),
        ("checkins_id_key",),
        ("checkins_pkey",),
        ("checkins_supersedes",),
    ]
    assert enabled == ("O",)
    assert count == (BULK_ROWS, BULK_ROWS - 1)
