"""Batch shipping in the console: the packing list and labels for the ticked paid orders, the
waybill template for them, and the import of the filled-in file with its row-by-row report."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang.core_errors import DomainError
from weishang.orders import selectors as order_selectors
from weishang.orders.carriers import CARRIERS
from weishang.orders.shipping import ship_orders_from_rows
from weishang.orders.waybill_files import (
    MAX_BYTES,
    MAX_ROWS,
    XLSX_TYPE,
    read_waybill_file,
    template_csv,
    template_xlsx,
)

from .forms import MAX_BATCH, PackingForm, WaybillImportForm, WaybillTemplateForm
from .views import _form_errors, staff_required


def orders_selected(data: dict) -> list:
    """The paid orders a valid PackingForm chose: those ticked, or every unshipped one."""
    if not data["unshipped"] and not data["order"]:
        return []
    numbers = None if data["unshipped"] else data["order"]
    return order_selectors.orders_to_pack(numbers=numbers, limit=MAX_BATCH)


def _selected(request, form_class):
    """The chosen paid orders and the form; a bad selection is a message and no orders."""
    form = form_class(request.GET)
    if not form.is_valid():
        _form_errors(request, form)
        return [], form
    return orders_selected(form.cleaned_data), form


@staff_required
def packing_list(request):
    orders, form = _selected(request, PackingForm)
    asked = form.cleaned_data.get("order", []) if form.is_valid() else []
    left_out = len(asked) - len(orders) if asked else 0
    return render(
        request,
        "console/packing_list.html",
        {
            "orders": orders,
            "picks": order_selectors.pick_list(orders),
            "selection": urlencode([("order", order.number) for order in orders]),
            "left_out": left_out,
            "printed_at": timezone.now(),
            "nav": "orders",
        },
    )


@staff_required
def waybill_template(request):
    orders, form = _selected(request, WaybillTemplateForm)
    numbers = [order.number for order in orders]
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    if form.is_valid() and form.cleaned_data["format"] == "xlsx":
        response = HttpResponse(template_xlsx(numbers), content_type=XLSX_TYPE)
        filename = f"waybills-{stamp}.xlsx"
    else:
        response = HttpResponse(template_csv(numbers), content_type="text/csv; charset=utf-8")
        filename = f"waybills-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_message(request, report) -> None:
    if report.shipped:
        messages.success(
            request,
            ngettext("%(count)d order is shipped.", "%(count)d orders are shipped.", report.shipped)
            % {"count": report.shipped},
        )
    elif report.refused:
        messages.error(request, _("No order was shipped from this file; see the rows below."))
    else:
        messages.info(request, _("Every order in this file was already shipped; nothing changed."))


@staff_required
def waybill_import(request):
    report = None
    form = WaybillImportForm()
    if request.method == "POST":
        form = WaybillImportForm(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            upload = form.cleaned_data["file"]
            try:
                rows = read_waybill_file(upload)
                report = ship_orders_from_rows(rows=rows, actor=request.user, source=upload.name)
            except DomainError as error:
                messages.error(request, error.message)
        if report is not None:
            _report_message(request, report)
    return render(
        request,
        "console/waybill_import.html",
        {
            "form": form,
            "report": report,
            "carriers": CARRIERS.values(),
            "max_rows": MAX_ROWS,
            "max_kb": MAX_BYTES // 1000,
            "nav": "shipping",
        },
    )
