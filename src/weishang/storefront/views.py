"""The customer's store (mobile first): browse, sign in, cart, review and place an order, follow it,
return it. Views parse input, call a service or selector, and render; they never write models."""

from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from weishang import throttle, wechat
from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.community import selectors as community_reads
from weishang.compliance import selectors as compliance_reads
from weishang.core_errors import DomainError
from weishang.customers import data_rights as customer_data
from weishang.customers import divisions
from weishang.customers import services as customers
from weishang.distribution import binding
from weishang.distribution import selectors as distribution_reads
from weishang.inputs import BIGINT_MAX, parse_int
from weishang.loyalty import selectors as loyalty_reads
from weishang.notifications import selectors as notifications
from weishang.orders import after_sales, claims
from weishang.orders import selectors as order_reads
from weishang.orders import services as orders
from weishang.orders.carriers import carrier_choices, carrier_name
from weishang.orders.errors import OrderError
from weishang.orders.models import ClaimRemedy, Order, OrderStatus, ReturnRequest
from weishang.orders.rules import no_reason_return_freight_payer
from weishang.payments import selectors as payment_reads
from weishang.payments import services as payments
from weishang.payments.providers import get_provider
from weishang.sales import checkout as sales_checkout
from weishang.sales import services as sales
from weishang.sales import sign_in

from . import order_events, post_visits, resale, session_cart, share_cards, share_visits
from .forms import (
    BirthdayForm,
    BuyerNoteForm,
    CancelOrderForm,
    ClaimForm,
    ClaimGoodsSentForm,
    LoginForm,
    NewAddressForm,
    PasswordForm,
    ReturnReasonForm,
    ReturnShipmentForm,
    valid,
)

RETURNABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED)


# Input helpers -----------------------------------------------------------------------------------


def _int(raw) -> int | None:
    return parse_int(raw, min_value=0, max_value=BIGINT_MAX)


def _prefixed(post, prefix: str) -> dict[int, str]:
    """{id: raw value} from fields named ``<prefix><id>``, in form order."""
    ids = {key: _int(key.removeprefix(prefix)) for key in post if key.startswith(prefix)}
    return {row_id: post[key] for key, row_id in ids.items() if row_id is not None}


def _safe_next(request, default: str = "storefront:product_list") -> str:
    """A path on this site (redirect() would read anything else as a view name), else default."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return reverse(default)


def _customer_of(user):
    return getattr(user, "customer", None) if user.is_authenticated else None


def customer_required(view):
    """Signed-in customers only; others go to the login page and come back afterwards."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer = _customer_of(request.user)
        if customer is None:
            # A form cannot be replayed after login, so a POST comes back to the cart instead.
            back = (
                request.get_full_path() if request.method == "GET" else reverse("storefront:cart")
            )
            return redirect_to_login(back)
        request.customer = customer
        return view(request, *args, **kwargs)

    return wrapper


# Browsing ----------------------------------------------------------------------------------------


def product_list(request):
    category = request.GET.get("c") or ""
    products = catalog.published_products(category or None)
    return share_cards.render_with_card(
        request,
        "storefront/product_list.html",
        {
            "products": products,
            "categories": catalog.categories_with_published_products(),
            "current_category": category,
            "resales": resale.for_request(request),
        },
        share_cards.for_home(products),
    )


