"""The customer's city station (城市站点): choosing, changing or leaving it from his account page,
which shows it (``community.selectors.station_choice``). A distributor is a customer, so he
chooses his the same way."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weishang.community import services as community
from weishang.core_errors import DomainError
from weishang.inputs import BIGINT_MAX, IntegerField

from .forms import valid
from .views import customer_required


class StationChoiceForm(forms.Form):
    station = IntegerField(
        label=gettext_lazy("City station"),
        min_value=1,
        max_value=BIGINT_MAX,
        error_messages={"required": gettext_lazy("Choose a city station.")},
    )


def _back():
    return redirect(reverse("storefront:account") + "#station")


@customer_required
@require_POST
def choose_station(request):
    """Joins the chosen open station, or moves to it from another."""
    form = StationChoiceForm(request.POST)
    if valid(request, form):
        try:
            community.join_station(
                customer=request.customer,
                station_id=form.cleaned_data["station"],
                now=timezone.now(),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your city station is saved."))
    return _back()


@customer_required
@require_POST
def leave_station(request):
    try:
        community.leave_station(customer=request.customer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You left your city station."))
    return _back()
