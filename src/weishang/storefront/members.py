"""The customer's membership pages: his tier and its history, his points and their expiry, his
cash-back wallet, and the redeem centre where points buy red packets."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weishang.commissions.models import Account
from weishang.core_errors import DomainError
from weishang.loyalty import points as loyalty_points
from weishang.loyalty import redemptions, redpackets, selectors
from weishang.orders.errors import OrderError
from weishang.sales import services as sales

from .forms import RedeemForm, RedeemProductForm, valid
from .views import _device_id, customer_required, to_payment

HISTORY_PER_PAGE = 20
CREDITS_SHOWN = 20  # the latest tier progress from share rewards


@customer_required
def membership(request):
    customer = request.customer
    member = selectors.membership(customer.pk, timezone.now())
    changes = Paginator(selectors.tier_changes(customer.pk), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/members/membership.html",
        {
            "tiers": member.tiers,
            "tier": member.tier,
            "spend": member.spend_fen,
            "window_days": member.window_days,
            "next_tier": member.next_tier,
            "needed": member.needed_fen,
            "progress_pc": member.progress_pc,
            "page": changes,
            "credits": selectors.with_windows(
                selectors.tier_credits(customer.pk)[:CREDITS_SHOWN], member.window_days
            ),
        },
    )


@customer_required
def points_page(request):
    customer = request.customer
    now = timezone.now()
    page = Paginator(
        selectors.history(customer.pk, Account.Kind.CUSTOMER_POINTS), HISTORY_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/members/points.html",
        {
            "balance": selectors.balances(customer.pk)["points"],
            "spendable": loyalty_points.spendable_points(customer.pk, now),
            "next_expiry": selectors.next_expiry(customer.pk, now),
            "page": page,
            "rows": selectors.describe(page.object_list),
        },
    )


@customer_required
def wallet_page(request):
    customer = request.customer
    page = Paginator(
        selectors.history(customer.pk, Account.Kind.CUSTOMER_WALLET), HISTORY_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/members/wallet.html",
        {
            "balance": selectors.balances(customer.pk)["wallet_fen"],
            "page": page,
            "rows": selectors.describe(page.object_list),
        },
    )


@customer_required
@require_http_methods(["GET", "POST"])
def redeem(request):
    customer = request.customer
    if request.method == "POST" and valid(request, form := RedeemForm(request.POST)):
        try:
            redemption = redpackets.redeem_red_packet(
                customer_id=customer.pk,
                offer_id=form.cleaned_data["offer"],
                request_key=form.cleaned_data["request_key"],
                now=timezone.now(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is in your wallet.") % {"name": redemption.offer.name},
            )
            return redirect("storefront:wallet")
    return render(
        request,
        "storefront/members/redeem.html",
        {
            "spendable": loyalty_points.spendable_points(customer.pk, timezone.now()),
            "offers": redpackets.active_offers(),
            "products": redemptions.offered_redemptions(),
            "addresses": list(customer.addresses.all()),
            "request_key": uuid.uuid4().hex,
        },
    )


@customer_required
@require_POST
def redeem_product(request):
    """Orders a product offered for points; what points do not pay goes to the payment."""
    customer = request.customer
    form = RedeemProductForm(request.POST)
    if not valid(request, form):
        return redirect("storefront:redeem")
    address = customer.addresses.filter(pk=form.cleaned_data["address"]).first()
    try:
        if address is None:
            raise OrderError(_("Choose one of your own delivery addresses."))
        order = sales.redeem_product(
            customer=customer,
            redemption_id=form.cleaned_data["redemption"],
            quantity=form.cleaned_data["quantity"],
            address=address,
            confirm_return_exclusion=form.cleaned_data["confirm_return_exclusion"],
            device_id=_device_id(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:redeem")
    return to_payment(request, order, _("Redeemed with your points."))