@require_http_methods(["GET", "POST"])
def product_detail(request, slug: str):
    try:
        product = catalog.published_product(slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        customer = _customer_of(request.user)
        sku_id = _int(request.POST.get("sku"))
        quantity = parse_int(
            request.POST.get("quantity", "1"), min_value=1, max_value=orders.MAX_QUANTITY
        )
        if sku_id not in {sku.pk for sku in product.skus.all()}:
            messages.error(request, _("Choose one of the specifications shown."))
        elif quantity is None:
            messages.error(
                request,
                _("Quantity must be a whole number from 1 to %(max)d.")
                % {"max": orders.MAX_QUANTITY},
            )
        elif "buy_now" in request.POST:
            # Straight to the review of this one item; the cart is left as it is.
            return redirect(f"{reverse('storefront:checkout')}?buy={sku_id}&qty={quantity}")
        elif customer is None:
            session_cart.set_quantity(request, sku_id, quantity, add=True)
            messages.success(request, _("Added to your cart. Sign in when you want to order."))
            return redirect("storefront:product_detail", slug=product.slug)
        else:
            try:
                orders.add_to_cart(customer=customer, sku_id=sku_id, quantity=quantity)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Added to your cart."))
                return redirect("storefront:product_detail", slug=product.url_key)
    else:
        share_visits.remember_share(request)
        post_visits.remember_post(request)
    return share_cards.render_with_card(
        request,
        "storefront/product_detail.html",
        {"product": product, "resales": resale.for_request(request)},
        share_cards.for_product(request, product),
    )


# Signing in --------------------------------------------------------------------------------------


def _device_id(request) -> str:
    return getattr(request, "device_id", "") or request.COOKIES.get("ws_device", "")


def _signed_in(request, customer, response):
    """Moves the share link an anonymous visitor opened and the cart he filled to his account;
    remembers the device."""
    if guest_cart := session_cart.pop(request):
        orders.merge_cart(customer=customer, items=guest_cart)
    if binding.REF_COOKIE in request.COOKIES:
        binding.claim_cookie_binding(
            customer=customer, cookie_value=request.COOKIES[binding.REF_COOKIE]
        )
        response.delete_cookie(binding.REF_COOKIE, samesite="Lax")
    customers.record_device(customer=customer, device_id=_device_id(request))
    return response


def offers_wechat_login(request) -> bool:
    """Inside WeChat's browser, with an official account configured, WeChat can sign him in."""
    return wechat.official_account_configured() and wechat.is_wechat_browser(
        request.headers.get("User-Agent", "")
    )


@require_http_methods(["GET", "POST"])
def login_view(request):
    context = {
        "next": _safe_next(request),
        "mobile": request.POST.get("mobile", ""),
        "demo_code": None,
        "wechat_login": offers_wechat_login(request),
    }
    form = LoginForm(request.POST)
    if request.method == "POST" and valid(request, form):
        action, mobile = form.cleaned_data["action"], form.cleaned_data["mobile"]
        client = throttle.client(request)
        try:
            if action == "send_code":
                code = sign_in.send_code(mobile=mobile, client=client)
                messages.success(request, _("We sent a 6-digit code to your phone."))
                if settings.OTP_SHOW_ON_PAGE:
                    context["demo_code"] = code
            elif action == "code":
                customer = sign_in.with_code(
                    mobile=mobile, code=form.cleaned_data["code"], client=client
                )
                login(request, customer.user)
                return _signed_in(request, customer, redirect(context["next"]))
            else:
                customer = sign_in.with_password(
                    mobile=mobile, password=form.cleaned_data["password"], client=client
                )
                login(request, customer.user)
                return _signed_in(request, customer, redirect(context["next"]))
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "storefront/login.html", context)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("storefront:product_list")


@customer_required
@require_http_methods(["GET", "POST"])
def account(request):
    customer = request.customer
    picker = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "password" and valid(request, form := PasswordForm(request.POST)):
                customers.set_password(customer=customer, password=form.cleaned_data["password"])
                update_session_auth_hash(request, customer.user)
                messages.success(request, _("Your password is set."))
                return redirect("storefront:account")
            elif action == "address" and valid(request, form := NewAddressForm(request.POST)):
                picker = form.cleaned_data
                if "pick" not in request.POST:
                    customers.add_address(customer=customer, **form.address())
                    messages.success(request, _("Address added."))
                    return redirect(_safe_next(request, "storefront:account"))
            elif action == "birthday" and valid(request, form := BirthdayForm(request.POST)):
                customer_data.set_birthday(
                    customer=customer,
                    birthday=form.cleaned_data["birthday"],
                    today=timezone.localdate(),
                )
                messages.success(request, _("Your birthday is saved."))
                return redirect("storefront:account")
            elif action == "default_address":
                customers.set_default_address(
                    customer=customer, address_id=_int(request.POST.get("address"))
                )
                messages.success(request, _("Default address changed."))
                return redirect("storefront:account")
        except DomainError as exc:
            messages.error(request, exc.message)
    form = request.POST if request.POST.get("action") == "address" else {}
    distributor = distribution_reads.distributor_for_customer(customer)
    application = distribution_reads.latest_application(customer)
    pending = application is not None and application.status == application.Status.PENDING
    return render(
        request,
        "storefront/account.html",
        {
            "customer": customer,
            "distributor": distributor,
            "application": application,
            # C→B: a customer whose shares sell is invited to become a distributor.
            "shares_sold": None
            if distributor or pending
            else loyalty_reads.distributor_invitation(customer.pk),
            "addresses": customer.addresses.all(),
            "birthday_form": BirthdayForm(initial={"birthday": customer.birthday}),
            "form": form,
            "picker": _picker(picker),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "station_choice": community_reads.station_choice(customer),
            "unread_messages": notifications.unread_count(customer),
            "proving_mobile": request.session.get("proving_mobile", ""),
        },
    )


