"""The import's rules for definitions, one row at a time (for authoring forms): the same
verdicts and words as importing the row in a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaltui.model.errors import ValidationError
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.importer import definition_problems, import_path
from tests.store_helpers import SAMPLE, write_source


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("definitions")
    import_path(folder / "goals.duckdb", write_source(folder / "src"))
    return load_dataset(folder / "goals.duckdb")


KPI = {
    "id": "x",
    "unit_id": "hb",
    "name": "Churn",
    "unit": "%",
    "direction": "at_most",
    "aggregation": "last",
    "period": "month",
    "target": "5%",
}
CASES = [
    ("kpis", KPI, {}),
    (
        "kpis",
        KPI | {"target": "1,25"},
        {
            "target": "'1,25' is not a number: use . for decimals "
            "(e.g. 1.25); , only separates thousands (e.g. 1,250)"
        },
    ),
    (
        "kpis",
        KPI | {"unit": "KRW"},
        {"target": "'5%' has a % sign, but the goal is not measured in %; write the number alone"},
    ),
    ("kpis", KPI | {"unit_id": "ghost"}, {"unit_id": "no unit has the id 'ghost'"}),
    ("kpis", KPI | {"period": "week"}, {"period": "'week' is not one of month, quarter, year"}),
    ("kpis", KPI | {"parent_id": "ghost"}, {"parent_id": "no KPI has the id 'ghost'"}),
    (
        "units",
        {"id": "ops", "name": "Ops\x1b[2J", "parent_id": "hb", "kind": "team"},
        {
            "name": "holds a control character (U+001B, escape); text may not hold control "
            "characters"
        },
    ),
    (
        "objectives",
        {"id": "o9", "unit_id": "hb", "title": "T", "period": "2026-Q5"},
        {"period": "'2026-Q5' is not a quarter or a year (use e.g. 2026-Q4 or 2026)"},
    ),
    (
        "key_results",
        {
            "id": "k9",
            "objective_id": "o1",
            "title": "T",
            "weight": "-1",
            "unit": "count",
            "direction": "at_least",
            "aggregation": "sum",
        },
        {"weight": "'-1' is negative; a weight is 0 or more"},
    ),
    ("key_results", {"id": "k9", "objective_id": "o1", "title": "T", "kpi_id": "rev"}, {}),
]


@pytest.mark.parametrize(("table", "row", "expected"), CASES)
def test_one_definition_gets_the_imports_verdict(
    sample: Dataset, tmp_path: Path, table: str, row: dict[str, str], expected: dict[str, str]
) -> None:
    assert definition_problems(table, row, sample) == expected
    # The same row in a file: the same problems, by column.
    header = ",".join(SAMPLE[table].splitlines()[0].split(","))
    columns = header.split(",")
    cells = ['"' + (row.get(c) or "").replace('"', '""') + '"' for c in columns]
    source = write_source(tmp_path / "src", {table: SAMPLE[table] + ",".join(cells) + "\n"})
    if not expected:
        import_path(tmp_path / "db.duckdb", source)
        return
    with pytest.raises(ValidationError) as caught:
        import_path(tmp_path / "db.duckdb", source)
    found = dict(p.split(": ", 2)[1:] for p in caught.value.problems)
    assert found == expected


def test_an_id_stored_for_a_key_result_is_taken(sample: Dataset) -> None:
    assert definition_problems("kpis", KPI | {"id": "kr1"}, sample) == {
        "id": "'kr1' is already the id of a key result"
    }


def test_an_empty_organisation_takes_a_root_unit() -> None:
    assert definition_problems("units", {"id": "org", "name": "Org", "kind": "org"}) == {}
    assert definition_problems(
        "units", {"id": "t", "name": "T", "kind": "team", "parent_id": "org"}
    ) == {
        "parent_id": "no unit has the id 'org'",
        "row": "no unit is the root; exactly one unit must have an empty parent_id",
    }
