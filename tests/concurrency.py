"""Runs callables in real parallel threads, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def run_in_parallel(fn: Callable[[int], object], count: int) -> list[object]:
    """Starts ``count`` threads that call ``fn(i)`` together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each buyer got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
