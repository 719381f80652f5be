"""Calling a provider that moves money (refunds, payouts), always after the commit: its answer is
the result, a refusal (retry after a fix) or no answer (the outcome is unknown: retry with the same
idempotency key, which the provider honours)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from weishang.core_errors import DomainError

logger = logging.getLogger("weishang.outbound")


class Declined(DomainError):
    """The provider answered and refused."""

    code = "declined"


class Unavailable(Exception):
    """The provider could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Attempt:
    result: str | None  # the provider's id or reference when it succeeded
    error: str = ""
    refused: bool = False


def attempt(call: Callable[[], str], *, label: str) -> Attempt:
    try:
        return Attempt(call())
    except Declined as exc:
        logger.warning("%s refused: %s", label, exc.message)
        return Attempt(None, str(exc.message), refused=True)
    except Unavailable as exc:
        logger.warning("%s: no answer: %s", label, exc)
        return Attempt(None, str(exc) or type(exc).__name__)
