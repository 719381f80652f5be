"""The brand's analytics settings, changed by staff (audited)."""

from django.db import transaction
from django.tasks import task

from weishang.compliance import audit

from . import recompute
from .models import AnalyticsSettings


@transaction.atomic
def set_big_b_threshold(*, actor, threshold_fen: int) -> AnalyticsSettings:
    """Sets the completed sales that make a distributor a big B. Who is a big B, and since when,
    is then counted again from the completed orders, after the commit (a task)."""
    current = AnalyticsSettings.current()
    before = current.big_b_threshold_fen
    current.big_b_threshold_fen = threshold_fen
    current.full_clean()
    current.save()
    audit.record_change(
        actor=actor,
        action="analytics.big_b_threshold",
        obj=current,
        before={"big_b_threshold_fen": before},
        after={"big_b_threshold_fen": threshold_fen},
    )
    if before != threshold_fen:
        transaction.on_commit(recount_big_b_task.enqueue)
    return current


@task
def recount_big_b_task() -> None:
    with transaction.atomic():
        recompute.distributor_journeys()
