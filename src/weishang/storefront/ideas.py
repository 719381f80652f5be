"""The creative group (创意群): a customer (a distributor too) submits ideas in pictures and words
and follows what the brand made of each."""

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from weishang.content import ideas
from weishang.content.models import Submission
from weishang.core_errors import DomainError
from weishang.inputs import RequestKeyField, text_field

from .forms import valid
from .views import customer_required

IDEAS_PER_PAGE = 20


class IdeaForm(forms.Form):
    """Lengths and the request key; what is missing is the service's to say."""

    request_key = RequestKeyField()
    title = text_field(Submission, "title", label=gettext_lazy("Title"))
    text = forms.CharField(
        label=gettext_lazy("Your idea"), max_length=ideas.TEXT_MAX, required=False, strip=True
    )


@customer_required
@require_http_methods(["GET", "POST"])
def my_ideas(request):
    form = {}
    if request.method == "POST":
        form = request.POST
        if valid(request, checked := IdeaForm(request.POST)):
            try:
                ideas.submit_idea(
                    author=request.customer,
                    pictures=request.FILES.getlist("pictures"),
                    **checked.cleaned_data,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("Thank you! The brand will review your idea and tell you here.")
                )
                return redirect("storefront:ideas")
    page = Paginator(ideas.ideas_of(request.customer), IDEAS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/ideas/mine.html",
        {
            "page": page,
            "ideas": page.object_list,
            "form": form,
            "request_key": uuid.uuid4().hex,
            "max_pictures": ideas.MAX_PICTURES,
            "title_max": ideas.TITLE_MAX,
            "text_max": ideas.TEXT_MAX,
        },
    )
