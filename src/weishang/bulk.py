"""Writes the ORM has no single statement for, portable between SQLite and PostgreSQL: a counter
added to in place (made if missing), and rows inserted straight from a query."""

import itertools
from collections.abc import Iterable

from django.db import connection

# Rows per statement: within SQLite's 32,766 and PostgreSQL's 65,535 parameters at ten columns.
CHUNK = 2000


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def add_to(model, keys: dict, amounts: dict) -> None:
    """Adds ``amounts`` to the row with these ``keys`` (a unique constraint), made if missing, in
    one statement: no read before the write, so two transactions never overwrite each other."""
    add_all(model, [(keys, amounts)])


def add_all(model, rows: Iterable[tuple[dict, dict]]) -> None:
    """``add_to`` for many rows (all with the same key and amount names), a statement per
    ``CHUNK`` of them; rows with the same keys are summed first, since one statement may change a
    row only once."""
    summed: dict[tuple, dict] = {}
    for keys, amounts in rows:
        total = summed.setdefault(tuple(keys.items()), dict.fromkeys(amounts, 0))
        for name, amount in amounts.items():
            total[name] += amount
    if not summed:
        return
    keys, amounts = next(iter(summed.items()))
    key_names, amount_names = [k for k, _v in keys], list(amounts)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(_column(model, c) for c in [*key_names, *amount_names])
    conflict = ", ".join(_column(model, k) for k in key_names)
    updates = ", ".join(
        f"{q} = {table}.{q} + excluded.{q}" for q in (_column(model, a) for a in amount_names)
    )
    row = "(" + ", ".join(["%s"] * (len(key_names) + len(amount_names))) + ")"
    for chunk in itertools.batched(summed.items(), CHUNK):
        params = [
            value
            for keys, amounts in chunk
            for value in [*(v for _k, v in keys), *(amounts[a] for a in amount_names)]
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def insert_once(model, values: dict, unique: list[str]) -> bool:
    """Inserts the row unless one with the same ``unique`` fields exists; True if it did."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(_column(model, c) for c in values)
    conflict = ", ".join(_column(model, k) for k in unique)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO NOTHING",
            list(values.values()),
        )
        return cursor.rowcount == 1


def insert_new(model, rows: list[dict], unique: list[str]) -> list[tuple]:
    """Inserts the rows (all with the same field names), a statement per ``CHUNK``, skipping
    those whose ``unique`` fields a row already holds; returns the ``unique`` values of the rows
    it inserted."""
    if not rows:
        return []
    names = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(model, c) for c in names)
    keys = ", ".join(_column(model, k) for k in unique)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    inserted = []
    for chunk in itertools.batched(rows, CHUNK):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}",
                [values[name] for values in chunk for name in names],
            )
            inserted += cursor.fetchall()
    fields = [model._meta.get_field(k) for k in unique]
    return [tuple(f.to_python(v) for f, v in zip(fields, found, strict=True)) for found in inserted]


def insert_from(model, columns: list[str], queryset, skip_existing: list[str] = ()) -> None:
    """Inserts the rows the queryset selects (its columns in ``columns`` order) in one statement;
    with ``skip_existing`` (a unique constraint's fields), rows it already holds are left out."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(_column(model, c) for c in columns)
    conflict = ""
    if skip_existing:
        # "WHERE true": SQLite's parser needs it between a SELECT and its ON CONFLICT.
        sql = f"SELECT * FROM ({sql}) AS picked WHERE true"
        keys = ", ".join(_column(model, k) for k in skip_existing)
        conflict = f" ON CONFLICT ({keys}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}{conflict}", params)
