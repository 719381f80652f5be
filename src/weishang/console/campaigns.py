"""Brand console: campaigns (微活动 / 预售 / 礼盒) — made as drafts, published, ended early, and
their results: paid orders, GMV, new customers, the distributors whose customers bought, and the
pre-sale's orders waiting to ship. The owner and operators act; every other role reads. Each act
is audited by the campaigns service."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.campaigns import selectors as campaign_reads
from weishang.campaigns import services as campaigns
from weishang.campaigns.models import Campaign, CampaignKind, CampaignStatus
from weishang.catalog.models import Sku
from weishang.catalog.services import MAX_PRICE_FEN
from weishang.inputs import IntegerField, text_field
from weishang.loyalty.models import MemberTier
from weishang.money import AmountError, format_fen, parse_yuan

from .forms import _datetime_field
from .freight import _FenField
from .views import _attempt, _form_errors, _page, staff_post, staff_required

MAX_ITEMS = 20


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    name = text_field(Campaign, "name", label=gettext_lazy("Name"), required=True)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    starts_at = _datetime_field(gettext_lazy("Starts"))
    ends_at = _datetime_field(gettext_lazy("Ends"))
    per_customer_limit = IntegerField(
        label=gettext_lazy("Limit per customer"), min_value=1, max_value=campaigns.MAX_UNITS
    )
    stock_units = IntegerField(
        label=gettext_lazy("Campaign stock"),
        min_value=1,
        max_value=campaigns.MAX_UNITS,
        help_text=gettext_lazy("Units in all (boxes for a gift box)."),
    )
    target_units = IntegerField(
        label=gettext_lazy("Pre-sale target (units)"),
        min_value=1,
        max_value=campaigns.MAX_UNITS,
        required=False,
        help_text=gettext_lazy(
            "Pre-sales only: reached by the end, the orders ship; else all are refunded."
        ),
    )
    min_tier = forms.ModelChoiceField(
        label=gettext_lazy("Member-only events: open from this tier up"),
        queryset=MemberTier.objects.all(),
        required=False,
    )
    box_price = _FenField(
        label=gettext_lazy("Gift box price (yuan)"), max_length=20, required=False
    )
    items = forms.CharField(
        label=gettext_lazy("SKUs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=gettext_lazy(
            "One SKU a line: its code and the campaign price in yuan (SKU-1, 29.90); for a gift "
            "box its code and how many a box holds (SKU-1, 2)."
        ),
    )
    exclude_from_commission = forms.BooleanField(
        label=gettext_lazy("Excluded from commission (its orders earn distributors nothing)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        raw = data.get("items") or ""
        kind = data.get("kind")
        rows = [line.strip() for line in raw.splitlines() if line.strip()]
        if len(rows) > MAX_ITEMS:
            raise forms.ValidationError(_("At most %(n)d SKUs a campaign.") % {"n": MAX_ITEMS})
        parsed = []
        for row in rows:
            parts = [p.strip() for p in row.replace("，", ",").split(",")]
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(
                    _("Line “%(line)s”: write the SKU code, a comma, then the price or quantity.")
                    % {"line": row[:40]}
                )
            parsed.append(parts)
        skus = {s.code: s.pk for s in Sku.objects.filter(code__in=[p[0] for p in parsed])}
        items = []
        for code, value in parsed:
            if code not in skus:
                raise forms.ValidationError(_("There is no SKU %(code)s.") % {"code": code[:40]})
            if kind == CampaignKind.GIFT_BOX:
                if not value.isascii() or not value.isdigit():
                    raise forms.ValidationError(
                        _("%(code)s: how many a box holds is a whole number.") % {"code": code}
                    )
                items.append(campaigns.ItemInput(sku_id=skus[code], quantity=int(value)))
            else:
                try:
                    fen = parse_yuan(value)
                except AmountError as error:
                    raise forms.ValidationError(f"{code}: {error.message}") from None
                if not 0 < fen <= MAX_PRICE_FEN:
                    raise forms.ValidationError(
                        _("%(code)s: enter a campaign price above zero.") % {"code": code}
                    )
                items.append(campaigns.ItemInput(sku_id=skus[code], price_fen=fen))
        data["item_inputs"] = items
        return data


def _initial(campaign: Campaign) -> dict:
    rows = []
    for item in campaign.items.select_related("sku"):
        value = (
            item.quantity
            if campaign.kind == CampaignKind.GIFT_BOX
            else (format_fen(item.price_fen).lstrip("¥"))
        )
        rows.append(f"{item.sku.code}, {value}")
    return {
        "kind": campaign.kind,
        "name": campaign.name,
        "description": campaign.description,
        "starts_at": timezone.localtime(campaign.starts_at),
        "ends_at": timezone.localtime(campaign.ends_at),
        "per_customer_limit": campaign.per_customer_limit,
        "stock_units": campaign.stock_units,
        "target_units": campaign.target_units,
        "min_tier": campaign.min_tier_id,
        "box_price": format_fen(campaign.box_price_fen).lstrip("¥")
        if campaign.box_price_fen
        else "",
        "items": "\n".join(rows),
        "exclude_from_commission": campaign.exclude_from_commission,
    }


def _save(request, form, campaign=None):
    data = form.cleaned_data
    return campaigns.save_campaign(
        actor=request.user,
        campaign=campaign,
        kind=data["kind"],
        name=data["name"],
        description=data["description"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        per_customer_limit=data["per_customer_limit"],
        stock_units=data["stock_units"],
        exclude_from_commission=data["exclude_from_commission"],
        target_units=data["target_units"],
        min_tier=data["min_tier"],
        box_price_fen=data["box_price"],
        items=data["item_inputs"],
    )


@staff_required
def campaign_list(request):
    return render(
        request,
        "console/campaigns/list.html",
        {"page": _page(request, campaign_reads.console_campaigns()), "nav": "campaigns"},
    )


@staff_required
def campaign_new(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            saved = []
            if _attempt(
                request,
                lambda: saved.append(_save(request, form)),
                _("The campaign is saved as a draft."),
            ):
                return redirect("console:campaign_detail", campaign_id=saved[0].pk)
    return render(
        request, "console/campaigns/form.html", {"form": form, "campaign": None, "nav": "campaigns"}
    )


@staff_required
def campaign_edit(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = CampaignForm(request.POST or None, initial=_initial(campaign))
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(request, lambda: _save(request, form, campaign), _("The campaign is saved.")):
            return redirect("console:campaign_detail", campaign_id=campaign.pk)
    return render(
        request,
        "console/campaigns/form.html",
        {"form": form, "campaign": campaign, "nav": "campaigns"},
    )


@staff_required
def campaign_detail(request, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("min_tier"), pk=campaign_id)
    return render(
        request,
        "console/campaigns/detail.html",
        {
            "campaign": campaign,
            "offer": campaign_reads.offer(campaign),
            "results": campaign_reads.results(campaign),
            "progress": campaign_reads.presale_progress(campaign),
            "page": _page(request, campaign_reads.campaign_orders(campaign)),
            "is_draft": campaign.status == CampaignStatus.DRAFT,
            "is_published": campaign.status == CampaignStatus.PUBLISHED,
            "nav": "campaigns",
        },
    )


@staff_post
def campaign_publish(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    _attempt(
        request,
        lambda: campaigns.publish_campaign(actor=request.user, campaign=campaign),
        _("The campaign is published: the store shows it."),
    )
    return redirect("console:campaign_detail", campaign_id=campaign.pk)


@staff_post
def campaign_end(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    _attempt(
        request,
        lambda: campaigns.end_campaign(actor=request.user, campaign=campaign),
        _("The campaign has ended: it takes no more orders."),
    )
    return redirect("console:campaign_detail", campaign_id=campaign.pk)
