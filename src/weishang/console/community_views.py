"""Brand console: city stations and their opinion leaders, customer tags and rule segments with
their live sizes. Operators and the owner act (``roles`` area "community"); every role reads.
Each act is audited by its community service. Lists of customers are minimised for every role
(masked mobile and name, the city only), as on the customers list; a customer's own page decides
who sees more."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.community import selectors
from weishang.community import services as community
from weishang.community.models import OpinionLeader, Segment, Station, Tag
from weishang.core_errors import DomainError
from weishang.customers.models import Customer
from weishang.customers.rules import mask_mobile, mask_name
from weishang.inputs import IntegerField, text_field
from weishang.loyalty.models import MemberTier

from . import roles
from .coupons import _AsciiModelChoiceField
from .views import _attempt, _back, _form_errors, _page, staff_post, staff_required

MEMBERS_SHOWN = 50
# Each segment on the list is counted live, one query each: a page holds twenty.
SEGMENTS_PER_PAGE = 20


class StationForm(forms.Form):
    name = text_field(Station, "name", label=gettext_lazy("Station name"), required=True)
    province = text_field(Station, "province", label=gettext_lazy("Province"), required=True)
    city = text_field(
        Station,
        "city",
        label=gettext_lazy("City"),
        required=True,
        help_text=gettext_lazy("As in delivery addresses, e.g. 郑州 (郑州市 is the same)."),
    )
    intro = text_field(
        Station,
        "intro",
        label=gettext_lazy("Introduction (customers see it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LeaderForm(forms.Form):
    mobile = forms.CharField(label=gettext_lazy("Customer mobile"), max_length=20)
    title = text_field(
        OpinionLeader, "title", label=gettext_lazy("Title (customers see it), e.g. 团长")
    )


class TagForm(forms.Form):
    name = text_field(Tag, "name", label=gettext_lazy("Tag"), required=True)


class CustomerTagForm(forms.Form):
    tag = _AsciiModelChoiceField(label=gettext_lazy("Tag"), queryset=Tag.objects.all())


class CustomerStationForm(forms.Form):
    station = _AsciiModelChoiceField(
        label=gettext_lazy("City station"), queryset=selectors.open_stations()
    )


def _days_field(label):
    return IntegerField(label=label, min_value=1, max_value=community.MAX_DAYS, required=False)


class SegmentForm(forms.Form):
    name = text_field(Segment, "name", label=gettext_lazy("Segment name"), required=True)
    min_orders = IntegerField(
        label=gettext_lazy("At least this many orders"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=gettext_lazy("Paid orders not cancelled or refunded in full."),
    )
    ordered_within_days = _days_field(gettext_lazy("Ordered in the last (days)"))
    no_order_days = _days_field(gettext_lazy("No order in the last (days)"))
    city = text_field(Segment, "city", label=gettext_lazy("City of the default address"))
    station = _AsciiModelChoiceField(
        label=gettext_lazy("City station"), queryset=Station.objects.all(), required=False
    )
    min_tier = _AsciiModelChoiceField(
        label=gettext_lazy("Member tier at least"),
        queryset=MemberTier.objects.all(),
        required=False,
    )
    tag = _AsciiModelChoiceField(
        label=gettext_lazy("Tag"), queryset=Tag.objects.all(), required=False
    )

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "min_orders": data.get("min_orders"),
            "ordered_within_days": data.get("ordered_within_days"),
            "no_order_days": data.get("no_order_days"),
            "city": data.get("city", ""),
            "station_id": data["station"].pk if data.get("station") else None,
            "min_tier_id": data["min_tier"].pk if data.get("min_tier") else None,
            "tag_id": data["tag"].pk if data.get("tag") else None,
        }

    @staticmethod
    def initial_for(segment: Segment) -> dict:
        return {
            "name": segment.name,
            "min_orders": segment.min_orders,
            "ordered_within_days": segment.ordered_within_days,
            "no_order_days": segment.no_order_days,
            "city": segment.city,
            "station": segment.station_id,
            "min_tier": segment.min_tier_id,
            "tag": segment.tag_id,
        }


def _or_404(model, pk):
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _masked(customer: Customer) -> dict:
    return {
        "pk": customer.pk,
        "mobile": mask_mobile(customer.mobile),
        "nickname": mask_name(customer.nickname),
    }


# Stations ----------------------------------------------------------------------------------------


@staff_required
def station_list(request):
    """Every station with its members and leaders, and the form to add one."""
    if request.method == "POST":
        form = StationForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: community.create_station(
                actor=request.user, now=timezone.now(), **form.cleaned_data
            ),
            _("The station %(name)s is added.") % {"name": form.cleaned_data["name"]},
        ):
            return redirect("console:station_list")
    else:
        form = StationForm()
    page = _page(request, selectors.stations_for_console())
    for station in page:
        station.leaders_shown = [_masked(leader.customer) for leader in station.leaders.all()]
    return render(
        request,
        "console/community/stations.html",
        {"page": page, "form": form, "nav": "stations"},
    )


@staff_required
def station_detail(request, station_id: int):
    """A station's leaders and member count, the form to appoint a leader and to edit it."""
    try:
        station = selectors.station_with_leaders(station_id)
    except Station.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        form = StationForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: community.edit_station(
                actor=request.user, station_id=station.pk, **form.cleaned_data
            ),
            _("The station is saved."),
        ):
            return redirect("console:station_detail", station_id=station.pk)
    else:
        form = StationForm(
            initial={name: getattr(station, name) for name in community.STATION_FIELDS}
        )
    leaders = [
        {
            **_masked(leader.customer),
            "id": leader.pk,
            "title": leader.title,
            "since": leader.appointed_at,
        }
        for leader in station.leaders.all()
    ]
    return render(
        request,
        "console/community/station.html",
        {
            "station": station,
            "leaders": leaders,
            "form": form,
            "leader_form": LeaderForm(),
            "nav": "stations",
        },
    )


