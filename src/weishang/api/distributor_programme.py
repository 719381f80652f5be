"""The distributor's programmes over JSON: reseller mode (his standing, applying, the brand's open
bands with his own prices, his markup) and his team (his team and its leader, as a leader the
team's figures and each member's own, the courses assigned, leaving it). Only his own rows: the
distributor comes from the token. Each endpoint calls what the distributor console's pages call
(``console.distributor_reseller``, ``console.distributor_team``).

A leader's figures carry no personal data (PIPL Art. 6): a member's store name and his counts,
never a customer's name or number nor a member's real name or ID number. Nobody's pay depends on
a team (《禁止传销条例》Art. 7(3)): pay stays each member's own direct commission."""

from datetime import datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from weishang.analytics.fold import folded
from weishang.catalog.models import Sku
from weishang.console.distributor_reseller import CHOOSE_SKU
from weishang.reseller import selectors as reseller_selectors
from weishang.reseller import services as reseller_services
from weishang.reseller.models import Listing
from weishang.reseller.rules import MAX_PRICE_FEN
from weishang.teams import selectors as team_selectors
from weishang.teams import services as teams
from weishang.teams.models import Team

from . import auth, idempotency
from .distributor_figures import PeriodOut, PeriodQuery, chosen_period
from .errors import ERRORS, ApiError
from .schemas import Id, Text

router = Router(tags=["distributor"], auth=auth.DistributorAuth())


# Reseller mode -----------------------------------------------------------------------------------


class MarkupOut(Schema):
    pending_fen: int = Field(description="Markup earned, until the order's return window closes.")
    available_fen: int = Field(description="Markup settled, withdrawable with his commission.")
    reversed_fen: int = Field(description="Markup taken back by refunds.")
    earned_fen: int = Field(description="Pending and settled together, net of refunds.")


class ResellerStanding(Schema):
    status: str = Field(description="none, applied, approved or revoked.")
    status_label: str
    reason: str = Field(description="Why the brand ended his standing (revoked), else empty.")
    applied_at: datetime | None
    decided_at: datetime | None
    markup: MarkupOut


def _standing(distributor) -> dict:
    reseller = reseller_selectors.reseller_of(distributor)
    markup = reseller_selectors.markup_totals([distributor.pk])[distributor.pk]
    if reseller is None:
        status, label = "none", pgettext("reseller status", "not a reseller")
    else:
        status, label = reseller.status, reseller.get_status_display()
    return {
        "status": status,
        "status_label": str(label),
        "reason": reseller.reason if reseller is not None else "",
        "applied_at": reseller.applied_at if reseller is not None else None,
        "decided_at": reseller.decided_at if reseller is not None else None,
        "markup": {f"{name}_fen": value for name, value in markup.items()},
    }


@router.get("/reseller", response={200: ResellerStanding, **ERRORS})
def reseller(request):
    """His reseller standing (none, applied, approved or revoked, with why) and the markup he
    earned: his price less the supply price on each unit sold at his price."""
    return _standing(request.distributor)


@router.post("/reseller/apply", response={200: ResellerStanding, **ERRORS})
def reseller_apply(request):
    """He asks to resell the brand's products at his own price; the brand decides. Free, and no
    purchase is asked of him (不压货). Applying again while applied or approved changes nothing."""
    reseller_services.apply_as_reseller(distributor=request.distributor)
    return _standing(request.distributor)


class ListingOut(Schema):
    price_fen: int
    status: str = Field(description="active, suspended (outside a new band) or withdrawn.")
    status_label: str
    note: str = Field(description="Why the brand suspended it, if it did.")
    markup_fen: int | None = Field(description="What one unit sold at his price earns him now.")


class OfferRowOut(Schema):
    sku_id: int
    sku_code: str
    sku_name: str
    product_id: int
    product_name: str
    supply_fen: int = Field(description="The band's floor: the brand's supply price.")
    ceiling_fen: int = Field(description="The band's ceiling: the highest price he may set.")
    listing: ListingOut | None = Field(description="His price for it; None when he has none.")


class SuspendedOut(Schema):
    sku_id: int
    sku_code: str
    product_name: str
    sku_name: str
    price_fen: int
    note: str


class OfferOut(Schema):
    rows: list[OfferRowOut] = Field(description="Every SKU the brand offers to resellers.")
    suspended: list[SuspendedOut] = Field(
        description="His prices the brand's new band no longer admits: set a new one."
    )


def _listing(listing: Listing | None, supply_fen: int) -> dict | None:
    if listing is None:
        return None
    active = listing.status == Listing.Status.ACTIVE
    return {
        "price_fen": listing.price_fen,
        "status": listing.status,
        "status_label": str(listing.get_status_display()),
        "note": listing.note,
        "markup_fen": listing.price_fen - supply_fen if active else None,
    }


