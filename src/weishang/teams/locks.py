"""Row locks for team writes: the team first, then distributors in primary-key order."""

from django.db.models import QuerySet

from weishang.distribution.locks import distributors_for_update
from weishang.distribution.models import Distributor

from .models import Team

__all__ = ["distributors_for_update", "team_for_update", "teams_led_by_for_update"]


def team_for_update(team_id: int) -> QuerySet[Team]:
    return Team.objects.filter(pk=team_id).order_by("pk").select_for_update()


def teams_led_by_for_update(distributor: Distributor) -> QuerySet[Team]:
    """The open team the distributor leads (one at most), locked."""
    return (
        Team.objects.filter(leader_distributor=distributor, is_open=True)
        .order_by("pk")
        .select_for_update()
    )
