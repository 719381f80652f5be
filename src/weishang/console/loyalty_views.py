"""Brand console for members and rewards: the member tiers, the points settings and the
cash-back red packets on one settings page, and awarding points from a customer's page. Thin:
every change goes through a loyalty service that writes the audit entry."""

import uuid

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.commissions.models import Account
from weishang.customers.models import Customer
from weishang.loyalty import points as loyalty_points
from weishang.loyalty import redpackets, selectors, tiers
from weishang.loyalty.models import LoyaltySettings, MemberTier, RedPacketOffer, TierChange
from weishang.loyalty.settings import update_points_settings
from weishang.money import format_yuan

from .distribution_views import _submit
from .loyalty_forms import AwardPointsForm, PointsSettingsForm, RedPacketForm, TierForm
from .plans import bp_to_percent
from .views import _page, staff_post, staff_required

SHOWN_CHANGES = 50


@staff_required
def loyalty_settings(request):
    current = LoyaltySettings.current()
    values = {
        "points_per_yuan": current.points_per_yuan,
        "fen_per_point": current.fen_per_point,
        "points_valid_days": current.points_valid_days,
        "tier_window_days": current.tier_window_days,
        "points_max_share_bp": bp_to_percent(current.points_max_share_bp),
    }
    if request.method == "POST":
        values = {**values, **request.POST.dict()}
        if _submit(
            request,
            PointsSettingsForm(request.POST),
            lambda fields: update_points_settings(actor=request.user, **fields),
            _("The points settings are saved."),
        ):
            return redirect("console:loyalty_settings")
    counts = tiers.tier_counts()
    member_tiers = selectors.tiers()
    for tier in member_tiers:
        tier.members = counts.get(tier.pk, 0)
        tier.threshold_yuan = format_yuan(tier.threshold_fen)
        tier.discount_pc = bp_to_percent(tier.discount_bp)
        tier.multiple = bp_to_percent(tier.multiplier_bp // 100)
    offers = list(RedPacketOffer.objects.all())
    for offer in offers:
        offer.amount_yuan = format_yuan(offer.amount_fen)
    return render(
        request,
        "console/loyalty/settings.html",
        {"values": values, "tiers": member_tiers, "offers": offers, "nav": "loyalty"},
    )


def _tier_fields(fields) -> dict:
    return {
        "name": fields["name"],
        "threshold_fen": fields["threshold"],
        "discount_bp": fields["discount"],
        "multiplier_bp": fields["multiplier"],
    }


@staff_post
def tier_add(request):
    _submit(
        request,
        TierForm(request.POST),
        lambda fields: tiers.save_tier(actor=request.user, **_tier_fields(fields)),
        _("The tier is saved; customers move at their next review."),
    )
    return redirect("console:loyalty_settings")


@staff_post
def tier_edit(request, tier_id: int):
    tier = get_object_or_404(MemberTier, pk=tier_id)
    _submit(
        request,
        TierForm(request.POST),
        lambda fields: tiers.save_tier(actor=request.user, tier_id=tier.pk, **_tier_fields(fields)),
        _("The tier is saved; customers move at their next review."),
    )
    return redirect("console:loyalty_settings")


def _offer_fields(fields) -> dict:
    return {
        "name": fields["name"],
        "points_cost": fields["points_cost"],
        "amount_fen": fields["amount"],
        "active": fields["active"],
    }


@staff_post
def red_packet_add(request):
    _submit(
        request,
        RedPacketForm(request.POST),
        lambda fields: redpackets.save_red_packet_offer(
            actor=request.user, now=timezone.now(), **_offer_fields(fields)
        ),
        _("The red packet is saved."),
    )
    return redirect("console:loyalty_settings")


@staff_post
def red_packet_edit(request, offer_id: int):
    offer = get_object_or_404(RedPacketOffer, pk=offer_id)
    _submit(
        request,
        RedPacketForm(request.POST),
        lambda fields: redpackets.save_red_packet_offer(
            actor=request.user, offer_id=offer.pk, now=timezone.now(), **_offer_fields(fields)
        ),
        _("The red packet is saved."),
    )
    return redirect("console:loyalty_settings")


@staff_required
def customer_points(request, customer_id: int):
    """The member page: his tier and its changes, his points with their history, his wallet, and
    the form to award points (no personal data, so no full-view entry in the audit log)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "POST" and _submit(
        request,
        AwardPointsForm(request.POST),
        lambda fields: loyalty_points.award_points(
            actor=request.user,
            customer_id=customer.pk,
            points=fields["points"],
            reason=fields["reason"],
            request_key=fields["request_key"],
            now=timezone.now(),
        ),
        _("The points are awarded."),
    ):
        return redirect("console:customer_points", customer.pk)
    page = _page(request, selectors.history(customer.pk, Account.Kind.CUSTOMER_POINTS))
    return render(
        request,
        "console/loyalty/member.html",
        {
            "customer": customer,
            "member": selectors.member_summary(customer.pk, timezone.now(), history_rows=0),
            "changes": list(
                TierChange.objects.filter(customer=customer).select_related("from_tier", "to_tier")[
                    :SHOWN_CHANGES
                ]
            ),
            "page": page,
            "rows": selectors.describe(page.object_list),
            "request_key": uuid.uuid4().hex,
            "nav": "customers",
        },
    )
