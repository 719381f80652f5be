"""What every benchmark does first: a fresh PostgreSQL database, and the environment that points
the project's commands at it."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def recreate_postgres(url: str) -> None:
    """Drops and creates the database named in ``url`` (connecting to ``postgres`` to do it)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not name:
        raise SystemExit(f"--database-url must name a PostgreSQL database, not {url!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def environment(url: str, **extra: str) -> dict[str, str]:
    """This process's environment with the project's settings aimed at ``url``, DEBUG off."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="weishang.config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        WEISHANG_DEBUG="0",
        # Bench-only values: with DEBUG off the settings refuse the public demo ones.
        WEISHANG_SECRET_KEY="bench-only-secret-key-never-used-by-a-real-server-0123456789",
        WEISHANG_FIELD_ENCRYPTION_KEYS="B-VXn2d0mQGo5bmIqBRYv8Jk5X8Ebu0OP4a7rJ1PLuA=",
        WEISHANG_SANDBOX_PAY_SECRET="bench-sandbox-secret",
        WEISHANG_SMS_SENDER="weishang.customers.sms.MemorySmsSender",
        WEISHANG_CACHE_URL="locmem://",
        WEISHANG_ID_HASH_KEY="bench-only-id-hash-key-0123456789abcdef",
        WEISHANG_SITE_URL="https://bench.weishang.test",
        WEISHANG_HTTPS="0",
    )
    env.update(extra)
    return env
