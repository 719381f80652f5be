"""The brand console: thin views that parse input, call a service or a selector, and render."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import user_passes_test
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weishang.catalog import selectors as catalog_selectors
from weishang.catalog import services as catalog
from weishang.catalog.models import PricePeriod, Product, ProductImage, Sku
from weishang.commissions import plans as commission_plans
from weishang.core_errors import DomainError
from weishang.inventory import services as inventory
from weishang.inventory.selectors import stock_of
from weishang.money import format_fen, format_yuan
from weishang.orders import after_sales
from weishang.orders import selectors as order_selectors
from weishang.orders import services as orders
from weishang.orders.carriers import carrier_name
from weishang.orders.models import (
    Order,
    OrderStatus,
    ReceiptConfirmedBy,
    ReturnRequest,
    ReturnStatus,
)
from weishang.payments import selectors as payment_selectors
from weishang.replicas import replica_reads
from weishang.sales import services as sales

from . import roles
from .forms import (
    ApproveReturnForm,
    CancelForm,
    CategoryForm,
    ConsoleLoginForm,
    DeliverForm,
    PricePeriodForm,
    ProductForm,
    ProductImageForm,
    RejectReturnForm,
    ShipForm,
    SkuCostForm,
    SkuEditForm,
    SkuForm,
    StockForm,
)

PAGE_SIZE = 50


def _is_staff(user) -> bool:
    return user.is_active and user.is_staff


def staff_required(view):
    """Staff only; anyone else goes to the console's own sign-in page."""
    return user_passes_test(_is_staff, login_url=reverse_lazy("console:login"))(view)


def staff_post(view):
    return staff_required(require_POST(view))


