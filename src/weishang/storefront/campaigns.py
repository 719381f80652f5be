"""The store's campaigns (微活动): the list, a campaign's page with its dates, its terms and who
may join, and buying through it: the review shows the campaign's prices, which placing charges
(``sales.place_order`` with the campaign), then the customer pays as for any order."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weishang.campaigns import selectors as campaign_reads
from weishang.campaigns import services as campaigns
from weishang.campaigns.models import CampaignKind
from weishang.core_errors import DomainError
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.sales import checkout as sales_checkout
from weishang.sales import services as sales

from . import share_visits
from .views import _customer_of, _device_id, _int, _prefixed, customer_required, to_payment


def campaign_list(request):
    return render(
        request,
        "storefront/campaigns/list.html",
        {"campaigns": campaign_reads.store_campaigns(timezone.now())},
    )


def _campaign(campaign_id: int):
    campaign = campaign_reads.store_campaign(campaign_id)
    if campaign is None:
        raise Http404
    return campaign


def campaign_detail(request, campaign_id: int):
    campaign = _campaign(campaign_id)
    now = timezone.now()
    customer = _customer_of(request.user)
    return render(
        request,
        "storefront/campaigns/detail.html",
        {
            "campaign": campaign,
            "offer": campaign_reads.offer(campaign),
            "closed_reason": campaigns.open_refusal(campaign, now),
            "tier_ok": customer is None or campaigns.tier_allows(campaign, customer.pk),
            "bought": campaigns.customer_units(campaign.pk, customer.pk) if customer else 0,
            "left": campaign.stock_units - campaign.units_taken,
            "progress": campaign_reads.presale_progress(campaign),
            "is_box": campaign.kind == CampaignKind.GIFT_BOX,
        },
    )


def _quantities(campaign, post) -> dict[int, int]:
    """{sku_id: quantity} from the form: a quantity per SKU, or (gift box) a number of boxes."""
    if campaign.kind == CampaignKind.GIFT_BOX:
        return campaign_reads.box_quantities(campaign, orders.parse_quantity(post.get("boxes", "")))
    return {sku_id: orders.parse_quantity(raw) for sku_id, raw in _prefixed(post, "qty_").items()}


def _review(request, campaign, quantities, address_id=None):
    addresses = list(request.customer.addresses.all())
    chosen = next(
        (a for a in addresses if a.pk == _int(address_id)), addresses[0] if addresses else None
    )
    review = sales_checkout.campaign_review(campaign, quantities, chosen)
    return render(
        request,
        "storefront/campaigns/review.html",
        {
            "campaign": campaign,
            "lines": review.lines,
            "boxes": review.boxes,
            "goods_fen": review.goods_fen,
            "freight_fen": review.freight_fen,
            "total_fen": review.total_fen,
            "addresses": addresses,
            "chosen_address": chosen.pk if chosen else None,
            "needs_confirmation": review.needs_confirmation,
        },
    )


@customer_required
@require_http_methods(["GET", "POST"])
def campaign_review(request, campaign_id: int):
    """The review of what the customer chose on the campaign's page, at the campaign's prices."""
    campaign = _campaign(campaign_id)
    data = request.POST if request.method == "POST" else request.GET
    try:
        quantities = _quantities(campaign, data)
        sales_checkout.check_campaign_choice(campaign, quantities, timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return campaign_detail(request, campaign_id)
    return _review(request, campaign, quantities, data.get("address"))


@customer_required
@require_POST
def campaign_place(request, campaign_id: int):
    campaign = _campaign(campaign_id)
    post = request.POST
    address_id = _int(post.get("address"))
    address = request.customer.addresses.filter(pk=address_id).first() if address_id else None
    expected_total_fen = _int(post.get("expected_total_fen"))
    quantities = {}
    try:
        quantities = _quantities(campaign, post)
        if expected_total_fen is None:
            raise OrderError(_("Please review your order before placing it."))
        if address is None:
            raise OrderError(_("Choose a delivery address."))
        order = sales.place_order(
            customer=request.customer,
            items=quantities,
            address=address,
            campaign_id=campaign.pk,
            confirm_return_exclusion=post.get("confirm_return_exclusion") == "on",
            expected_total_fen=expected_total_fen,
            device_id=_device_id(request),
            clear_cart=False,
            shared_by=share_visits.sharer_for(request, request.customer),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        if not any(quantities.values()):
            return campaign_detail(request, campaign_id)
        return _review(request, campaign, quantities, address_id)
    return to_payment(request, order, _("Your order is paid."))