def _picker(chosen) -> dict:
    """The address picker's lists for the province and city chosen so far."""
    province, city = chosen.get("province", ""), chosen.get("city", "")
    return {
        "provinces": divisions.provinces(),
        "cities": divisions.children(province),
        "districts": divisions.children(city),
        "province": province,
        "city": city,
        "district": chosen.get("district_code", ""),
        "version": divisions.version(),
    }


@require_http_methods(["GET"])
def division_children(request):
    """The cities of a province or the districts of a city, for the address picker's script."""
    code = request.GET.get("parent", "")
    return JsonResponse({"children": divisions.children(code if len(code) in (2, 4) else "")})


# Cart --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cart(request):
    """The customer's cart, or a visitor's (kept in his session until he signs in)."""
    customer = _customer_of(request.user)
    if request.method == "POST":
        sku_id = _int(request.POST.get("sku"))
        quantity = "0" if "remove" in request.POST else request.POST.get("quantity", "")
        try:
            if customer is not None:
                orders.set_cart_quantity(customer=customer, sku_id=sku_id, quantity=quantity)
            elif sku_id in session_cart.items(request):
                session_cart.set_quantity(request, sku_id, orders.parse_quantity(quantity))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("storefront:cart")
    now = timezone.now()
    if customer is not None:
        items = [(item.sku, item.quantity) for item in order_reads.cart_for_customer(customer)]
        address = customer.addresses.first()
    else:
        guest = session_cart.items(request)
        skus = catalog.skus_with_periods(guest)
        items = [(skus[sku_id], qty) for sku_id, qty in guest.items() if sku_id in skus]
        address = None
    resales = resale.for_request(request)
    lines = [
        sales_checkout.Line(sku, quantity, sales_checkout.price_of(sku, now, resales))
        for sku, quantity in items
    ]
    goods_fen = sum(line.total_fen for line in lines)
    freight_fen = sales_checkout.freight_for(goods_fen, address)
    return render(
        request,
        "storefront/cart.html",
        {
            "lines": lines,
            "goods_fen": goods_fen,
            "freight_fen": freight_fen,
            "freight_to": address.province if address else "",
            "total_fen": goods_fen + freight_fen,
            "max_quantity": orders.MAX_QUANTITY,
            "signed_in": customer is not None,
        },
    )


# Review and placing (E-commerce Law Art. 49–51) -------------------------------------------------


