"""Brand console: coupon templates, issuing coupons to a customer or a segment, and the rules
that issue them on an occasion. Operators and the owner act; every other role reads. Each act is
audited by its loyalty service."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from weishang.catalog.models import Category, Product
from weishang.community import selectors as community_selectors
from weishang.core_errors import DomainError
from weishang.inputs import (
    BIGINT_MAX,
    DecimalField,
    IntegerField,
    parse_int,
    refuse_non_ascii,
    text_field,
)
from weishang.loyalty import coupon_selectors as selectors
from weishang.loyalty import coupons
from weishang.loyalty.models import (
    CouponKind,
    CouponRule,
    CouponScope,
    CouponTemplate,
    SegmentKind,
)

from .forms import _datetime_field
from .freight import _FenField
from .views import _attempt, _back, _form_errors, _page, staff_post, staff_required

# The key a page puts in its issuing form (uuid4().hex), so that sending it twice issues once.
_ISSUE_KEY = re.compile(r"[0-9a-f]{32}", re.ASCII)
MISSING_KEY = gettext_lazy("The form is missing its key; please open the page again.")
VALIDITY_CHOICES = [
    ("days", gettext_lazy("A number of days from issue")),
    ("window", gettext_lazy("A fixed window")),
]


def _checked_id(field, value) -> None:
    """An id typed with digits beyond 0-9 is refused, not read as another; one no row can have
    (beyond the database's integers) is refused before it reaches the database."""
    refuse_non_ascii(value)
    if parse_int(value, min_value=1, max_value=BIGINT_MAX) is None:
        raise forms.ValidationError(
            field.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": value}
        )


class _AsciiModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Chosen rows by id."""

    def clean(self, value):
        for item in value or ():
            _checked_id(self, item)
        return super().clean(value)


class _AsciiModelChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_pk_value": forms.ModelMultipleChoiceField.default_error_messages[
            "invalid_pk_value"
        ]
    }

    def clean(self, value):
        if value not in self.empty_values:
            _checked_id(self, value)
        return super().clean(value)


class _IssueKeyField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not _ISSUE_KEY.fullmatch(value or ""):
            raise forms.ValidationError(MISSING_KEY, code="key")
        return value


class CouponTemplateForm(forms.Form):
    """A template's terms; the loyalty service checks how they fit together."""

    name = text_field(CouponTemplate, "name", label=gettext_lazy("Name"), required=True)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CouponKind.choices)
    amount_off = _FenField(
        label=gettext_lazy("Amount off (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("For an amount-off coupon."),
    )
    percent_off = DecimalField(
        label=gettext_lazy("Percent off (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=gettext_lazy(
            "For a percent-off coupon: 15 means 15 percent off, rounded down to the fen."
        ),
    )
    cap = _FenField(
        label=gettext_lazy("At most (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("For a percent-off coupon; leave empty for no cap."),
    )
    threshold = _FenField(
        label=gettext_lazy("Spend threshold (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Counted on the lines the coupon applies to; empty for none."),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Applies to"), choices=CouponScope.choices)
    products = _AsciiModelMultipleChoiceField(
        label=gettext_lazy("Products"), queryset=Product.objects.order_by("name"), required=False
    )
    categories = _AsciiModelMultipleChoiceField(
        label=gettext_lazy("Categories"), queryset=Category.objects.all(), required=False
    )
    validity = forms.ChoiceField(label=gettext_lazy("Validity"), choices=VALIDITY_CHOICES)
    valid_days = IntegerField(
        label=gettext_lazy("Days from issue"), min_value=1, max_value=3650, required=False
    )
    valid_from = _datetime_field(gettext_lazy("Valid from"), required=False)
    valid_until = _datetime_field(gettext_lazy("Valid until"), required=False)
    per_customer_limit = IntegerField(
        label=gettext_lazy("Per customer at most"), min_value=1, max_value=100, initial=1
    )
    quota = IntegerField(
        label=gettext_lazy("Total quota"),
        min_value=1,
        max_value=10_000_000,
        required=False,
        help_text=gettext_lazy("How many may ever be issued; empty for no limit."),
    )
    stackable = forms.BooleanField(label=gettext_lazy("Stacks with other coupons"), required=False)
    claimable = forms.BooleanField(
        label=gettext_lazy("Customers may claim it in the coupon centre"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == CouponKind.AMOUNT_OFF and data.get("amount_off") is None:
            self.add_error("amount_off", _("Enter the amount off."))
        if data.get("kind") == CouponKind.PERCENT_OFF and data.get("percent_off") is None:
            self.add_error("percent_off", _("Enter the percent off."))
        if data.get("validity") == "days" and data.get("valid_days") is None:
            self.add_error("valid_days", _("Enter the number of days."))
        if data.get("validity") == "window":
            for name in ("valid_from", "valid_until"):
                if data.get(name) is None:
                    self.add_error(name, _("Enter the start and the end of the window."))
        return data

    def terms(self) -> dict:
        data = self.cleaned_data
        days = data["validity"] == "days"
        percent = data.get("percent_off") or Decimal(0)
        return {
            "name": data["name"],
            "kind": data["kind"],
            "amount_off_fen": data.get("amount_off") or 0,
            "percent_off_bp": int(percent * 100),
            "cap_fen": data.get("cap"),
            "threshold_fen": data.get("threshold") or 0,
            "scope": data["scope"],
            "valid_days": data["valid_days"] if days else None,
            "valid_from": None if days else data["valid_from"],
            "valid_until": None if days else data["valid_until"],
            "per_customer_limit": data["per_customer_limit"],
            "quota": data.get("quota"),
            "stackable": data["stackable"],
            "claimable": data["claimable"],
        }

    @classmethod
    def initial_for(cls, template: CouponTemplate) -> dict:
        return {
            "name": template.name,
            "kind": template.kind,
            "amount_off": _yuan(template.amount_off_fen) if template.amount_off_fen else "",
            "percent_off": Decimal(template.percent_off_bp) / 100
            if template.percent_off_bp
            else "",
            "cap": _yuan(template.cap_fen) if template.cap_fen is not None else "",
            "threshold": _yuan(template.threshold_fen) if template.threshold_fen else "",
            "scope": template.scope,
            "products": list(template.products.all()),
            "categories": list(template.categories.all()),
            "validity": "days" if template.valid_days is not None else "window",
            "valid_days": template.valid_days,
            "valid_from": template.valid_from and timezone.localtime(template.valid_from),
            "valid_until": template.valid_until and timezone.localtime(template.valid_until),
            "per_customer_limit": template.per_customer_limit,
            "quota": template.quota,
            "stackable": template.stackable,
            "claimable": template.claimable,
        }


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class IssueForm(forms.Form):
    template = _AsciiModelChoiceField(
        label=gettext_lazy("Coupon"), queryset=selectors.active_templates()
    )
    key = _IssueKeyField(widget=forms.HiddenInput, required=False)


SAVED_SEGMENT = "saved"


class SegmentForm(IssueForm):
    segment = forms.ChoiceField(
        label=gettext_lazy("Customers"),
        choices=[
            *SegmentKind.choices,
            (SAVED_SEGMENT, gettext_lazy("A saved community segment (below)")),
        ],
    )
    saved_segment = _AsciiModelChoiceField(
        label=gettext_lazy("Community segment"),
        queryset=community_selectors.segments_for_console(),
        required=False,
        help_text=gettext_lazy("Defined under Community, Segments."),
    )
    days = IntegerField(label=gettext_lazy("N days"), min_value=1, max_value=3650, required=False)
    product = _AsciiModelChoiceField(
        label=gettext_lazy("Product"), queryset=Product.objects.order_by("name"), required=False
    )
    category = _AsciiModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.all(), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("segment") == SAVED_SEGMENT and not data.get("saved_segment"):
            self.add_error("saved_segment", _("Choose the community segment."))
        return data

    def segment_chosen(self) -> coupons.Segment:
        data = self.cleaned_data
        return coupons.Segment(
            kind=data["segment"],
            days=data.get("days"),
            product_id=data["product"].pk if data.get("product") else None,
            category_id=data["category"].pk if data.get("category") else None,
        )


class RuleForm(forms.Form):
    rule = forms.ChoiceField(choices=CouponRule.Occasion.choices)
    template = _AsciiModelChoiceField(
        queryset=selectors.active_templates(),
        required=False,
        empty_label=gettext_lazy("No coupon"),
    )


def _described(template: CouponTemplate) -> CouponTemplate:
    template.gives = selectors.what_it_gives(template)
    template.applies = selectors.where_it_applies(template)
    template.lasts = selectors.how_long(template)
    return template


@staff_required
def coupon_templates(request):
    page = _page(
        request,
        selectors.templates_for_console().prefetch_related("products", "categories"),
    )
    for template in page:
        _described(template)
    return render(request, "console/coupons/templates.html", {"page": page, "nav": "coupons"})


def _template_page(request, template: CouponTemplate | None):
    if request.method == "POST":
        form = CouponTemplateForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: coupons.save_coupon_template(
                actor=request.user,
                terms=form.terms(),
                product_ids=[p.pk for p in form.cleaned_data["products"]],
                category_ids=[c.pk for c in form.cleaned_data["categories"]],
                template_id=template.pk if template else None,
                now=timezone.now(),
            ),
            _("The coupon template is saved."),
        ):
            return redirect("console:coupon_templates")
    else:
        form = CouponTemplateForm(
            initial=CouponTemplateForm.initial_for(template)
            if template
            else {"validity": "days", "valid_days": 30, "per_customer_limit": 1}
        )
    return render(
        request,
        "console/coupons/template_form.html",
        {"form": form, "template": template, "nav": "coupons"},
    )


@staff_required
def coupon_template_new(request):
    return _template_page(request, None)


def _template_or_404(template_id: int) -> CouponTemplate:
    template = CouponTemplate.objects.prefetch_related("products", "categories").filter(
        pk=template_id
    )
    found = template.first()
    if found is None:
        raise Http404
    return found


@staff_required
def coupon_template_edit(request, template_id: int):
    return _template_page(request, _template_or_404(template_id))


@staff_post
def coupon_template_deactivate(request, template_id: int):
    template = _template_or_404(template_id)
    _attempt(
        request,
        lambda: coupons.deactivate_coupon_template(actor=request.user, template_id=template.pk),
        _("The coupon template is deactivated: no more coupons are issued from it."),
    )
    return redirect("console:coupon_templates")


@staff_post
def coupon_issue(request, customer_id: int):
    """Issues one coupon to the customer from his CRM page."""
    form = IssueForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: coupons.issue_by_hand(
                actor=request.user,
                template_id=form.cleaned_data["template"].pk,
                customer_id=customer_id,
                key=form.cleaned_data["key"],
                now=timezone.now(),
            ),
            _("The coupon is issued."),
        )
    return _back(request, reverse("console:customer_detail", args=[customer_id]))


def _issue_to_chosen_segment(actor, form: SegmentForm) -> int:
    """To a saved community segment's members, or to one of the coupon page's own segments."""
    data, now = form.cleaned_data, timezone.now()
    if data["segment"] == SAVED_SEGMENT:
        saved = data["saved_segment"]
        return coupons.issue_to_customers(
            actor=actor,
            template_id=data["template"].pk,
            customers=community_selectors.customers_in(saved, now=now),
            batch=data["key"],
            audit_detail={"audience": saved.name},
            now=now,
        )
    return coupons.issue_to_segment(
        actor=actor,
        template_id=data["template"].pk,
        segment=form.segment_chosen(),
        batch=data["key"],
        now=now,
    )


@staff_required
def coupon_segment(request):
    form = SegmentForm(request.POST or None, initial={"key": uuid.uuid4().hex})
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            try:
                issued = _issue_to_chosen_segment(request.user, form)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    ngettext("%(n)d coupon is issued.", "%(n)d coupons are issued.", issued)
                    % {"n": issued},
                )
                return redirect("console:coupon_templates")
    return render(request, "console/coupons/segment.html", {"form": form, "nav": "coupon_segment"})


@staff_required
def coupon_rules(request):
    if request.method == "POST":
        form = RuleForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        elif _attempt(
            request,
            lambda: coupons.set_coupon_rule(
                actor=request.user,
                rule=form.cleaned_data["rule"],
                template_id=form.cleaned_data["template"].pk
                if form.cleaned_data["template"]
                else None,
            ),
            _("The coupon rule is saved."),
        ):
            return redirect("console:coupon_rules")
    chosen = selectors.coupon_rules()
    rows = [
        {
            "rule": rule,
            "label": label,
            "form": RuleForm(
                initial={"rule": rule, "template": chosen[rule].pk if rule in chosen else None}
            ),
        }
        for rule, label in CouponRule.Occasion.choices
    ]
    return render(request, "console/coupons/rules.html", {"rows": rows, "nav": "coupon_rules"})


def customer_coupons_context(user_can_issue: bool, customer_id: int) -> dict:
    """The coupons part of the CRM customer page: his coupons and, for writers, the issue form."""
    now = timezone.now()
    held = list(selectors.coupons_of_customer(customer_id)[:50])
    for coupon in held:
        coupon.gives = selectors.what_it_gives(coupon.template)
        coupon.status = coupon.status_at(now)
        coupon.status_label = coupon.Status(coupon.status).label
        coupon.window = selectors.window_of(coupon)
    return {
        "coupons": held,
        "issue_form": IssueForm(initial={"key": uuid.uuid4().hex}) if user_can_issue else None,
    }
