"""The customer's privacy page (PIPL Art. 44–47): a copy of his data, corrections, closing the
account. Views parse input, call ``customers.data_rights`` (corrections) or ``privacy.data_rights``
(the copy, closing) and render."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weishang import throttle
from weishang.core_errors import DomainError
from weishang.customers import data_rights
from weishang.inputs import BIGINT_MAX, parse_int
from weishang.privacy import data_rights as reporting

from .forms import AddressForm, PrivacyForm, valid
from .views import customer_required


def _address_id(post) -> int | None:
    return parse_int(post.get("address"), max_value=BIGINT_MAX)


@customer_required
@require_http_methods(["GET", "POST"])
def privacy(request):
    customer = request.customer
    context = {"demo_code": None, "new_mobile": "", "closure_error": None}
    form = PrivacyForm(request.POST)
    if request.method == "POST" and valid(request, form):
        action, fields = form.cleaned_data["action"], form.cleaned_data
        try:
            if action == "nickname":
                data_rights.update_nickname(customer=customer, nickname=fields["nickname"])
                messages.success(request, _("Your nickname is saved."))
                return redirect("storefront:privacy")
            if action == "address" and valid(request, address := AddressForm(request.POST)):
                data_rights.update_address(
                    customer=customer,
                    address_id=_address_id(request.POST),
                    **address.cleaned_data,
                )
                messages.success(request, _("Address corrected."))
                return redirect("storefront:privacy")
            if action == "delete_address":
                data_rights.delete_address(customer=customer, address_id=_address_id(request.POST))
                messages.success(request, _("Address deleted."))
                return redirect("storefront:privacy")
            if action == "send_mobile_code":
                context["new_mobile"] = fields["mobile"]
                throttle.take((throttle.CODES_SENT_PER_CLIENT, throttle.client(request)))
                code = data_rights.request_mobile_change(
                    customer=customer, new_mobile=context["new_mobile"]
                )
                messages.success(request, _("We sent a 6-digit code to the new number."))
                if settings.OTP_SHOW_ON_PAGE:
                    context["demo_code"] = code
            elif action == "change_mobile":
                context["new_mobile"] = fields["mobile"]
                data_rights.change_mobile(
                    customer=customer, new_mobile=fields["mobile"], code=fields["code"]
                )
                messages.success(request, _("Your mobile number is changed."))
                return redirect("storefront:privacy")
            elif action == "close":
                summary = reporting.close_account(
                    customer=customer, confirmation=fields["confirmation"]
                )
                logout(request)
                return render(request, "storefront/privacy/closed.html", {"summary": summary})
        except DomainError as exc:
            if action == "close":
                context["closure_error"] = exc.message
            else:
                messages.error(request, exc.message)
    context.update(
        customer=customer,
        addresses=customer.addresses.all(),
        blockers=reporting.closure_blockers(customer),
        notices=reporting.closure_notices(customer),
        confirmation_word=reporting.CONFIRMATION_WORD,
    )
    return render(request, "storefront/privacy/index.html", context)


@customer_required
@require_GET
def export_json(request):
    data = reporting.personal_data(request.customer)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    return response


@customer_required
@require_GET
def export_page(request):
    return render(
        request,
        "storefront/privacy/export.html",
        {"data": reporting.personal_data(request.customer)},
    )
