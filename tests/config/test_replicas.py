"""Reads routed to a streaming replica: a primary and a replica made here with initdb and
pg_basebackup (their own clusters on free loopback ports, so the machine's server is left as it
is), and the project run against both in its own process (tests/config/replica_scenario.py)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.postgres

SCENARIO = Path(__file__).with_name("replica_scenario.py")
ROOT = Path(__file__).resolve().parents[2]


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster of its own in a folder, run as the postgres user when we are root."""

    def __init__(self, bin_dir: Path, folder: Path, port: int):
        self.bin, self.folder, self.port = bin_dir, folder, port
        self.data = folder / "data"

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    @property
    def options(self) -> str:
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c fsync=off -c max_connections=20"
        )

    def start(self) -> None:
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", self.options, "-w", "start",
        )  # fmt: skip

    def stop_command(self) -> str:
        prefix = "runuser -u postgres -- " if os.geteuid() == 0 else ""
        return f"{prefix}{self.bin / 'pg_ctl'} -D {self.data} -m immediate -w stop"

    def stop(self) -> None:
        subprocess.run(self.stop_command(), shell=True, capture_output=True, timeout=60)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def copy_test_database(bin_dir: Path, primary: Cluster) -> None:
    """The migrated test database, copied into the new primary (faster than migrating)."""
    source = connection.settings_dict
    dump = subprocess.run(
        [str(bin_dir / "pg_dump"), "-h", source["HOST"] or "127.0.0.1",
         "-p", str(source["PORT"] or 5432), "-U", source["USER"] or "postgres",
         "--no-owner", source["NAME"]],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [str(bin_dir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
         "-p", str(primary.port), "-U", "postgres", "app"],
        input=dump.stdout, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def primary_and_replica(django_db_setup):
    bin_dir = _bin_dir()
    if connection.vendor != "postgresql" or bin_dir is None:
        pytest.skip("needs PostgreSQL's server programs")
    # Not under pytest's own temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="weishang-replication-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    primary = Cluster(bin_dir, folder / "primary", _free_port())
    replica = Cluster(bin_dir, folder / "replica", _free_port())
    for cluster in (primary, replica):
        cluster.folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(cluster.folder, "postgres")
    primary.run(
        str(bin_dir / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust",
        "--no-sync",
    )  # fmt: skip
    primary.start()
    try:
        primary.run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(primary.port), "app")
        copy_test_database(bin_dir, primary)
        replica.run(
            str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        replica.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_reads_go_to_the_replica_only_where_safe_and_while_it_keeps_up(primary_and_replica):
    primary, replica = primary_and_replica
    env = dict(
        os.environ,
        DATABASE_URL=primary.url("app"),
        WEISHANG_REPLICA_URL=replica.url("app"),
        WEISHANG_REPLICA_MAX_LAG="1",
        WEISHANG_REPLICA_CHECK_SECONDS="0",
        WEISHANG_DEBUG="1",
        DJANGO_SETTINGS_MODULE="weishang.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        STOP_REPLICA=replica.stop_command(),
    )
    done = subprocess.run(
        [sys.executable, str(SCENARIO)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)

    assert seen["outside"] == ["default", True]
    assert seen["inside"] == ["replica", True]
    assert seen["inside_a_transaction"] == ["default", True]  # read to be written: the primary
    assert seen["write_inside_on_primary"] is True
    assert seen["export_snapshot"] == ["replica", "replica"]
    # Paused replay: the replica is behind, so the primary answers, with the newest row.
    assert seen["lagging"] == ["default", True]
    assert seen["caught_up"] == ["replica", True]

    assert seen["order_list"]["status"] == 200
    assert seen["order_list"]["replica"] > 0
    assert seen["analytics_home"]["status"] == 200
    assert seen["analytics_home"]["replica"] > 0
    # After a change (a POST) the same browser reads its list from the primary.
    assert seen["order_list_after_a_change"]["status"] == 200
    assert seen["order_list_after_a_change"]["replica"] == 0

    assert seen["replica_down"] == ["default", True]
