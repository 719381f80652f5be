"""The ``--now`` option shared by the order housekeeping commands."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def add_now_argument(parser) -> None:
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="act as if it were this moment, e.g. 2025-06-01T12:00 (local time without an offset)",
    )


def parse_now(raw: str | None) -> datetime:
    if not raw:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO 8601 date or date-time, not {raw!r}") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment
