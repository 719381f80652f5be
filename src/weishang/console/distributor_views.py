"""The distributor's own console (/d/): his dashboard, orders, customers, earnings, withdrawals,
share material and store — only his own rows, customers' personal data masked (PIPL Art. 6).

Every view gets the distributor from the signed-in customer, never from the URL: there is no way
to name another distributor's rows. A frozen distributor reads his data and sees why he is frozen
but cannot change anything; a blacklisted one sees only a closed notice.
"""

import uuid
from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from weishang.analytics import health, rankings
from weishang.analytics import selectors as analytics_selectors
from weishang.analytics.fold import folded
from weishang.campaigns import selectors as campaign_reads
from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.commissions import payout_accounts
from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.content import courses
from weishang.core_errors import DomainError
from weishang.distribution import selectors, services, sharing
from weishang.distribution.models import Distributor, ShareSource
from weishang.inputs import BIGINT_MAX, parse_int
from weishang.money import format_fen
from weishang.replicas import replica_reads

from . import statements as statement_files
from .analytics_views import factors_table, period_of
from .distribution_forms import (
    PayoutAccountForm,
    RemovePayoutAccountForm,
    StoreForm,
    WithdrawalRequestForm,
)
from .views import _form_errors

PAGE_SIZE = 20
EVENTS_SHOWN = 200


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def distributor_required(view):
    """Signed-in distributors only. Anonymous visitors sign in first; customers who are not
    distributors (and staff) get 403; a blacklisted distributor gets the closed notice (403); a
    frozen one may read (GET) but every write is refused with the reason."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            back = (
                request.get_full_path() if request.method == "GET" else reverse("distributor:home")
            )
            return redirect_to_login(back, login_url=reverse("storefront:login"))
        customer = getattr(user, "customer", None)
        distributor = selectors.distributor_for_customer(customer)
        if distributor is None:
            return render(request, "console/distributor/not_distributor.html", status=403)
        if distributor.status == Distributor.Status.BLACKLISTED:
            return render(
                request,
                "console/distributor/closed.html",
                {"distributor": distributor},
                status=403,
            )
        if request.method == "POST" and not distributor.can_sell:
            messages.error(
                request,
                _("Your distributor account is frozen: %(reason)s")
                % {"reason": distributor.status_reason},
            )
            return redirect(request.path)
        request.distributor = distributor
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template: str, context: dict, nav: str):
    distributor = request.distributor
    return render(
        request,
        f"console/distributor/{template}",
        {
            "distributor": distributor,
            "read_only": not distributor.can_sell,
            "nav": nav,
            **context,
        },
    )


# Dashboard ---------------------------------------------------------------------------------------


@distributor_required
@require_safe
def home(request):
    distributor = request.distributor
    return _render(
        request,
        "dashboard.html",
        {
            "activity": selectors.activity(distributor),
            "money": commission_selectors.dashboard(distributor),
            "onboarding": [
                course for course in courses.courses_for(distributor) if course.is_onboarding
            ],
        },
        "home",
    )


# Orders and customers (masked, COMPLIANCE.md §5) --------------------------------------------------


@distributor_required
@require_safe
def orders(request):
    page = _page(request, selectors.orders_for_distributor(request.distributor))
    # Only masked fields reach the template; the order object (and its address) never does.
    excluded = campaign_reads.excluded_from_commission([order.pk for order in page])
    rows = [
        {**selectors.order_row(order), "no_commission_campaign": excluded.get(order.pk, "")}
        for order in page
    ]
    return _render(request, "orders.html", {"page": page, "rows": rows}, "orders")


@distributor_required
@require_safe
def customers(request):
    page = _page(request, selectors.customers_for_distributor(request.distributor))
    rows = [selectors.customer_row(binding) for binding in page]
    return _render(request, "customers.html", {"page": page, "rows": rows}, "customers")


# Money -------------------------------------------------------------------------------------------


@distributor_required
@require_safe
def earnings(request):
    """His ledger, one row per business event in his words (never an account name)."""
    distributor = request.distributor
    events = commission_selectors.ledger_events(distributor, limit=EVENTS_SHOWN)
    return _render(
        request,
        "earnings.html",
        {
            "balances": commission_selectors.balances(distributor),
            "level": commission_selectors.level_progress(distributor),
            "page": _page(request, events),
            "capped": len(events) == EVENTS_SHOWN,
        },
        "earnings",
    )


def _requested_withdrawal(request, form):
    """The withdrawal the form asks for, or None with what is wrong as a message."""
    if not form.is_valid():
        _form_errors(request, form)
        return None
    try:
        return commissions.request_withdrawal(
            distributor=request.distributor,
            amount_fen=form.cleaned_data["amount"],
            request_key=form.cleaned_data["request_key"],
            payout_account=form.cleaned_data["payout_account"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return None


@distributor_required
@require_http_methods(["GET", "POST"])
def withdrawals(request):
    distributor = request.distributor
    amount = ""
    if request.method == "POST":
        amount = request.POST.get("amount", "")
        withdrawal = _requested_withdrawal(request, WithdrawalRequestForm(request.POST))
        if withdrawal is not None:
            messages.success(
                request,
                _("Your withdrawal of %(amount)s is requested; the brand reviews it.")
                % {"amount": format_fen(withdrawal.amount_fen)},
            )
            return redirect("distributor:withdrawals")
    programme = selectors.programme()
    return _render(
        request,
        "withdrawals.html",
        {
            "page": _page(request, commission_selectors.withdrawals_of(distributor)),
            "balances": commission_selectors.balances(distributor),
            "programme": programme,
            "request_key": uuid.uuid4().hex,
            "amount": amount,
            "accounts": [
                (account, payout_accounts.describe(account))
                for account in payout_accounts.active_accounts(distributor)
            ],
        },
        "withdrawals",
    )


def _payout_account_changed(request, distributor) -> bool:
    """Adds or removes an account; what is wrong becomes a message."""
    removing = request.POST.get("action") == "remove"
    form = (RemovePayoutAccountForm if removing else PayoutAccountForm)(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=not removing)
        return False
    try:
        if removing:
            payout_accounts.remove_payout_account(
                distributor=distributor, account_id=form.cleaned_data["account"]
            )
            messages.success(request, _("The payout account is removed."))
        else:
            account = payout_accounts.add_payout_account(
                distributor=distributor, **form.cleaned_data
            )
            messages.success(
                request,
                _("%(account)s is added; withdrawals can be paid into it.")
                % {"account": payout_accounts.describe(account)},
            )
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


@distributor_required
@require_http_methods(["GET", "POST"])
def payout_account_list(request):
    distributor = request.distributor
    values = {}
    if request.method == "POST":
        if _payout_account_changed(request, distributor):
            return redirect("distributor:payout_accounts")
        values = {key: request.POST.get(key, "") for key in ("kind", "number", "holder_name")}
    return _render(
        request,
        "payout_accounts.html",
        {
            "accounts": [
                (account, payout_accounts.describe(account))
                for account in payout_accounts.active_accounts(distributor)
            ],
            "values": values,
        },
        "payout_accounts",
    )


# Monthly statements ------------------------------------------------------------------------------


@distributor_required
@require_safe
def statement_list(request):
    return _render(
        request,
        "statements.html",
        {"months": commission_selectors.statement_months(timezone.localdate())},
        "statements",
    )


@distributor_required
@require_safe
def statement_file(request, year: int, month: int, extension: str):
    """One month's statement as PDF or CSV, for one of the last twelve months."""
    try:
        first = date(year, month, 1)
    except (ValueError, OverflowError) as exc:
        raise Http404 from exc
    if first not in commission_selectors.statement_months(
        timezone.localdate()
    ) or extension not in ("pdf", "csv"):
        raise Http404
    statement = commission_selectors.monthly_statement(request.distributor, first)
    if extension == "pdf":
        body, content_type = statement_files.as_pdf(statement), "application/pdf"
    else:
        body, content_type = statement_files.as_csv(statement), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="statement-{first:%Y-%m}.{extension}"'
    return response


