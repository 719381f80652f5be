"""``weishang settle`` killed in the middle of a run, then run again: what its finished chunks
settled stays settled, the rest is settled by the next run, and every commission moves exactly
once with the ledger balanced. The kill lands at a known place: the test holds, uncommitted, the
settlement transfer's key of a commission in the third chunk, so the settler waits there with two
chunks committed; it is killed with SIGKILL while it waits."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from weishang.commissions.models import Account, Commission, Transfer
from weishang.notifications.events import Event
from weishang.notifications.models import Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ORDERS, CHUNK = 3000, 500
NOW, LATER = "2025-06-20T03:00", "2025-06-20T03:30"


def weishang(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("weishang")), *args]


def environment() -> dict:
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return dict(os.environ, DATABASE_URL=url, WEISHANG_DEBUG="1")


def connect():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=False
    )


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


def available() -> int:
    return Commission.objects.filter(status=Commission.Status.AVAILABLE).count()


def settlers_waiting(watcher, *, on_a_lock: bool = False) -> int:
    """Sessions of this database running a settlement statement (waiting on a lock, if asked:
    other databases' tests may be waiting on theirs)."""
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND query LIKE %s AND pid <> pg_backend_pid()"
        + (" AND wait_event_type = 'Lock'" if on_a_lock else ""),
        ["%picked AS%"],
    ).fetchone()[0]


@pytest.fixture
def pending_commissions():
    if connection.vendor != "postgresql":
        pytest.skip("settlement's kill-and-rerun runs on PostgreSQL")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from settlement import check, generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generate(ORDERS, datetime(2025, 6, 1, 4, 0, tzinfo=UTC))
    return list(Commission.objects.order_by("pk")), check


def test_a_killed_settlement_run_and_its_rerun_move_each_commission_once(pending_commissions):
    commissions, check = pending_commissions
    in_third_chunk = commissions[2 * CHUNK + 10]
    pending, available_account = (
        Account.objects.get(distributor_id=in_third_chunk.distributor_id, kind=kind)
        for kind in ("pending", "available")
    )
    with connect() as blocker, connect() as watcher:
        watcher.autocommit = True
        blocker.execute(
            "INSERT INTO commissions_transfer (idempotency_key, debit_id, credit_id, amount_fen,"
            " kind, commission_id, memo, created_at)"
            " VALUES (%s, %s, %s, 1, 'settle', %s, '', now())",
            [f"settle:{in_third_chunk.pk}", pending.pk, available_account.pk, in_third_chunk.pk],
        )
        settler = subprocess.Popen(
            weishang("settle", "--now", NOW, "--chunk", str(CHUNK), "--workers", "1"),
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: available() == 2 * CHUNK, "two chunks are settled")
            wait_for(lambda: settlers_waiting(watcher, on_a_lock=True), "the settler waits")
            settler.send_signal(signal.SIGKILL)
            settler.wait(timeout=30)
        finally:
            if settler.poll() is None:
                settler.kill()
        blocker.rollback()
        # The killed settler's connection ends as soon as it next writes to its dead client.
        wait_for(lambda: settlers_waiting(watcher) == 0, "the killed settler's session ends")

    assert settler.returncode == -signal.SIGKILL
    assert available() == 2 * CHUNK  # the third chunk's transaction died with it
    assert Transfer.objects.filter(kind="settle").count() == 2 * CHUNK

    rerun = subprocess.run(
        weishang("settle", "--now", LATER), env=environment(), capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"Settled {ORDERS - 2 * CHUNK} commissions" in rerun.stdout

    check(ORDERS)  # each commission available once, one transfer each, the ledger balanced
    again = subprocess.run(
        weishang("settle", "--now", LATER), env=environment(), capture_output=True, text=True
    )
    assert "Settled 0 commissions" in again.stdout
    # Each distributor was told of all of it: the killed run's part by the rerun, once.
    told = dict(
        Message.objects.filter(event=Event.COMMISSION_AVAILABLE)
        .values("customer_id")
        .annotate(total=Sum(Cast(KeyTextTransform("amount_fen", "params"), IntegerField())))
        .values_list("customer_id", "total")
    )
    earned = dict(
        Commission.objects.values("distributor__customer_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("distributor__customer_id", "total")
    )
    assert told == earned
