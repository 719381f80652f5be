"""Run by tests/config/test_replicas.py in its own process, against a primary (a copy of the test
database, migrated) and a streaming replica the test started (DATABASE_URL and
WEISHANG_REPLICA_URL): does what the router must handle and prints, as JSON, where each read
went and what it saw."""

import json
import os
import subprocess
import sys
import time

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from weishang import replicas  # noqa: E402
from weishang.reporting import export  # noqa: E402

User = get_user_model()


def caught_up(timeout: float = 20) -> None:
    """Waits until the replica has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise SystemExit("the replica did not catch up")


def on_replica(sql: str) -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql)


def read_where(model=User, **filters):
    """(the alias a read is routed to, whether the filtered rows exist there)."""
    query = model.objects.filter(**filters)
    return query.db, query.exists()


def queries_of(make_request) -> dict:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        status = make_request().status_code
    return {"status": status, "primary": len(primary), "replica": len(replica)}


def main() -> dict:
    seen: dict = {}
    owner = User.objects.create_user(username="owner", password="pw-owner-12345", is_staff=True)
    owner.groups.add(Group.objects.get_or_create(name="owner")[0])
    caught_up()

    seen["outside"] = read_where(username="owner")
    with replicas.reads():
        seen["inside"] = read_where(username="owner")
        with transaction.atomic():
            seen["inside_a_transaction"] = read_where(username="owner")
        User.objects.create_user(username="written-inside")
    seen["write_inside_on_primary"] = (
        User.objects.using("default").filter(username="written-inside").exists()
    )

    with export.consistent_snapshot():
        seen["export_snapshot"] = [replicas.read_alias(), read_where(username="owner")[0]]

    # The replica falls behind: reads go to the primary and see the newest row.
    on_replica("SELECT pg_wal_replay_pause()")
    User.objects.create_user(username="while-paused")
    time.sleep(float(os.environ["WEISHANG_REPLICA_MAX_LAG"]) + 0.5)
    with replicas.reads():
        seen["lagging"] = read_where(username="while-paused")
    on_replica("SELECT pg_wal_replay_resume()")
    caught_up()
    with replicas.reads():
        seen["caught_up"] = read_where(username="while-paused")

    # Console pages: a list reads from the replica; after a change, from the primary.
    browser = Client()
    browser.force_login(owner)
    seen["order_list"] = queries_of(lambda: browser.get("/console/orders/"))
    seen["analytics_home"] = queries_of(lambda: browser.get("/console/"))
    browser.post("/console/analytics/funnel/threshold/", {"threshold": "oops"})
    seen["order_list_after_a_change"] = queries_of(lambda: browser.get("/console/orders/"))

    # The replica goes away: reads carry on at the primary.
    subprocess.run(os.environ["STOP_REPLICA"], shell=True, check=True, capture_output=True)
    connections["replica"].close()
    with replicas.reads():
        seen["replica_down"] = read_where(username="owner")
    return seen


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
