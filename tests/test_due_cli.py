"""`goaltui due`: csv, json, table and the Markdown reminder from an imported database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from goaltui.cli import main
from goaltui.config import DEMO_AS_OF
from goaltui.metrics.due import due_goals
from goaltui.store.dataset import load_dataset
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path

FILES = {
    "units.csv": """id,name,parent_id,kind
acme,Acme Inc.,,org
sales,Sales team,acme,team
kim,Kim *Min-ji*,sales,person
hr,People,acme,team
""",
    "kpis.csv": """id,unit_id,name,unit,direction,aggregation,period,target,cadence
rev,sales,Monthly revenue,KRW,at_least,sum,month,1000000,weekly
hire,hr,Average time to hire,days,at_most,mean,quarter,45,
calls,kim,Customer calls,count,at_least,sum,month,10,weekly
renew,kim,Renewal rate,%,at_least,ratio,quarter,80,weekly
""",
    "objectives.csv": """id,unit_id,title,period
o1,kim,Grow [steadily],2026-Q4
""",
    "key_results.csv": """id,objective_id,title,unit,direction,aggregation,target,kpi_id
r1,o1,Launch six features,count,at_least,sum,6,
r2,o1,Revenue,,,,4000000,rev
""",
    "checkins.csv": """goal_id,date,value,denominator
rev,2026-11-03,430000,
hire,2026-11-02,40,
calls,2026-10-31,3,
renew,2026-10-10,30,40
r1,2026-11-12,1,
""",
}
AS_OF = "2026-11-16"
NOT_DAYS = "is not a number of days (use 0, 7, 14...)"
HEADER = "goal_id,kind,unit_id,name,cadence,last_checkin,due,days_overdue"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("src")
    for name, text in FILES.items():
        (source / name).write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("db") / "goals.duckdb"
    import_path(path, source)
    return path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "goaltui", "due", "--db", str(db), "--as-of", AS_OF, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_csv_is_exact(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "--db", str(db), "--as-of", AS_OF, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        HEADER,
        # renew: weekly, 2026-10-10 is in Q4: due 10-17.
        "renew,kpi,kim,Renewal rate,weekly,2026-10-10,2026-10-17,30",
        # calls: weekly, 10-31 is last month: anchored at 11-01.
        "calls,kpi,kim,Customer calls,weekly,2026-10-31,2026-11-08,8",
        "rev,kpi,sales,Monthly revenue,weekly,2026-11-03,2026-11-10,6",
    ]


def test_within_and_unit(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["due", "--db", str(db), "--as-of", AS_OF, "--format", "csv", "--within", "16"]
    assert main([*args, "--unit", "kim"]) == 0
    assert [line.split(",")[0] for line in capsys.readouterr().out.splitlines()] == [
        "goal_id",
        "renew",
        "calls",
        "r1",
    ]
    assert main(args) == 0
    assert [line.split(",")[0] for line in capsys.readouterr().out.splitlines()] == [
        "goal_id",
        "renew",
        "calls",
        "rev",
        "r1",
        "hire",
    ]
    assert main([*args, "--unit", "hr"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        HEADER,
        "hire,kpi,hr,Average time to hire,monthly,2026-11-02,2026-12-02,-16",
    ]


def test_json_has_the_csv_fields(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["due", "--db", str(db), "--as-of", AS_OF, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "goal_id": "renew",
        "kind": "kpi",
        "unit_id": "kim",
        "name": "Renewal rate",
        "cadence": "weekly",
        "last_checkin": "2026-10-10",
        "due": "2026-10-17",
        "days_overdue": 30,
    }
    assert [r["goal_id"] for r in rows] == ["renew", "calls", "rev"]


def test_reminder_post_groups_by_owner_and_escalates(db: Path) -> None:
    status, out, err = run(db, "--format", "md")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "# Check-ins due as of 2026-11-16",
        "",
        "3 goals need a check-in. Please check in today: in the dashboard press `c` on the "
        "goal, or run the command shown.",
        "",
        "## Sales team (sales)",
        "",
        "- KPI **Monthly revenue**: 6 days overdue (due 2026-11-10, weekly). "
        "Last: 430k KRW on 2026-11-03.",
        "  Check in: `goaltui checkin rev VALUE`",
        "",
        "Long overdue below this unit (more than twice the cadence):",
        "",
        "- Kim \\*Min-ji\\* (kim): **Renewal rate**, 30 days overdue (due 2026-10-17, weekly)",
        "",
        "## Kim \\*Min-ji\\* (kim)",
        "",
        "- KPI **Renewal rate**: 30 days overdue (due 2026-10-17, weekly; **more than twice its "
        "cadence late**). Last: 30 / 40 on 2026-10-10.",
        "  Check in: `goaltui checkin renew VALUE --denominator N`",
        "- KPI **Customer calls**: 8 days overdue (due 2026-11-08, weekly). Last: 3 on 2026-10-31.",
        "  Check in: `goaltui checkin calls VALUE`",
    ]


def test_table_words_and_nobody_due(db: Path) -> None:
    status, out, _ = run(db, "--within", "3")
    assert status == 0
    assert "Check-ins due as of 2026-11-16" in out
    assert "30 days overdue, escalated" in out
    assert "due in 3 days" in out  # r1, due 11-19
    assert "Kim *Min-ji*" in out
    status, out, _ = run(db, "--unit", "hr")
    assert status == 0
    assert "Nobody owes a check-in." in out
    status, out, _ = run(db, "--unit", "hr", "--format", "md")
    assert "Nobody owes a check-in" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "nope"], "goaltui: --unit: no unit has the id 'nope'\n"),
        (
            ["--within", "soon"],
            "goaltui: --within: 'soon' is not a number of days (use 0, 7, 14...)\n",
        ),
        (["--within", "-1"], "goaltui: --within: '-1' is not a number of days (use 0, 7, 14...)\n"),
    ],
)
def test_bad_options_give_one_clear_message(db: Path, args: list[str], message: str) -> None:
    status, out, err = run(db, *args)
    assert (status, out, err) == (1, "", message)


def test_the_demo_organisation_has_a_due_list_worth_reading(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    import_path(path, demo_source())
    due = due_goals(load_dataset(path), DEMO_AS_OF, within=7)
    overdue = due.filter(pl.col("days_overdue") >= 0)
    assert overdue.select("goal_id", "cadence", "days_overdue", "escalated").rows() == [
        ("product-seo-2026q4-kr1", "weekly", 18, True),
        ("hb-talent", "monthly", 17, False),
        ("cs-lim-help-articles", "weekly", 8, False),
        ("product-seo-2026q4-kr2", "weekly", 4, False),
    ]
    assert set(due.filter(pl.col("days_overdue") < 0)["days_overdue"]) == {-3, -6}
    assert set(due["cadence"]) == {"weekly", "monthly"}
