"""The project behind PgBouncer in transaction mode (docs/scaling.md): a PgBouncer of its own
(bench/pgbouncer.py), started on a free loopback port in front of the test's PostgreSQL with a
pool of three server connections, and the project run through it in its own process
(tests/config/pgbouncer_scenario.py): twelve checkouts at a time all complete while PgBouncer
holds no more than its three server connections, the export streams through a server-side
cursor in its transaction, and a console page answers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCENARIO = Path(__file__).with_name("pgbouncer_scenario.py")
ROOT = Path(__file__).resolve().parents[2]
POOL = 3
CUSTOMERS = 36


@pytest.fixture
def bouncer():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import pgbouncer
    finally:
        sys.path.remove(str(ROOT / "bench"))
    if connection.vendor != "postgresql" or pgbouncer.binary() is None:
        pytest.skip("needs PostgreSQL and PgBouncer (apt-get install pgbouncer)")
    db = connection.settings_dict
    server = (
        f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
    )
    with pgbouncer.running(server, pool_size=POOL) as running:
        yield running


def test_checkouts_export_and_console_through_pgbouncer_in_transaction_mode(
    bouncer, make_customer, make_product, staff, brand, tmp_path
):
    make_product(stock=1000)
    for _ in range(CUSTOMERS):
        make_customer()
    env = dict(
        os.environ,
        DATABASE_URL=bouncer.url(connection.settings_dict["NAME"]),
        PGBOUNCER_ADMIN=bouncer.admin_url,
        WEISHANG_DEBUG="1",
        WEISHANG_CONN_MAX_AGE="0",
        DJANGO_SETTINGS_MODULE="weishang.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    done = subprocess.run(
        [sys.executable, str(SCENARIO), str(tmp_path / "export")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)

    assert seen["checkouts"] == CUSTOMERS  # every one placed and paid
    assert seen["client_threads"] > POOL
    assert 1 <= seen["peak_server_connections"] <= POOL
    assert seen["exported_lines"] == CUSTOMERS
    assert seen["console_orders"] == 200
