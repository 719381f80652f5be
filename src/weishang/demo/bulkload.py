"""Rows straight into tables, for the data generator: COPY on PostgreSQL (psycopg 3's
``cursor.copy``), ``executemany`` on SQLite. No model code runs: the caller hands over values as
the database stores them (ids, raw strings, aware datetimes) and keeps the constraints itself.

Ids are handed out by the caller (``next_ids``) so that child rows can point at their parents
without reading anything back; ``reset_sequences`` then moves each table's id sequence past them.
"""

import queue
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

ROWS_PER_STATEMENT = 2000


def _columns(model, fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def next_id(model) -> int:
    """The first id after every row the table holds (the caller is the only writer)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        return (cursor.fetchone()[0] or 0) + 1


def reset_sequences(*models) -> None:
    """After rows with explicit ids: the next row the application makes gets the next id.
    (SQLite's AUTOINCREMENT follows the largest id inserted by itself.)"""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def bulk_session():
    """On PostgreSQL, for the loading session only: commits do not wait for the disk, and the
    foreign-key triggers stay quiet (each would lock its parent row: most of a COPY's time). The
    generator hands out every id itself and only points at rows it has written or read, so the
    references hold without them. Turning the triggers off takes a superuser; without one the
    load runs with them, slower."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"synchronous_commit": "off", "session_replication_role": "replica"}
    changed = []
    with connection.cursor() as cursor:
        for name, value in settings.items():
            try:
                cursor.execute(f"SET {name} = {value}")
                changed.append(name)
            except DatabaseError:
                pass
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in changed:
                cursor.execute(f"RESET {name}")


class Loader:
    """``load(model, fields, rows)`` writes the rows; one COPY per call on PostgreSQL."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def load(self, model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        columns = _columns(model, fields)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        count = 0
        if self.postgres:
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(map(self._sqlite_value, row)))
                if len(batch) == ROWS_PER_STATEMENT:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    @staticmethod
    def _sqlite_value(value):
        # Raw SQL gets no field conversion: SQLite keeps datetimes as naive UTC text.
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def execute(self, sql: str, params: Sequence = ()) -> int:
        with connection.cursor() as cursor:
            values = list(params) if self.postgres else [self._sqlite_value(p) for p in params]
            cursor.execute(sql, values)
            return cursor.rowcount

    def seconds_before(self, column: str, seconds_sql: str) -> str:
        """SQL for the timestamp ``column`` less ``seconds_sql`` seconds, in either database."""
        if self.postgres:
            return f"({column} - make_interval(secs => {seconds_sql}))"
        # Statements run with parameters, so a literal % is written %%.
        return (
            f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '-' || ({seconds_sql}) || ' seconds')"
        )


class BackgroundLoader:
    """Loads batches on a second connection while the caller makes the next ones (PostgreSQL): the
    database builds rows on one core while Python makes them on the other.

    Everything it loads is one transaction, committed by ``close``: a failed run leaves nothing
    behind. The tables' plain indexes (not primary keys, not unique constraints) are dropped first
    and built again at the end, in bulk, far faster than kept up row by row."""

    def __init__(self, *, reindex: Sequence = ()):
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.reindex = list(reindex)
        self.thread = threading.Thread(target=self._run, name="bulk-loader", daemon=True)
        self.thread.start()

    def put(self, batch: list[tuple]) -> None:
        """``batch``: ``(model, fields, rows)`` to load, in order."""
        while True:
            if self.error is not None or not self.thread.is_alive():
                self.close()
            try:
                self.queue.put(batch, timeout=1)
                return
            except queue.Full:  # the loader is busy: wait, checking it is still alive
                continue

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _run(self) -> None:
        # ``connection`` is this thread's own: Django opens one per thread.
        own = connection
        try:
            with bulk_session(), transaction.atomic():
                with own.cursor() as cursor:
                    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                indexes = self._drop_indexes(own)
                loader = Loader()
                while (batch := self.queue.get()) is not None:
                    for model, fields, rows in batch:
                        loader.load(model, fields, rows)
                with own.cursor() as cursor:
                    for definition in indexes:
                        cursor.execute(definition)
        except BaseException as error:  # handed to the caller's thread by put/close
            self.error = error
            while self.queue.get() is not None:
                pass
        finally:
            own.close()

    def _drop_indexes(self, own) -> list[str]:
        if not self.reindex:
            return []
        tables = [m._meta.db_table for m in self.reindex]
        with own.cursor() as cursor:
            cursor.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                [tables],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {own.ops.quote_name(name)}")
        return [definition for _name, definition in found]
