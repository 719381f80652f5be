"""Row locks on campaigns. A campaign is locked before the order and the stock it touches
(placing, cancelling, expiring, closing), so every transaction locks in the same order:
campaign, order, stock (each in primary-key order)."""

from django.db.models import QuerySet

from .models import Campaign


def lock_campaigns(campaign_ids) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(pk__in=sorted(set(campaign_ids))).order_by("pk").select_for_update()
    )


def lock_campaign(campaign_id: int) -> Campaign | None:
    return lock_campaigns([campaign_id]).first()