# Sharing -----------------------------------------------------------------------------------------


@distributor_required
@require_safe
def share(request):
    distributor = request.distributor
    page = _page(request, catalog.published_products())
    products = [
        {
            "product": product,
            "link": sharing.share_url(
                distributor, source=ShareSource.PRODUCT_LINK, product=product
            ),
        }
        for product in page
    ]
    invite = sharing.invite_url(distributor)
    return _render(
        request,
        "share.html",
        {
            "store_link": sharing.share_url(distributor, source=ShareSource.STORE_LINK),
            "invite_link": invite,
            "page": page,
            "products": products,
        },
        "share",
    )


@distributor_required
@require_safe
def product_qr_svg(request, product_slug: str):
    """The product's QR code as SVG (the storefront serves the PNG and the posters)."""
    distributor = request.distributor
    if not distributor.can_sell:
        raise Http404
    try:
        product = catalog.published_product(product_slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    url = sharing.share_url(distributor, source=ShareSource.QR, product=product)
    return HttpResponse(sharing.qr_svg(url), content_type="image/svg+xml")


# The micro-store ---------------------------------------------------------------------------------


def _featured_choice(post) -> list[int]:
    """The ticked products in the order of their position fields (then as listed)."""
    chosen = []
    for index, raw in enumerate(post.getlist("featured")):
        product_id = parse_int(raw, min_value=1, max_value=BIGINT_MAX)
        if product_id is None:
            raise services.DistributionError(_("Choose products from the list."))
        position = parse_int(post.get(f"position_{raw}")) or 0
        chosen.append((position, index, product_id))
    return [product_id for _position, _index, product_id in sorted(chosen)]


def _store_saved(request, distributor) -> bool:
    """Saves the featured products or the store's details; what is wrong becomes a message."""
    form = StoreForm(request.POST)
    try:
        if request.POST.get("action") == "featured":
            services.set_featured_products(
                distributor=distributor, product_ids=_featured_choice(request.POST)
            )
            messages.success(request, _("Your featured products are saved."))
        elif form.is_valid():
            services.update_store(
                distributor=distributor,
                avatar_file=request.FILES.get("avatar"),
                **form.cleaned_data,
            )
            messages.success(request, _("Your store is saved."))
        else:
            _form_errors(request, form, labelled=True)
            return False
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


@distributor_required
@require_http_methods(["GET", "POST"])
def store(request):
    distributor = request.distributor
    if request.method == "POST" and _store_saved(request, distributor):
        return redirect("distributor:store")
    featured = selectors.featured_product_ids(distributor)
    positions = {product_id: index + 1 for index, product_id in enumerate(featured)}
    products = [
        {"product": product, "position": positions.get(product.pk)}
        for product in catalog.published_products()
    ]
    products.sort(key=lambda row: (row["position"] is None, row["position"] or 0))
    return _render(
        request,
        "store.html",
        {
            "products": products,
            "store_url": sharing.absolute(
                reverse("storefront:microstore", args=[distributor.slug])
            ),
        },
        "store",
    )


# His own figures: his place, his best sellers, his health ---------------------------------------


@distributor_required
@require_safe
@folded
@replica_reads
def analytics(request):
    period_form, period = period_of(request)
    distributor = request.distributor
    mine = analytics_selectors.distributor_slice(distributor.pk)
    return _render(
        request,
        "analytics.html",
        {
            "period_form": period_form,
            "period": period,
            "keep": [],
            "rank": rankings.rank_of(period, distributor.pk),
            "products": rankings.top_products_of(period, distributor.pk),
            "health": health.health_of(period, distributor.pk),
            "previous": period.previous(),
            **factors_table(
                analytics_selectors.factors(period, mine),
                analytics_selectors.factors(period.previous(), mine),
            ),
        },
        "analytics",
    )