def _review(
    request,
    *,
    quantities: dict[int, str],
    address_id=None,
    confirmed=False,
    buy_now=False,
    buyer_note="",
    choice: sales_checkout.Choice | None = None,
    now: datetime | None = None,
):
    """The review page for {sku_id: quantity as typed}; the customer can edit it and place it.
    ``buy_now``: the items come from the product page's "Buy now", and the cart stays as it is.
    ``choice``: whether he pays with points and his wallet, priced as placing will price it."""
    now = now or timezone.now()
    skus = catalog.skus_with_periods(quantities)
    resales = sales_checkout.resales_for_customer(request.customer, now, skus)
    lines, bad_quantity = [], False
    for sku_id, raw in quantities.items():
        sku = skus.get(sku_id)
        if sku is None:
            continue
        quantity = _int(raw)
        if quantity is None or not 0 <= quantity <= orders.MAX_QUANTITY:
            bad_quantity, quantity = True, 0
        lines.append(sales_checkout.priced_line(sku, quantity, now, str(raw).strip(), resales))
    if bad_quantity:
        messages.error(
            request,
            _("Quantity must be a whole number from 1 to %(max)d.") % {"max": orders.MAX_QUANTITY},
        )
    addresses = list(request.customer.addresses.all())
    chosen = next(
        (a.pk for a in addresses if a.pk == _int(address_id)),
        addresses[0].pk if addresses else None,
    )
    excludable = {
        line.sku.product.pk: line.sku.product
        for line in lines
        if line.quantity and line.sku.product.needs_return_confirmation
    }
    totals = sales_checkout.review(
        customer_id=request.customer.pk,
        lines=lines,
        address=next((a for a in addresses if a.pk == chosen), None),
        choice=choice or sales_checkout.Choice(),
        now=now,
    )
    context = {
        "lines": lines,
        "goods_fen": totals.goods_fen,
        "freight_fen": totals.freight_fen,
        "benefits": totals.benefits,
        "total_fen": totals.total_fen,
        "addresses": addresses,
        "chosen_address": chosen,
        "buy_now": buy_now,
        "buyer_note": buyer_note,
        # Where adding an address comes back to: this review, a "Buy now" one included.
        "review_url": reverse("storefront:checkout")
        + (
            "?" + urlencode({"buy": lines[0].sku.pk, "qty": lines[0].quantity_input})
            if buy_now and len(lines) == 1
            else ""
        ),
        "excludable_products": list(excludable.values()),
        "confirmed": confirmed,
        "max_quantity": orders.MAX_QUANTITY,
    }
    return render(request, "storefront/checkout.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    """GET reviews the cart; POST re-renders the review with the quantities edited on the page."""
    if request.method == "POST":
        return _review(
            request,
            quantities=_prefixed(request.POST, "qty_"),
            address_id=request.POST.get("address"),
            confirmed=request.POST.get("confirm_return_exclusion") == "on",
            buy_now=request.POST.get("buy_now") == "1",
            buyer_note=request.POST.get("buyer_note", "")[: orders.BUYER_NOTE_LENGTH],
            choice=_choice(request.POST),
        )
    if (sku_id := _int(request.GET.get("buy"))) is not None:
        return _review(request, quantities={sku_id: request.GET.get("qty", "1")}, buy_now=True)
    quantities = {
        item.sku_id: str(item.quantity) for item in order_reads.cart_for_customer(request.customer)
    }
    if not quantities:
        messages.error(request, _("Your cart is empty."))
        return redirect("storefront:cart")
    return _review(request, quantities=quantities)


def _choice(post) -> sales_checkout.Choice:
    """The coupons ticked on the review (until he has reviewed them: the best), and whether he
    pays with points and his wallet."""
    coupon_ids = None
    if post.get("coupons_chosen") == "1":
        coupon_ids = tuple(i for raw in post.getlist("coupon") if (i := _int(raw)) is not None)
    return sales_checkout.Choice(
        coupon_ids=coupon_ids,
        use_points=post.get("use_points") == "on",
        use_wallet=post.get("use_wallet") == "on",
    )


@customer_required
@require_POST
def place_order(request):
    """Places the reviewed order and sends the customer to pay (a benchmark hot path: keep lean)."""
    customer = request.customer
    post = request.POST
    items = _prefixed(post, "qty_")
    confirmed = post.get("confirm_return_exclusion") == "on"
    address_id = _int(post.get("address"))
    expected_total_fen = _int(post.get("expected_total_fen"))
    address = customer.addresses.filter(pk=address_id).first() if address_id else None
    buy_now = post.get("buy_now") == "1"
    note_form = BuyerNoteForm(post)
    buyer_note = post.get("buyer_note", "")[: orders.BUYER_NOTE_LENGTH]
    choice = _choice(post)
    try:
        if not valid(request, note_form):
            raise OrderError(_("Please check your order again."))
        if expected_total_fen is None:
            raise OrderError(_("Please review your order before placing it."))
        if address is None:
            raise OrderError(_("Choose a delivery address."))
        details = {
            "customer": customer,
            "items": items,
            "address": address,
            "confirm_return_exclusion": confirmed,
            "expected_total_fen": expected_total_fen,
            "device_id": _device_id(request),
            "buyer_note": note_form.cleaned_data["buyer_note"],
            "clear_cart": not buy_now,
            "choice": choice,
            "shared_by": share_visits.sharer_for(request, customer),
            "post_id": post_visits.remembered_post(request),
        }
        if wechat_payer(request) is not None:  # inside WeChat: his order page offers WeChat Pay
            order, payment = sales.place_order(**details), None
        else:
            order, payment = sales.place_order_to_pay(**details)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _review(
            request,
            quantities=items,
            address_id=address_id,
            confirmed=confirmed,
            buy_now=buy_now,
            buyer_note=buyer_note,
            choice=choice,
        )
    if payment is not None:
        return redirect(get_provider(payment.provider).pay_url(payment=payment))
    return to_payment(request, order, _("Your points and wallet paid the whole order."))


def to_payment(request, order: Order, paid_message: str):
    """After placing: the provider's pay page, or the order itself when nothing is left to pay
    (points and wallet paid it in full)."""
    if order.status == OrderStatus.PAID:
        messages.success(request, paid_message)
        return redirect("storefront:order_detail", number=order.number)
    if wechat_payer(request) is not None:  # inside WeChat: his order page offers WeChat Pay
        return redirect("storefront:order_detail", number=order.number)
    try:
        payment = payments.start_payment(order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:order_detail", number=order.number)
    return redirect(get_provider(payment.provider).pay_url(payment=payment))


# My orders ---------------------------------------------------------------------------------------


@customer_required
def order_list(request):
    mine = payment_reads.with_refund_in_progress(
        order_reads.order_list_for_customer(request.customer)
    )
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    return render(request, "storefront/order_list.html", {"page": page, "orders": page.object_list})


def wechat_payer(request) -> str | None:
    """The customer's openid for WeChat Pay when he is inside WeChat and signed in with WeChat;
    None otherwise (asking nothing of the database outside WeChat)."""
    if not wechat.is_wechat_browser(request.headers.get("User-Agent", "")):
        return None
    return payment_reads.wechat_payer(request.customer)


def _own_order(request, number: str) -> Order:
    """Someone else's order looks exactly like a missing one."""
    try:
        return order_reads.order_for_customer(request.customer, number)
    except Order.DoesNotExist as exc:
        raise Http404 from exc


def _claim_context(order: Order, now, claim_form) -> dict:
    """The quality-claim part of the order page: the claims, and the form while claims are open."""
    period_end = claims.claim_period_end(order)
    can_claim = claims.claims_open(order, now, period_end)
    return {
        "claims": list(order.claims.select_related("complaint")),
        "claim_period_end": period_end,
        "can_claim": can_claim,
        "claim_lines": list(order.lines.all()) if can_claim else [],
        "remedies": ClaimRemedy.choices,
        "claim_form": claim_form or {},
        "max_claim_photos": claims.MAX_PHOTOS,
    }


def _order_page(request, order: Order, *, return_form=None, shipment_form=None, claim_form=None):
    now = timezone.now()
    window_end = orders.return_window_end(order)
    returns = list(order.returns.all())
    for rr in returns:
        rr.return_carrier_name = carrier_name(rr.return_carrier)
    return_open = any(r.status in ReturnRequest.OPEN for r in returns)
    return_form = return_form or {}
    returnable_lines = []
    for line in order.lines.all():
        line.returnable_quantity = line.quantity - line.returned_quantity if line.returnable else 0
        line.return_input = return_form.get(f"return_{line.pk}", "0")
        if line.returnable_quantity > 0:
            returnable_lines.append(line)
    window_is_open = window_end is not None and now < window_end
    refunding = payment_reads.refunds_in_progress(order)
    can_pay = order.status == OrderStatus.PENDING_PAYMENT and order.expires_at > now
    context = {
        "order": order,
        "refund_in_progress": bool(refunding),
        "returns_refunding": {refund.return_number for refund in refunding},
        "returns": returns,
        "window_end": window_end,
        "can_pay": can_pay,
        "wechat_pay": can_pay and wechat_payer(request) is not None,
        "wechat_pay_done": can_pay and request.GET.get("wechat_pay") == "done",
        "can_cancel": order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        "can_return": order.status in RETURNABLE_STATUSES
        and window_is_open
        and not return_open
        and bool(returnable_lines),
        "window_is_open": window_is_open and order.status in RETURNABLE_STATUSES,
        "returnable_lines": returnable_lines,
        "return_form": return_form,
        "can_confirm_receipt": order.status == OrderStatus.SHIPPED,
        "auto_confirm_at": after_sales.auto_confirm_deadline(order),
        "return_freight_paid_by": no_reason_return_freight_payer(
            orders.brand_pays_return_shipping()
        ),
        "carriers": carrier_choices(),
        "shipment_form": shipment_form or {},
        "events": order_events.after_sales_events(
            returns,
            payment_reads.refunds_of_order(order),
            compliance_reads.complaints_on_order(order),
        ),
        **_claim_context(order, now, claim_form),
    }
    return render(request, "storefront/order_detail.html", context)


@customer_required
def order_detail(request, number: str):
    return _order_page(request, _own_order(request, number))


@customer_required
@require_POST
def pay_order(request, number: str):
    order = _own_order(request, number)
    try:
        payment = payments.start_payment(order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:order_detail", number=order.number)
    return redirect(get_provider(payment.provider).pay_url(payment=payment))


@customer_required
@require_POST
def cancel_order(request, number: str):
    order = _own_order(request, number)
    form = CancelOrderForm(request.POST)
    if not valid(request, form):
        return redirect("storefront:order_detail", number=order.number)
    try:
        order = sales.cancel_order(order=order, by_brand=False, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if order.status == OrderStatus.REFUNDED:
            messages.success(
                request, _("Your order is cancelled and the payment is being refunded.")
            )
        else:
            messages.success(request, _("Your order is cancelled."))
    return redirect("storefront:order_detail", number=order.number)


@customer_required
@require_POST
def confirm_receipt(request, number: str):
    order = _own_order(request, number)
    try:
        after_sales.confirm_receipt(order=order, customer=request.customer)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: receipt is confirmed."))
    return redirect("storefront:order_detail", number=order.number)


@customer_required
@require_POST
def return_shipment(request, number: str):
    """The customer enters the carrier and tracking number of the parcel he sent back."""
    order = _own_order(request, number)
    form = ReturnShipmentForm(request.POST)
    if not valid(request, form):
        return _order_page(request, order, shipment_form=request.POST)
    return_request = next(
        (rr for rr in order.returns.all() if rr.number == form.cleaned_data["return_number"]),
        None,
    )
    if return_request is None:
        raise Http404
    try:
        after_sales.record_return_shipment(
            return_request=return_request,
            customer=request.customer,
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _order_page(request, order, shipment_form=request.POST)
    messages.success(request, _("Thank you: the brand can now follow your parcel."))
    return redirect("storefront:order_detail", number=order.number)


@customer_required
@require_POST
def request_return(request, number: str):
    order = _own_order(request, number)
    quantities = {
        line_id: (raw.strip() or "0") for line_id, raw in _prefixed(request.POST, "return_").items()
    }
    form = ReturnReasonForm(request.POST)
    if not valid(request, form):
        return _order_page(request, order, return_form=request.POST)
    try:
        orders.request_return(
            order=order, customer=request.customer, quantities=quantities, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _order_page(request, order, return_form=request.POST)
    messages.success(
        request, _("Your return request is sent. We will tell you where to send the goods.")
    )
    return redirect("storefront:order_detail", number=order.number)


@customer_required
@require_POST
def file_claim(request, number: str):
    order = _own_order(request, number)
    form = ClaimForm(request.POST)
    if not valid(request, form):
        return _order_page(request, order, claim_form=request.POST)
    try:
        claim = claims.file_claim(
            order=order,
            customer=request.customer,
            photos=request.FILES.getlist("photos"),
            **form.cleaned_data,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _order_page(request, order, claim_form=request.POST)
    messages.success(
        request,
        _("Your quality claim %(number)s is sent; customer service will decide on it.")
        % {"number": claim.number},
    )
    return redirect("storefront:order_detail", number=order.number)


@customer_required
@require_POST
def send_claim_goods(request, number: str):
    order = _own_order(request, number)
    form = ClaimGoodsSentForm(request.POST)
    if valid(request, form):
        claim = order.claims.filter(number=form.cleaned_data["claim"]).first()
        if claim is None:
            raise Http404
        try:
            claims.send_claim_goods(
                claim=claim,
                customer=request.customer,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Thank you; the brand will ship back once it has the goods.")
            )
    return redirect("storefront:order_detail", number=order.number)