@staff_post
def station_close(request, station_id: int):
    station = _or_404(Station, station_id)
    _attempt(
        request,
        lambda: community.close_station(actor=request.user, station_id=station.pk),
        _("The station is closed: nobody joins it any more; its members stay."),
    )
    return redirect("console:station_detail", station_id=station.pk)


@staff_post
def leader_appoint(request, station_id: int):
    station = _or_404(Station, station_id)
    form = LeaderForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: community.appoint_leader(
                actor=request.user, station_id=station.pk, now=timezone.now(), **form.cleaned_data
            ),
            _("The opinion leader is appointed."),
        )
    return redirect("console:station_detail", station_id=station.pk)


@staff_post
def leader_remove(request, leader_id: int):
    leader = _or_404(OpinionLeader, leader_id)
    _attempt(
        request,
        lambda: community.remove_leader(actor=request.user, leader_id=leader.pk),
        _("The opinion leader is removed."),
    )
    return redirect("console:station_detail", station_id=leader.station_id)


# Tags --------------------------------------------------------------------------------------------


@staff_required
def tag_list(request):
    if request.method == "POST":
        form = TagForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: community.create_tag(
                actor=request.user, name=form.cleaned_data["name"], now=timezone.now()
            ),
            _("The tag is added."),
        ):
            return redirect("console:tag_list")
    else:
        form = TagForm()
    return render(
        request,
        "console/community/tags.html",
        {"page": _page(request, selectors.tags_for_console()), "form": form, "nav": "tags"},
    )


@staff_post
def tag_rename(request, tag_id: int):
    tag = _or_404(Tag, tag_id)
    form = TagForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: community.rename_tag(
                actor=request.user, tag_id=tag.pk, name=form.cleaned_data["name"]
            ),
            _("The tag is renamed."),
        )
    return redirect("console:tag_list")


@staff_post
def tag_delete(request, tag_id: int):
    tag = _or_404(Tag, tag_id)
    _attempt(
        request,
        lambda: community.delete_tag(actor=request.user, tag_id=tag.pk),
        _("The tag is deleted and taken off every customer."),
    )
    return redirect("console:tag_list")


# A customer's tags and station, from his CRM page ------------------------------------------------


def customer_community_context(user, customer_id: int) -> dict:
    """The community part of the CRM customer page: his station and tags and, for the roles
    that may change them, the choices (two queries)."""
    stations = list(selectors.stations_marked_for(customer_id))
    tags = list(selectors.tags_marked_for(customer_id))
    return {
        "community_station": next((s for s in stations if s.mine), None),
        "community_tags": [tag for tag in tags if tag.held],
        "community_writer": roles.user_can(user, "customer_tag", "POST"),
        "open_stations": [station for station in stations if station.is_open],
        "tags_to_add": [tag for tag in tags if not tag.held],
    }


def _customer_page(customer_id: int) -> str:
    return reverse("console:customer_detail", args=[customer_id])