def _form_errors(request, form, *, labelled: bool = False) -> None:
    """Each error as a page message; ``labelled`` names the field, for forms with many fields."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if labelled and name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _back(request, default: str):
    """Back to the page the form was on, when it is a path of ours (redirect() would read
    anything else as a view name)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _attempt(request, action, success: str) -> bool:
    """Runs a service call; a DomainError becomes an error message and nothing changes."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# Sign-in -----------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = ConsoleLoginForm
    next_page = reverse_lazy("console:dashboard")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("console:login")


# Dashboard ---------------------------------------------------------------------------------------


# Orders ------------------------------------------------------------------------------------------

STATUS_TABS = [
    ("", gettext_lazy("All")),
    (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_PAYMENT.label),
    (OrderStatus.PAID, gettext_lazy("Unshipped")),
    (OrderStatus.SHIPPED, OrderStatus.SHIPPED.label),
    (OrderStatus.DELIVERED, OrderStatus.DELIVERED.label),
    (OrderStatus.COMPLETED, OrderStatus.COMPLETED.label),
    (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.PARTIALLY_REFUNDED.label),
    (OrderStatus.REFUNDED, OrderStatus.REFUNDED.label),
    (OrderStatus.CANCELLED, OrderStatus.CANCELLED.label),
]


@staff_required
@replica_reads
def order_list(request):
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    query = request.GET.get("q", "").strip()[:40]
    counts = order_selectors.order_counts_by_status()
    tabs = [
        {
            "status": value,
            "label": label,
            "count": counts.get(value, 0) if value else sum(counts.values()),
            "active": value == status,
        }
        for value, label in STATUS_TABS
    ]
    found = order_selectors.search_orders_for_console(status=status, query=query)
    page = _page(request, payment_selectors.with_refund_in_progress(found))
    full = roles.sees_full_customer_data(request.user)
    for order in page:
        order.mobile_shown, order.recipient_shown = roles.order_contact(order, full=full)
    return render(
        request,
        "console/order_list.html",
        {"page": page, "tabs": tabs, "status": status, "query": query, "nav": "orders"},
    )


def _received_label(confirmed_by: str) -> str:
    if confirmed_by == ReceiptConfirmedBy.CUSTOMER:
        return _("The customer confirmed receipt")
    if confirmed_by == ReceiptConfirmedBy.AUTOMATIC:
        return _("Receipt confirmed automatically")
    return _("Signed for")


def _timeline(order: Order) -> list[tuple]:
    events = [(order.placed_at, _("Order placed"))]
    for payment in order.payments.all():
        if payment.paid_at:
            events.append((payment.paid_at, _("Paid (%(number)s)") % {"number": payment.number}))
        for refund in payment.refunds.all():
            events.append(
                (
                    refund.created_at,
                    _("Refunded %(amount)s") % {"amount": format_fen(refund.amount_fen)},
                )
            )
    if order.shipped_at:
        events.append(
            (
                order.shipped_at,
                _("Shipped with %(carrier)s, %(tracking)s")
                % {"carrier": order.carrier_name, "tracking": order.tracking_no},
            )
        )
    if order.delivered_at:
        events.append((order.delivered_at, _received_label(order.receipt_confirmed_by)))
    for rr in order.returns.all():
        events.append((rr.requested_at, _("Return %(number)s requested") % {"number": rr.number}))
        for moment, label in (
            (rr.approved_at, _("Return %(number)s approved")),
            (rr.return_shipped_at, _("Return %(number)s sent back by the customer")),
            (rr.received_at, _("Return %(number)s received")),
            (rr.refunded_at, _("Return %(number)s refunded")),
            (rr.rejected_at, _("Return %(number)s rejected")),
        ):
            if moment:
                events.append((moment, label % {"number": rr.number}))
    if order.completed_at:
        events.append((order.completed_at, _("Completed")))
    if order.cancelled_at:
        events.append((order.cancelled_at, _("Cancelled")))
    return sorted(events, key=lambda event: event[0])


@staff_required
def order_detail(request, number):
    try:
        order = order_selectors.order_for_console(number)
    except Order.DoesNotExist as exc:
        raise Http404 from exc
    full = roles.sees_full_customer_data(request.user)
    return render(
        request,
        "console/order_detail.html",
        {
            "order": order,
            "delivery": roles.order_delivery(order, full=full),
            "timeline": _timeline(order),
            "return_window_end": orders.return_window_end(order),
            "refund_in_progress": bool(payment_selectors.refunds_in_progress(order)),
            "ship_form": ShipForm(),
            "deliver_form": DeliverForm(),
            "can_ship": order.status == OrderStatus.PAID,
            "can_deliver": order.status == OrderStatus.SHIPPED,
            "auto_confirm_at": after_sales.auto_confirm_deadline(order),
            "can_cancel": order.status == OrderStatus.PENDING_PAYMENT,
            "paid_cannot_cancel": order.status == OrderStatus.PAID,
            "nav": "orders",
        },
    )


def _order(number) -> Order:
    return get_object_or_404(Order, number=number)


@staff_post
def order_ship(request, number):
    order = _order(number)
    form = ShipForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: orders.ship_order(order=order, actor=request.user, **form.cleaned_data),
            _("Order %(number)s is shipped.") % {"number": order.number},
        )
    return redirect("console:order_detail", number=order.number)


@staff_post
def order_deliver(request, number):
    order = _order(number)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: orders.mark_delivered(
                order=order, actor=request.user, signed_at=form.cleaned_data["signed_at"]
            ),
            _("Order %(number)s is marked delivered.") % {"number": order.number},
        )
    return redirect("console:order_detail", number=order.number)


@staff_post
def order_cancel(request, number):
    order = _order(number)
    form = CancelForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: sales.cancel_order(
                order=order, by_brand=True, actor=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Order %(number)s is cancelled and its stock released.") % {"number": order.number},
        )
    return redirect("console:order_detail", number=order.number)


# Returns -----------------------------------------------------------------------------------------


@staff_required
@replica_reads
def return_list(request):
    page = _page(
        request,
        order_selectors.returns_queue().select_related("order__customer", "return_address"),
    )
    now = timezone.now()
    full = roles.sees_full_customer_data(request.user)
    for rr in page:
        rr.is_overdue = (
            rr.status == ReturnStatus.RECEIVED and rr.refund_due_at and rr.refund_due_at < now
        )
        rr.return_carrier_name = carrier_name(rr.return_carrier)
        rr.customer_mobile, _recipient = roles.order_contact(rr.order, full=full)
    return render(
        request,
        "console/return_list.html",
        {
            "page": page,
            "now": now,
            "ReturnStatus": ReturnStatus,
            "return_addresses": list(order_selectors.return_addresses_in_use()),
            "nav": "returns",
        },
    )


@staff_post
def return_action(request, number, action):
    rr = get_object_or_404(ReturnRequest, number=number)
    if action == "approve":
        form = ApproveReturnForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            _attempt(
                request,
                lambda: orders.approve_return(
                    return_request=rr,
                    actor=request.user,
                    return_address=form.cleaned_data["return_address"],
                ),
                _("Return %(number)s is approved.") % {"number": rr.number},
            )
    elif action == "reject":
        form = RejectReturnForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            _attempt(
                request,
                lambda: orders.reject_return(
                    return_request=rr, actor=request.user, reason=form.cleaned_data["reason"]
                ),
                _("Return %(number)s is rejected.") % {"number": rr.number},
            )
    elif action == "receive":
        _attempt(
            request,
            lambda: orders.receive_return(return_request=rr, actor=request.user),
            _("Return %(number)s is received; the goods are back in stock.")
            % {"number": rr.number},
        )
    elif action == "refund":
        _attempt(
            request,
            lambda: sales.refund_return(return_request=rr, actor=request.user),
            _("Return %(number)s is refunded.") % {"number": rr.number},
        )
    else:
        raise Http404
    return _back(request, reverse("console:return_list"))


# Products and stock ------------------------------------------------------------------------------


@staff_required
def product_list(request):
    page = _page(request, catalog_selectors.products_for_console())
    now = timezone.now()
    rows = [
        (
            product,
            [
                (sku, catalog_selectors.sku_price(sku, now), stock_of(sku))
                for sku in product.skus.all()
            ],
        )
        for product in page
    ]
    return render(
        request, "console/product_list.html", {"page": page, "rows": rows, "nav": "products"}
    )


@staff_post
def stock_set(request, sku_id):
    sku = get_object_or_404(Sku.objects.select_related("product"), pk=sku_id)
    form = StockForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: inventory.set_stock_on_hand(
                sku_id=sku.pk,
                actor=request.user,
                on_hand=form.cleaned_data["on_hand"],
                reference=f"console:{request.user.pk}",
            ),
            _("Stock of %(sku)s set to %(n)d.") % {"sku": sku, "n": form.cleaned_data["on_hand"]},
        )
    return _back(request, reverse("console:product_list"))


@staff_post
def product_publish(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    _attempt(
        request,
        lambda: catalog.publish_product(product=product, actor=request.user),
        _("%(name)s is published.") % {"name": product.name},
    )
    return _back(request, reverse("console:product_list"))


@staff_post
def product_unpublish(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    _attempt(
        request,
        lambda: catalog.unpublish_product(product=product, actor=request.user),
        _("%(name)s is withdrawn from sale.") % {"name": product.name},
    )
    return _back(request, reverse("console:product_list"))


@staff_required
def price_periods(request, product_id):
    try:
        product = catalog_selectors.product_with_price_periods(product_id)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    form = PricePeriodForm(request.POST or None, product=product)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form)
        else:
            data = form.cleaned_data
            if _attempt(
                request,
                lambda: catalog.schedule_price_period(
                    sku=data["sku"],
                    actor=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    price_fen=data["price"],
                    label=data["label"],
                ),
                _("Price period added."),
            ):
                _warn_above_margin(request)
                return redirect("console:price_periods", product_id=product.pk)
    now = timezone.now()
    skus = [
        (sku, catalog_selectors.sku_price(sku, now), list(sku.price_periods.all()))
        for sku in product.skus.all()
    ]
    return render(
        request,
        "console/price_periods.html",
        {"product": product, "skus": skus, "form": form, "now": now, "nav": "products"},
    )


@staff_post
def price_period_delete(request, product_id, period_id):
    period = get_object_or_404(
        PricePeriod.objects.select_related("sku"), pk=period_id, sku__product_id=product_id
    )
    _attempt(
        request,
        lambda: catalog.delete_price_period(period=period, actor=request.user),
        _("Price period deleted."),
    )
    return redirect("console:price_periods", product_id=product_id)


# Creating and editing products -------------------------------------------------------------------


def _product_fields(form: ProductForm) -> dict:
    return {name: form.cleaned_data[name] for name in ProductForm.base_fields}


@staff_required
def product_new(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            created = []
            if _attempt(
                request,
                lambda: created.append(
                    catalog.create_product(actor=request.user, **_product_fields(form))
                ),
                _("%(name)s is created as a draft; add its SKUs and images, then publish it.")
                % {"name": form.cleaned_data["name"]},
            ):
                return redirect("console:product_edit", product_id=created[0].pk)
    return render(
        request,
        "console/product_new.html",
        {"form": form, "category_form": CategoryForm(), "nav": "products"},
    )


@staff_required
def product_edit(request, product_id):
    try:
        product = catalog_selectors.product_for_editing(product_id)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = ProductForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: catalog.update_product(
                product=product, actor=request.user, **_product_fields(form)
            ),
            _("%(name)s is saved.") % {"name": form.cleaned_data["name"]},
        ):
            return redirect("console:product_edit", product_id=product.pk)
    else:
        form = ProductForm.for_product(product)
    now = timezone.now()
    skus = [
        (
            sku,
            catalog_selectors.sku_price(sku, now),
            stock_of(sku),
            format_yuan(sku.list_price_fen),
            "" if sku.cost_fen is None else format_yuan(sku.cost_fen),
        )
        for sku in product.skus.all()
    ]
    return render(
        request,
        "console/product_edit.html",
        {
            "product": product,
            "form": form,
            "skus": skus,
            "images": product.images.all(),
            "sku_form": SkuForm(),
            "image_form": ProductImageForm(),
            "category_form": CategoryForm(),
            "nav": "products",
        },
    )


def _to_edit(product_id):
    return redirect(reverse("console:product_edit", args=[product_id]))


@staff_post
def sku_add(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    form = SkuForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        data = form.cleaned_data
        _attempt(
            request,
            lambda: catalog.add_sku(
                product=product,
                actor=request.user,
                code=data["code"],
                name=data["name"],
                list_price_fen=data["price"],
            ),
            _("SKU %(code)s is added with no stock yet.") % {"code": data["code"]},
        )
    return _to_edit(product.pk)


def _sku(sku_id) -> Sku:
    return get_object_or_404(Sku.objects.select_related("product"), pk=sku_id)


@staff_post
def sku_edit(request, sku_id):
    sku = _sku(sku_id)
    form = SkuEditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        if _attempt(
            request,
            lambda: catalog.update_sku(
                sku=sku,
                actor=request.user,
                name=form.cleaned_data["name"],
                list_price_fen=form.cleaned_data["price"],
            ),
            _("SKU %(code)s is saved.") % {"code": sku.code},
        ):
            _warn_above_margin(request)
    return _to_edit(sku.product_id)


@staff_post
def sku_cost(request, sku_id):
    sku = _sku(sku_id)
    form = SkuCostForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    elif _attempt(
        request,
        lambda: catalog.set_sku_cost(
            sku=sku, actor=request.user, cost_fen=form.cleaned_data["cost"]
        ),
        _("The cost price of SKU %(code)s is saved.") % {"code": sku.code},
    ):
        _warn_above_margin(request)
    return _to_edit(sku.product_id)


def _warn_above_margin(request) -> None:
    """After a cost or a price changed: which products the plan in force now pays above their
    margin. The plan itself is left as it is; the brand decides."""
    findings = commission_plans.above_margin_in_force()
    if findings:
        messages.warning(
            request,
            _("The commission plan in force now pays above margin: %(findings)s Edit the plan.")
            % {"findings": " ".join(f.message for f in findings)},
        )


@staff_post
def sku_set_active(request, sku_id, active):
    sku = _sku(sku_id)
    _attempt(
        request,
        lambda: catalog.update_sku(sku=sku, actor=request.user, is_active=active),
        (_("SKU %(code)s is active.") if active else _("SKU %(code)s is deactivated."))
        % {"code": sku.code},
    )
    return _to_edit(sku.product_id)


@staff_post
def image_add(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    form = ProductImageForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: catalog.add_product_image(
                product=product, actor=request.user, image_file=form.cleaned_data["image"]
            ),
            _("Image uploaded."),
        )
    return _to_edit(product.pk)


@staff_post
def image_remove(request, product_id, image_id):
    image = get_object_or_404(ProductImage, pk=image_id, product_id=product_id)
    _attempt(
        request,
        lambda: catalog.remove_product_image(image=image, actor=request.user),
        _("Image removed."),
    )
    return _to_edit(product_id)


@staff_post
def category_add(request):
    form = CategoryForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: catalog.create_category(actor=request.user, **form.cleaned_data),
            _("Category %(name)s is added.") % {"name": form.cleaned_data["name"]},
        )
    return _back(request, reverse("console:product_new"))