def _offer_row(row) -> dict:
    return {
        "sku_id": row.sku.pk,
        "sku_code": row.sku.code,
        "sku_name": row.sku.name,
        "product_id": row.sku.product_id,
        "product_name": row.sku.product.name,
        "supply_fen": row.supply_fen,
        "ceiling_fen": row.ceiling_fen,
        "listing": _listing(row.listing, row.supply_fen),
    }


def _approved(distributor) -> None:
    """A distributor the brand has not approved as a reseller has no offer to read."""
    if not reseller_selectors.is_approved(reseller_selectors.reseller_of(distributor)):
        raise ApiError(
            _("Only a reseller the brand approved can set his own prices."),
            code="not_reseller",
            status=403,
        )


@router.get("/reseller/offer", response={200: OfferOut, **ERRORS})
def reseller_offer(request):
    """The products the brand offers to resellers, each with its band (supply price to ceiling)
    and his price if he set one; and his prices a new band suspended. An approved reseller's."""
    distributor = request.distributor
    _approved(distributor)
    return {
        "rows": [_offer_row(row) for row in reseller_selectors.offer_for(distributor)],
        "suspended": [
            {
                "sku_id": listing.sku_id,
                "sku_code": listing.sku.code,
                "product_name": listing.sku.product.name,
                "sku_name": listing.sku.name,
                "price_fen": listing.price_fen,
                "note": listing.note,
            }
            for listing in reseller_selectors.suspended_listings(distributor)
        ],
    }


class PriceIn(Schema):
    sku_id: Id
    price_fen: Annotated[int, Field(ge=1, le=MAX_PRICE_FEN)] = Field(
        description="His price for one unit, from the band's supply price to its ceiling."
    )


def _sku(sku_id: int) -> Sku:
    sku = Sku.objects.filter(pk=sku_id).first()
    if sku is None:
        raise ApiError(CHOOSE_SKU, code="no_sku", status=404, field="sku_id")
    return sku


def _priced_row(listing: Listing) -> dict:
    """The offer's row of the SKU he just priced, read from his listing and its band (the SKU
    may be off sale, so not in ``offer_for``, and still priced)."""
    sku = Sku.objects.select_related("product", "reseller_pricing").get(pk=listing.sku_id)
    pricing = sku.reseller_pricing
    return _offer_row(
        reseller_selectors.OfferRow(sku, pricing.supply_fen, pricing.ceiling_fen, listing)
    )


@router.post("/reseller/prices", response={200: OfferRowOut, **ERRORS})
def reseller_set_price(request, payload: PriceIn, idempotency_key: idempotency.IdempotencyKey):
    """Sells the SKU at his own price, for new orders from now on (placed orders keep theirs).
    A price outside the brand's band is refused (``below_supply``, ``above_ceiling``) with the
    band's numbers, and nothing changes; so is a SKU the brand does not offer (``band_closed``)."""
    distributor = request.distributor

    def act():
        listing = reseller_services.set_price(
            distributor=distributor, sku=_sku(payload.sku_id), price_fen=payload.price_fen
        )
        return 200, _priced_row(listing)

    return idempotency.run(
        request, principal=f"distributor:{distributor.pk}", key=idempotency_key, act=act
    )


class WithdrawnOut(Schema):
    sku_id: int
    status: str
    status_label: str


@router.post("/reseller/prices/{sku_id}/withdraw", response={200: WithdrawnOut, **ERRORS})
def reseller_withdraw(request, sku_id: Id):
    """He stops reselling the SKU: his store shows the brand's price again. A SKU he does not
    resell is refused (``not_listed``)."""
    listing = reseller_services.withdraw_listing(distributor=request.distributor, sku=_sku(sku_id))
    return {
        "sku_id": listing.sku_id,
        "status": listing.status,
        "status_label": str(listing.get_status_display()),
    }


# His team ----------------------------------------------------------------------------------------


def _pay_rule() -> str:
    return _(
        "Pay stays each member's own direct commission on his own sales: nothing is computed "
        "from this team's sales or size, and its leader earns nothing from them "
        "(《禁止传销条例》Art. 7(3))."
    )


def _no_team() -> ApiError:
    return ApiError(
        _(
            "You are in no team. The brand puts distributors in teams; a team's leader helps its "
            "members get started and learn."
        ),
        code="no_team",
        status=404,
    )


class LeaderOut(Schema):
    kind: str = Field(description="distributor or staff.")
    kind_label: str
    name: str = Field(description="A distributor leader's store name, a staff leader's username.")


class TeamCourseOut(Schema):
    id: int
    title: str
    lesson_count: int


class TeamOut(Schema):
    id: int
    name: str
    role: str = Field(description="leader or member: what he is in the team.")
    role_label: str
    leader: LeaderOut
    pay_rule: str = Field(description="Pay stays each member's own direct commission.")
    courses: list[TeamCourseOut] = Field(description="The courses assigned to the team.")
    courses_to_assign: list[TeamCourseOut] = Field(
        description="A leader's: the brand's published courses not yet assigned; empty else."
    )