def _customer_act(request, customer_id: int, form_class, act, done) -> HttpResponse:
    """A staff act on one customer from his console page: ``act(customer, cleaned_data)`` when
    the form is valid, then back to his page with the outcome."""
    customer = _or_404(Customer, customer_id)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(request, lambda: act(customer, form.cleaned_data), done)
    return _back(request, _customer_page(customer.pk))


@staff_post
def customer_tag(request, customer_id: int):
    return _customer_act(
        request,
        customer_id,
        CustomerTagForm,
        lambda customer, data: community.tag_customer(
            actor=request.user, customer_id=customer.pk, tag_id=data["tag"].pk, now=timezone.now()
        ),
        _("The tag is added to the customer."),
    )


@staff_post
def customer_untag(request, customer_id: int):
    return _customer_act(
        request,
        customer_id,
        CustomerTagForm,
        lambda customer, data: community.untag_customer(
            actor=request.user, customer_id=customer.pk, tag_id=data["tag"].pk
        ),
        _("The tag is taken off the customer."),
    )


@staff_post
def customer_station(request, customer_id: int):
    return _customer_act(
        request,
        customer_id,
        CustomerStationForm,
        lambda customer, data: community.set_customer_station(
            actor=request.user,
            customer_id=customer.pk,
            station_id=data["station"].pk,
            now=timezone.now(),
        ),
        _("The customer's city station is set."),
    )


# Segments ----------------------------------------------------------------------------------------


def describe(segment: Segment) -> list[str]:
    """The segment's conditions in words."""
    words = []
    if segment.min_orders:
        words.append(_("at least %(n)d orders") % {"n": segment.min_orders})
    if segment.ordered_within_days:
        words.append(_("ordered in the last %(n)d days") % {"n": segment.ordered_within_days})
    if segment.no_order_days:
        words.append(_("no order in the last %(n)d days") % {"n": segment.no_order_days})
    if segment.city:
        words.append(_("default address in %(city)s") % {"city": segment.city})
    if segment.station_id:
        words.append(_("member of the station %(name)s") % {"name": segment.station.name})
    if segment.min_tier_id:
        words.append(_("tier %(name)s or above") % {"name": segment.min_tier.name})
    if segment.tag_id:
        words.append(_("tagged %(name)s") % {"name": segment.tag.name})
    return words or [_("every customer")]


@staff_required
def segment_list(request):
    """Every segment with its size counted now: one count per segment on the page."""
    now = timezone.now()
    page = Paginator(selectors.segments_for_console(), SEGMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for segment in page:
        segment.size = selectors.segment_size(segment, now=now)
        segment.described = describe(segment)
    return render(request, "console/community/segments.html", {"page": page, "nav": "segments"})


def _segment_form_page(request, segment: Segment | None):
    if request.method == "POST":
        form = SegmentForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            try:
                saved = community.save_segment(
                    actor=request.user,
                    terms=form.terms(),
                    segment_id=segment.pk if segment else None,
                    now=timezone.now(),
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The segment is saved."))
                return redirect("console:segment_detail", segment_id=saved.pk)
    else:
        form = SegmentForm(initial=SegmentForm.initial_for(segment) if segment else None)
    return render(
        request,
        "console/community/segment_form.html",
        {"form": form, "segment": segment, "nav": "segments"},
    )


@staff_required
def segment_new(request):
    return _segment_form_page(request, None)


@staff_required
def segment_edit(request, segment_id: int):
    return _segment_form_page(request, _or_404(Segment, segment_id))


@staff_required
def segment_detail(request, segment_id: int):
    """The segment's size now and its first members, minimised."""
    segment = selectors.segments_for_console().filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    members = selectors.customers_in(segment, now=timezone.now()).order_by("pk")
    shown = list(members.select_related(None).only("pk", "mobile", "nickname")[:MEMBERS_SHOWN])
    size = len(shown) if len(shown) < MEMBERS_SHOWN else members.count()
    return render(
        request,
        "console/community/segment.html",
        {
            "segment": segment,
            "described": describe(segment),
            "size": size,
            "members": [_masked(customer) for customer in shown],
            "nav": "segments",
        },
    )


@staff_post
def segment_delete(request, segment_id: int):
    segment = _or_404(Segment, segment_id)
    if _attempt(
        request,
        lambda: community.delete_segment(actor=request.user, segment_id=segment.pk),
        _("The segment is deleted."),
    ):
        return redirect("console:segment_list")
    return redirect("console:segment_detail", segment_id=segment.pk)
