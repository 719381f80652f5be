"""Writes the ORM has no single statement for, portable between SQLite and PostgreSQL: a counter
added to in place (made if missing), and rows inserted straight from a query."""

from collections.abc import Iterable

from django.db import connection


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def add_to(model, keys: dict, amounts: dict) -> None:
    """Adds ``amounts`` to the row with these ``keys`` (a unique constraint), made if missing, in
    one statement: no read before the write, so two transactions never overwrite each other."""
    add_all(model, [(keys, amounts)])


def add_all(model, rows: Iterable[tuple[dict, dict]]) -> None:
    """``add_to`` for many rows in one statement (all with the same key and amount names); rows
    with the same keys are summed first, since one statement may change a row only once."""
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
    params = [
        value
        for keys, amounts in summed.items()
        for value in [*(v for _k, v in keys), *(amounts[a] for a in amount_names)]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(summed))} "
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
