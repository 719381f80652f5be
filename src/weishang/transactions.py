"""Steps of a larger act: the act (``sales.services``) is ``atomic(durable=True)`` and commits
once; a step called on its own refuses rather than commit half an act."""

from collections.abc import Callable
from functools import wraps

from django.db import transaction


def step[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Runs ``function`` only inside the calling act's transaction."""

    @wraps(function)
    def inside(*args: P.args, **kwargs: P.kwargs) -> R:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(
                f"{function.__module__}.{function.__qualname__} runs inside the transaction of "
                "the act that calls it"
            )
        return function(*args, **kwargs)

    return inside
