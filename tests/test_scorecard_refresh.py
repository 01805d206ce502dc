"""refresh_goals: recomputing only the goals that got a check-in gives the same scorecard as
building it again from scratch, due list and roll-ups included."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.scorecard import build_scorecard, refresh_goals
from goaltui.model.types import Checkin
from goaltui.store.checkins import append_checkin
from goaltui.store.dataset import load_dataset
from tests.store_helpers import make_demo_db


@pytest.mark.parametrize(
    ("goal_id", "day"),
    [("hb-talent", DEMO_AS_OF), ("sales-contracts", date(2026, 11, 2))],
)
def test_a_refreshed_scorecard_equals_a_rebuilt_one(
    tmp_path: Path, goal_id: str, day: date
) -> None:
    db = make_demo_db(tmp_path)
    before = build_scorecard(load_dataset(db), DEMO_AS_OF)
    append_checkin(db, Checkin(goal_id=goal_id, date=day, value=97.0), today=DEMO_AS_OF)
    after = load_dataset(db)
    patched, rebuilt = refresh_goals(before, after, [goal_id]), build_scorecard(after, DEMO_AS_OF)
    assert patched.goals.equals(rebuilt.goals)
    assert patched.objectives.equals(rebuilt.objectives)
    assert patched.rollup.sort("unit_id").equals(rebuilt.rollup.sort("unit_id"))
    assert patched.due.equals(rebuilt.due)
    assert patched.due_counts.sort("unit_id").equals(rebuilt.due_counts.sort("unit_id"))
    assert patched.due["goal_id"].is_unique().all()
    assert (goal_id in before.due_ids) == (goal_id == "hb-talent")
