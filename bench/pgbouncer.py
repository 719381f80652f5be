"""A PgBouncer of its own in front of a PostgreSQL server, in transaction mode, for the checkout
benchmark (``--pgbouncer``) and tests/config/test_pgbouncer.py. Needs Debian's ``pgbouncer``;
run as root, it runs PgBouncer as the postgres user (PgBouncer will not run as root)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit


def binary() -> str | None:
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    return found if Path(found).exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class PgBouncer:
    def __init__(self, port: int, user: str):
        self.port, self.user = port, user

    def url(self, database: str) -> str:
        """Where the application connects to reach ``database`` through PgBouncer."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        """PgBouncer's own console (SHOW SERVERS, SHOW POOLS …)."""
        return self.url("pgbouncer")


@contextmanager
def running(server_url: str, *, pool_size: int) -> Iterator[PgBouncer]:
    """PgBouncer on a free loopback port, pooling at most ``pool_size`` server connections per
    database of the server at ``server_url`` (any database name passes through)."""
    parts = urlsplit(server_url)
    user = parts.username or "postgres"
    folder = Path(tempfile.mkdtemp(prefix="weishang-pgbouncer-"))
    port = _free_port()
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
* = host={parts.hostname or "127.0.0.1"} port={parts.port or 5432} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 1000
logfile = {folder}/pgbouncer.log
"""
    )
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(folder, "postgres")
        shutil.chown(config, "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_postgres else []
    process = subprocess.Popen(
        [*prefix, binary() or "pgbouncer", "--quiet", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "pgbouncer.log"
                raise RuntimeError(
                    f"PgBouncer did not start: {log.read_text() if log.exists() else ''}"
                )
            time.sleep(0.05)
        yield PgBouncer(port, user)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def server_connections(bouncer: PgBouncer) -> int:
    """How many server connections PgBouncer holds now."""
    import psycopg

    with psycopg.connect(bouncer.admin_url, autocommit=True) as admin:
        return len(admin.execute("SHOW SERVERS").fetchall())