def _leader(team: Team) -> dict:
    if team.leader_distributor_id is not None:
        return {
            "kind": "distributor",
            "kind_label": pgettext("team leader", "distributor"),
            "name": team.leader_distributor.store_name,
        }
    return {
        "kind": "staff",
        "kind_label": pgettext("team leader", "brand staff"),
        "name": team.leader_staff.username,
    }


def _course(course) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "lesson_count": getattr(course, "lesson_count", 0),
    }


def _led(distributor) -> Team:
    led = team_selectors.team_led_by_distributor(distributor)
    if led is None:
        raise ApiError(_("You do not lead a team."), code="not_leader", status=403)
    return led


@router.get("/team", response={200: TeamOut, **ERRORS})
def team(request):
    """The team he leads or is in, its leader, the rule that pay stays each member's own
    commission, and the courses assigned (to a leader also those he may assign). A distributor
    in no team is answered 404 ``no_team``."""
    distributor = request.distributor
    led = team_selectors.team_led_by_distributor(distributor)
    if led is not None:
        found, role, role_label = led, "leader", pgettext("team role", "leader")
        to_assign = [_course(course) for course in team_selectors.courses_to_assign(led)]
    else:
        membership = team_selectors.membership_of(distributor)
        if membership is None:
            raise _no_team()
        found, role, role_label = membership.team, "member", pgettext("team role", "member")
        to_assign = []
    return {
        "id": found.pk,
        "name": found.name,
        "role": role,
        "role_label": role_label,
        "leader": _leader(found),
        "pay_rule": _pay_rule(),
        "courses": [_course(course) for course in team_selectors.assigned_courses(found)],
        "courses_to_assign": to_assign,
    }


class TeamFiguresOut(Schema):
    members: int
    sales_fen: int
    orders: int
    customers: int = Field(description="How many customers bought, counted, never named.")
    courses_assigned: int
    courses_done: int = Field(description="Assigned courses completed, over all members.")
    training_bp: int = Field(description="courses_done over members × courses (10000 = all).")


class MemberFiguresOut(Schema):
    distributor_id: int
    store_name: str
    active: bool
    status_label: str
    joined_at: datetime
    sales_fen: int
    orders: int
    customers: int
    courses_done: int
    courses_assigned: int


class TeamFiguresPage(Schema):
    period: PeriodOut
    team: TeamFiguresOut
    members: list[MemberFiguresOut] = Field(description="Each member's own, best seller first.")


@router.get("/team/figures", response={200: TeamFiguresPage, **ERRORS})
@folded
def team_figures(request, query: Annotated[PeriodQuery, Query()]):
    """A leader's: his team's aggregate figures for a period (this month when absent) and each
    member's own — store name, sales, orders, customers counted, courses done; never a customer's
    name or number nor a member's real name or ID number. Another is refused ``not_leader``."""
    led = _led(request.distributor)
    period = chosen_period(query)
    figures, members = team_selectors.team_page(led, period)
    return {
        "period": {"first": period.first, "last": period.last},
        "team": vars(figures),
        "members": [vars(row) for row in members],
    }


class CourseIn(Schema):
    course_id: Id


@router.post("/team/courses", response={201: TeamCourseOut, **ERRORS})
def team_assign_course(request, payload: CourseIn):
    """A leader asks every member of his team to take one of the brand's published courses."""
    assignment = teams.leader_assigns_course(
        leader=request.distributor, course_id=payload.course_id, now=timezone.now()
    )
    course = next(
        course
        for course in team_selectors.assigned_courses(assignment.team)
        if course.pk == assignment.course_id
    )
    return Status(201, _course(course))


@router.delete("/team/courses/{course_id}", response={204: None, **ERRORS})
def team_unassign_course(request, course_id: Id):
    """A leader no longer asks his members to take the course."""
    teams.leader_unassigns_course(leader=request.distributor, course_id=course_id)
    return Status(204, None)


class LeaveIn(Schema):
    reason: Text(300) = Field("", description="Why he leaves (optional), kept with the record.")


class LeftOut(Schema):
    team: str = Field(description="The team he left.")
    left_at: datetime


@router.post("/team/leave", response={200: LeftOut, **ERRORS})
def team_leave(request, payload: LeaveIn, idempotency_key: idempotency.IdempotencyKey):
    """He leaves his team himself (recorded as his own act). A leader leads his team until the
    brand names another; a distributor in no team is refused ``not_member``."""
    distributor = request.distributor

    def act():
        event = teams.leave_team(distributor=distributor, reason=payload.reason, now=timezone.now())
        return 200, {"team": event.team.name, "left_at": event.at}

    return idempotency.run(
        request, principal=f"distributor:{distributor.pk}", key=idempotency_key, act=act
    )
