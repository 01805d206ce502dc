"""A demo organisation on the test session's PostgreSQL server with logins on units: built once
per session as a template database, copied (CREATE DATABASE ... TEMPLATE) for each test.

`alice` (a member) is the login of the person unit sales-kim, `bob` (a member) of the team
sales.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import polars as pl
import psycopg
import pytest

from goaltui.store.cells import SPECS
from goaltui.store.demo import demo_source
from goaltui.store.engine import PgStore
from tests.pg_server import PgServer

UNIT_COLUMNS = [c.name for c in SPECS["units"]]
TEMPLATE = "pgdash_demo"
LOGINS = {"alice": "goaltui_member", "bob": "goaltui_member"}
ALICE_GOAL = "sales-kim-contracts"
"""A KPI of sales-kim, the unit whose login is alice."""
BOB_GOAL = "sales-lee-contracts"
"""A KPI of sales-lee, under bob's team."""
DAY = date(2026, 11, 10)


@pytest.fixture(scope="session")
def demo_template(pg_server: PgServer) -> str:
    """A database holding the demo organisation with logins on units, to copy per test."""
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {TEMPLATE}")
    url = pg_server.url(TEMPLATE)
    store = PgStore(url)
    store.init()
    store.import_path(demo_source())
    with psycopg.connect(url, autocommit=True) as con:
        for login, role in LOGINS.items():
            con.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login}') "
                f"THEN CREATE ROLE {login} LOGIN; END IF; END $$"
            )
            con.execute(f"GRANT {role} TO {login}")
    # Through goaltui, so that the history tells of it as of every other definition.
    units = store.load_dataset().units
    for unit_id, login in (("sales-kim", "alice"), ("sales", "bob")):
        row = units.filter(pl.col("id") == unit_id).row(0, named=True)
        cells = {c: None if v is None else str(v) for c, v in row.items() if c in UNIT_COLUMNS}
        store.save_definition("units", {**cells, "login": login})
    return TEMPLATE


@pytest.fixture
def team_db(
    pg_server: PgServer, demo_template: str, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh copy of the demo template; its name."""
    name = "d_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name} TEMPLATE {demo_template}")
    yield name
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
