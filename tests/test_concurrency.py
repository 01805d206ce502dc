"""Durability and concurrency: killed imports, two writers, a held lock, foreign files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from goaltui.model.errors import DatabaseError
from goaltui.model.types import Checkin
from goaltui.store.checkins import append_checkin
from goaltui.store.dataset import load_dataset
from goaltui.store.db import lock_path
from goaltui.store.importer import import_path
from tests.checkin_storm import child_env, stored_ids, storm
from tests.store_helpers import assert_same, write_large_source, write_source

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 16)


KILLED_CHECKINS = 150_000
"""Check-ins of the killed import: more than one of the importer's batches (122,880 rows), so
a whole batch can be written to the file, uncommitted, when the process dies."""

KILLED_IMPORT = """
import sys
from pathlib import Path
import goaltui.store.importer as importer

write = importer._write

def write_then_hang(con, plan, existing, *, replace):
    summary = write(con, plan, existing, replace=replace)
    # Everything is inserted, nothing committed: the parent kills us here.
    print("written", summary, flush=True)
    sys.stdin.read()
    return summary

importer._write = write_then_hang
importer.import_path(Path(sys.argv[1]), Path(sys.argv[2]), replace=sys.argv[3] == "replace")
"""


@pytest.mark.parametrize("mode", ["merge", "replace"])
def test_killed_import_leaves_the_database_as_it_was(
    tmp_path: Path, db_path: Path, mode: str
) -> None:
    import_path(db_path, write_source(tmp_path / "small"))
    before = load_dataset(db_path)
    big = write_large_source(tmp_path / "big", checkins=KILLED_CHECKINS, root="hb")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(db_path), str(big), mode],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("written"), process.stderr.read() if process.stderr else line
    assert f"{KILLED_CHECKINS:,} check-ins added" in line
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert_same(before, load_dataset(db_path))
    # The file is healthy: the import can be run to the end afterwards.
    assert import_path(db_path, big, replace=mode == "replace").checkins_added == KILLED_CHECKINS


APPENDS = 12
"""Check-ins each of two processes appends: both start at one signal, so their writes overlap
from the first one (no count of appends is needed to make them meet by chance)."""

APPENDER = """
import sys
from datetime import date
from pathlib import Path
from goaltui.model.types import Checkin
from goaltui.store.checkins import append_checkin

db, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    append_checkin(
        db,
        Checkin(goal_id="rev", date=date(2026, 11, 1), value=i, note=f"{tag}-{i}"),
        today=date(2026, 11, 16),
    )
print("done", flush=True)
"""


def test_two_processes_append_at_the_same_time(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    env = {**os.environ, "GOALTUI_LOCK_TIMEOUT": "20"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(db_path), tag, str(APPENDS)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for tag in ("a", "b")
    ]
    # Both have imported goaltui and wait: then both are let go at once.
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.strip() == "done"
    total = 4 + 2 * APPENDS
    checkins = load_dataset(db_path).checkins
    assert checkins.height == total
    notes = set(checkins["note"].drop_nulls().to_list())
    assert {f"{tag}-{i}" for tag in "ab" for i in range(APPENDS)} <= notes
    assert checkins["seq"].to_list() == list(range(total))
    assert checkins["id"].n_unique() == total


HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


def test_a_database_locked_too_long_gives_a_clear_error(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv("GOALTUI_LOCK_TIMEOUT", "0.3")
        checkin = Checkin(goal_id="rev", date=date(2026, 11, 1), value=1)
        with pytest.raises(DatabaseError) as caught:
            append_checkin(db_path, checkin, today=TODAY)
        message = str(caught.value)
        assert "in use by another program" in message
        assert f"process {holder.pid}" in message
        assert "0.3 s" in message
        with pytest.raises(DatabaseError, match="in use by another program"):
            import_path(db_path, write_source(tmp_path / "again"))
    finally:
        holder.communicate(input="", timeout=30)
    # Released: the same check-in goes through.
    append_checkin(db_path, Checkin(goal_id="rev", date=date(2026, 11, 1), value=1), today=TODAY)
    assert load_dataset(db_path).checkins.height == 5


def test_a_file_of_random_bytes_is_not_a_goaltui_database(tmp_path: Path) -> None:
    db = tmp_path / "random.duckdb"
    db.write_bytes(bytes(range(256)) * 64)
    source = write_source(tmp_path / "src")
    for attempt in (
        lambda: import_path(db, source),
        lambda: load_dataset(db),
        lambda: append_checkin(
            db, Checkin(goal_id="rev", date=date(2026, 11, 1), value=1), today=TODAY
        ),
    ):
        with pytest.raises(DatabaseError, match="not a goaltui database"):
            attempt()
    assert db.read_bytes() == bytes(range(256)) * 64


def test_a_duckdb_file_of_another_program_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE sales (day DATE, amount DOUBLE)")
    con.close()
    with pytest.raises(DatabaseError, match="not a goaltui database"):
        import_path(db, write_source(tmp_path / "src"))
    with pytest.raises(DatabaseError, match="not a goaltui database"):
        load_dataset(db)
    con = duckdb.connect(str(db), read_only=True)
    tables = con.sql("SELECT table_name FROM information_schema.tables").fetchall()
    con.close()
    assert tables == [("sales",)]


def test_every_checkin_said_saved_is_stored_beside_readers(tmp_path: Path, db_path: Path) -> None:
    """Writers check in at once beside a report loop and a dashboard; none may be lost."""
    import_path(db_path, write_source(tmp_path / "src"))
    env = child_env(REPO, timeout=60)
    result = storm(db_path, writers=5, checkins=4, env=env, cwd=REPO)
    assert result.failed == []
    assert result.reader_failures == []
    assert result.reader_runs > 0
    assert len(result.saved) == 20
    assert stored_ids(db_path, env, cwd=REPO) >= set(result.saved)
    notes = set(load_dataset(db_path).checkins["note"].drop_nulls().to_list())
    assert {f"w{tag}-{i}" for tag in range(5) for i in range(4)} <= notes


def test_a_writer_waits_for_the_sidecar_lock_then_says_so(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    holder = subprocess.Popen(
        [sys.executable, "-c", SIDECAR_HOLDER, str(lock_path(db_path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv("GOALTUI_LOCK_TIMEOUT", "0.2")
        checkin = Checkin(goal_id="rev", date=date(2026, 11, 1), value=1)
        with pytest.raises(DatabaseError, match=r"in use by another program .*0\.2 s"):
            append_checkin(db_path, checkin, today=TODAY)
        with pytest.raises(DatabaseError, match="in use by another program"):
            load_dataset(db_path)
    finally:
        holder.communicate(input="", timeout=30)
    assert load_dataset(db_path).checkins.height == 4
    assert lock_path(db_path).exists()


SIDECAR_HOLDER = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1], preserve_lock_file=True):
    print("holding", flush=True)
    sys.stdin.read()
"""
