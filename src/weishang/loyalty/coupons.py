"""Coupons: the brand's templates, issuing them (by hand, to a segment, by rule, as a share
reward, or claimed by the customer in the coupon centre) and using them on an order.

Issuing locks the template row and counts what was issued under that lock, so neither the total
quota nor the per-customer limit can be passed by concurrent claims; every coupon is issued once
per idempotency key (a unique column).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from weishang.catalog.models import Category, Product
from weishang.compliance import audit
from weishang.customers.models import Customer
from weishang.orders.models import Order, OrderLine
from weishang.transactions import step

from .coupon_rules import CouponTerms
from .coupon_selectors import what_it_gives
from .errors import LoyaltyError
from .locks import lock_coupons, lock_coupons_of_order, lock_template
from .models import (
    Coupon,
    CouponKind,
    CouponRule,
    CouponScope,
    CouponSource,
    CouponTemplate,
    SegmentKind,
)

Occasion = CouponRule.Occasion
RULE_SOURCES = {
    Occasion.NEW_MEMBER: CouponSource.NEW_MEMBER,
    Occasion.TIER_UPGRADE: CouponSource.TIER_UPGRADE,
    Occasion.BIRTHDAY: CouponSource.BIRTHDAY,
}
TEMPLATE_FIELDS = (
    "name",
    "kind",
    "amount_off_fen",
    "percent_off_bp",
    "cap_fen",
    "threshold_fen",
    "scope",
    "valid_from",
    "valid_until",
    "valid_days",
    "per_customer_limit",
    "quota",
    "stackable",
    "claimable",
)


class CouponError(LoyaltyError):
    pass


# Templates ---------------------------------------------------------------------------------------


def _snapshot(template: CouponTemplate, product_ids, category_ids) -> dict:
    values = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    values["products"] = sorted(product_ids)
    values["categories"] = sorted(category_ids)
    return values


def _check_terms(terms: dict, product_ids: list, category_ids: list) -> None:
    """What the database constraints also refuse, said in words before it gets that far."""
    if terms["kind"] == CouponKind.AMOUNT_OFF and terms["amount_off_fen"] <= 0:
        raise CouponError(_("An amount-off coupon takes off more than 0."))
    if terms["kind"] == CouponKind.PERCENT_OFF and not 0 < terms["percent_off_bp"] <= 10000:
        raise CouponError(_("A percent-off coupon takes off more than 0 % and at most 100 %."))
    if terms["valid_days"] is None:
        if not (terms["valid_from"] and terms["valid_until"]):
            raise CouponError(_("Give the coupon a window or a number of days from issue."))
        if terms["valid_until"] <= terms["valid_from"]:
            raise CouponError(_("The coupon's window ends before it starts."))
    if terms["scope"] == CouponScope.PRODUCTS and not product_ids:
        raise CouponError(_("Choose the products the coupon applies to."))
    if terms["scope"] == CouponScope.CATEGORIES and not category_ids:
        raise CouponError(_("Choose the categories the coupon applies to."))


def _clean_terms(terms: dict, product_ids, category_ids):
    terms = {name: terms.get(name) for name in TEMPLATE_FIELDS}
    terms["stackable"], terms["claimable"] = bool(terms["stackable"]), bool(terms["claimable"])
    terms["per_customer_limit"] = terms["per_customer_limit"] or 1
    if terms["kind"] == CouponKind.AMOUNT_OFF:
        terms.update(percent_off_bp=0, cap_fen=None)
    else:
        terms["amount_off_fen"] = 0
    if terms["valid_days"] is not None:
        terms.update(valid_from=None, valid_until=None)
    terms["threshold_fen"] = terms["threshold_fen"] or 0
    product_ids = sorted(set(product_ids)) if terms["scope"] == CouponScope.PRODUCTS else []
    category_ids = sorted(set(category_ids)) if terms["scope"] == CouponScope.CATEGORIES else []
    _check_terms(terms, product_ids, category_ids)
    if Product.objects.filter(pk__in=product_ids).count() != len(product_ids):
        raise CouponError(_("One of the chosen products does not exist."))
    if Category.objects.filter(pk__in=category_ids).count() != len(category_ids):
        raise CouponError(_("One of the chosen categories does not exist."))
    return terms, product_ids, category_ids


@transaction.atomic(durable=True)
def save_coupon_template(
    *,
    actor,
    terms: dict,
    product_ids=(),
    category_ids=(),
    template_id: int | None = None,
    now: datetime,
) -> CouponTemplate:
    """Creates a template (``template_id`` None) or changes one. A change applies to coupons
    issued from now on; coupons already issued keep the window they were issued with."""
    terms, product_ids, category_ids = _clean_terms(terms, product_ids, category_ids)
    if template_id is None:
        template = CouponTemplate.objects.create(created_at=now, **terms)
        template.products.set(product_ids)
        template.categories.set(category_ids)
        audit.record(
            actor=actor,
            action="coupon_template.create",
            obj=template,
            after=_snapshot(template, product_ids, category_ids),
        )
        return template
    template = lock_template(template_id=template_id)
    before = _snapshot(
        template,
        template.products.values_list("pk", flat=True),
        template.categories.values_list("pk", flat=True),
    )
    for name, value in terms.items():
        setattr(template, name, value)
    template.save()
    template.products.set(product_ids)
    template.categories.set(category_ids)
    audit.record_change(
        actor=actor,
        action="coupon_template.update",
        obj=template,
        before=before,
        after=_snapshot(template, product_ids, category_ids),
    )
    return template


@transaction.atomic(durable=True)
def deactivate_coupon_template(*, actor, template_id: int) -> CouponTemplate:
    """No more coupons are issued or claimed from it; those issued stay usable in their window."""
    template = lock_template(template_id=template_id)
    if not template.is_active:
        raise CouponError(_("This coupon template is already inactive."))
    template.is_active = False
    template.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="coupon_template.deactivate",
        obj=template,
        before={"is_active": True},
        after={"is_active": False},
    )
    return template


@transaction.atomic(durable=True)
def set_coupon_rule(*, actor, rule: str, template_id: int | None) -> None:
    """Chooses the template issued on an occasion, or none (``template_id`` None)."""
    if rule not in Occasion.values:
        raise CouponError(_("Choose an occasion."))
    current = CouponRule.objects.filter(rule=rule).first()
    before = current.template_id if current else None
    if before == template_id:
        return
    if template_id is None:
        CouponRule.objects.filter(rule=rule).delete()
    else:
        if not CouponTemplate.objects.filter(pk=template_id, is_active=True).exists():
            raise CouponError(_("Choose an active coupon template."))
        CouponRule.objects.update_or_create(rule=rule, defaults={"template_id": template_id})
    audit.record(
        actor=actor,
        action="coupon_rule.set",
        object_type="loyalty.couponrule",
        object_id=rule,
        before={"template": before},
        after={"template": template_id},
    )


# Issuing -----------------------------------------------------------------------------------------


def _window(template: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    if template.valid_days is not None:
        return now, now + timedelta(days=template.valid_days)
    return template.valid_from, template.valid_until


def _issuable(template: CouponTemplate, now: datetime) -> None:
    if not template.is_active:
        raise CouponError(_("This coupon is no longer issued."), code="coupon_inactive")
    if template.valid_days is None and template.valid_until <= now:
        raise CouponError(_("This coupon's window has ended."), code="coupon_ended")


def _quota_left(template: CouponTemplate) -> int | None:
    """Coupons still issuable under the quota (None: no quota); the caller holds the lock."""
    if template.quota is None:
        return None
    return max(template.quota - Coupon.objects.filter(template=template).count(), 0)


@step
def issue_coupon(
    *, template_id: int, customer_id: int, source: str, key: str, now: datetime
) -> Coupon:
    """Issues one coupon once per key, within the quota and the customer's limit."""
    template = lock_template(template_id=template_id)
    existing = Coupon.objects.filter(key=key).first()
    if existing is not None:
        return existing
    _issuable(template, now)
    if _quota_left(template) == 0:
        raise CouponError(_("All of these coupons have been issued."), code="coupon_quota")
    held = Coupon.objects.filter(template=template, customer_id=customer_id).count()
    if held >= template.per_customer_limit:
        raise CouponError(
            _("This customer already holds as many of these coupons as one may (%(n)d).")
            % {"n": template.per_customer_limit},
            code="coupon_limit",
        )
    valid_from, valid_until = _window(template, now)
    return Coupon.objects.create(
        template=template,
        customer_id=customer_id,
        key=key,
        source=source,
        issued_at=now,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _issue_many(
    *,
    template: CouponTemplate,
    customer_ids,
    source: str,
    key_prefix: str,
    now: datetime,
    as_many_as_fit: bool = False,
) -> int:
    """One coupon to each customer not yet given one under this key prefix, in one insert; the
    caller holds the template's lock and has left out customers at their limit. When the quota
    falls short: refused, or (``as_many_as_fit``) the first customers by id get one."""
    done = set(
        Coupon.objects.filter(key__startswith=key_prefix).values_list("customer_id", flat=True)
    )
    customer_ids = [pk for pk in sorted(set(customer_ids)) if pk not in done]
    left = _quota_left(template)
    if left is not None and len(customer_ids) > left:
        if not as_many_as_fit:
            raise CouponError(
                _(
                    "The quota leaves %(left)d of these coupons; %(wanted)d customers would get "
                    "one. Raise the quota or narrow the segment."
                )
                % {"left": left, "wanted": len(customer_ids)},
                code="coupon_quota",
            )
        customer_ids = customer_ids[:left]
    valid_from, valid_until = _window(template, now)
    Coupon.objects.bulk_create(
        Coupon(
            template=template,
            customer_id=pk,
            key=f"{key_prefix}{pk}",
            source=source,
            issued_at=now,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for pk in customer_ids
    )
    return len(customer_ids)


def _below_limit(customers, template: CouponTemplate):
    """The customers who may still receive a coupon of this template."""
    return customers.annotate(
        held=Count("coupons", filter=Q(coupons__template=template), distinct=True)
    ).filter(held__lt=template.per_customer_limit)


@transaction.atomic(durable=True)
def issue_by_hand(*, actor, template_id: int, customer_id: int, key: str, now: datetime) -> Coupon:
    """A staff member gives one customer a coupon; ``key`` makes a resent form issue nothing."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CouponError(_("There is no such customer."))
    issued_before = Coupon.objects.filter(key=f"hand:{key}").exists()
    coupon = issue_coupon(
        template_id=template_id,
        customer_id=customer_id,
        source=CouponSource.BY_HAND,
        key=f"hand:{key}",
        now=now,
    )
    if issued_before:
        raise CouponError(_("This coupon was already issued."), code="coupon_issued")
    audit.record(
        actor=actor,
        action="coupon.issue",
        obj=coupon,
        after={"template": template_id, "customer": customer_id},
    )
    return coupon


@dataclass(frozen=True)
class Segment:
    """Who gets a segment's coupons. ``kind``: ``all``; ``bought_within`` (paid for an order in
    the last ``days``); ``not_bought_within`` (no paid order in the last ``days``, never-buyers
    included); ``bought_product`` / ``bought_category`` (ever paid for one)."""

    kind: str
    days: int | None = None
    product_id: int | None = None
    category_id: int | None = None


SEGMENT_KINDS = SegmentKind.values


def segment_customers(segment: Segment, now: datetime):
    """The active customers in the segment, as a queryset (one query when read)."""
    customers = Customer.objects.filter(user__is_active=True)
    paid = Order.objects.filter(customer=OuterRef("pk"), paid_at__isnull=False)
    if segment.kind in {"bought_within", "not_bought_within"}:
        recent = Exists(paid.filter(paid_at__gte=now - timedelta(days=segment.days)))
        return customers.filter(recent if segment.kind == "bought_within" else ~recent)
    lines = OrderLine.objects.filter(order__customer=OuterRef("pk"), order__paid_at__isnull=False)
    if segment.kind == "bought_product":
        return customers.filter(Exists(lines.filter(product_id=segment.product_id)))
    if segment.kind == "bought_category":
        return customers.filter(Exists(lines.filter(product__category_id=segment.category_id)))
    return customers


@transaction.atomic(durable=True)
def issue_to_segment(
    *, actor, template_id: int, segment: Segment, batch: str, now: datetime
) -> int:
    """One coupon to every customer in one of the coupon page's own segments (see
    ``issue_to_customers``). Returns how many."""
    if segment.kind not in SEGMENT_KINDS:
        raise CouponError(_("Choose a segment."))
    if segment.kind in {"bought_within", "not_bought_within"} and not segment.days:
        raise CouponError(_("Give the number of days."))
    if segment.kind == "bought_product" and segment.product_id is None:
        raise CouponError(_("Choose the product."))
    if segment.kind == "bought_category" and segment.category_id is None:
        raise CouponError(_("Choose the category."))
    return _issue_to_customers(
        actor=actor,
        template_id=template_id,
        customers=segment_customers(segment, now),
        batch=batch,
        audit_detail={
            "segment": segment.kind,
            "days": segment.days,
            "product": segment.product_id,
            "category": segment.category_id,
        },
        now=now,
    )


@transaction.atomic(durable=True)
def issue_to_customers(
    *, actor, template_id: int, customers, batch: str, audit_detail: dict, now: datetime
) -> int:
    """One coupon to every customer of the caller's queryset (e.g. a community segment's
    members) still below the template's limit; ``audit_detail`` says in the audit log who they
    were. Returns how many."""
    return _issue_to_customers(
        actor=actor,
        template_id=template_id,
        customers=customers,
        batch=batch,
        audit_detail=audit_detail,
        now=now,
    )


@step
def _issue_to_customers(
    *, actor, template_id: int, customers, batch: str, audit_detail: dict, now: datetime
) -> int:
    """One query picks the customers below the limit, one insert issues them, within the quota
    (refused whole when it falls short). ``batch`` keys the issue, so a resent form issues
    nothing more."""
    template = lock_template(template_id=template_id)
    _issuable(template, now)
    prefix = f"segment:{batch}:"
    if Coupon.objects.filter(key__startswith=prefix).exists():
        raise CouponError(_("These coupons were already issued."), code="coupon_issued")
    # The caller's queryset may count rows of its own: picked by id, its counts stay its own.
    audience = Customer.objects.filter(pk__in=customers.values("pk"))
    chosen = _below_limit(audience, template).values_list("pk", flat=True)
    count = _issue_many(
        template=template,
        customer_ids=list(chosen),
        source=CouponSource.SEGMENT,
        key_prefix=prefix,
        now=now,
    )
    if not count:
        raise CouponError(_("No customer in this segment can receive this coupon."))
    audit.record(
        actor=actor,
        action="coupon.issue_segment",
        obj=template,
        after={"issued": count, **audit_detail},
    )
    return count


def _rule_template(rule: str) -> CouponTemplate | None:
    found = CouponRule.objects.filter(rule=rule).select_related("template").first()
    return found.template if found else None


@transaction.atomic
def issue_by_rule(
    *, rule: str, customer_id: int, now: datetime, occasion: str = ""
) -> Coupon | None:
    """Issues the template the brand chose for ``rule`` (``CouponRule.Occasion``) once per
    customer and ``occasion`` (a tier's name for an upgrade; empty for a new member). Nothing when
    the brand chose none, or its quota, window or the customer's limit leaves none: an occasion
    never fails because of a coupon."""
    template = _rule_template(rule)
    if template is None:
        return None
    try:
        return issue_coupon(
            template_id=template.pk,
            customer_id=customer_id,
            source=RULE_SOURCES[rule],
            key=f"rule:{rule}:{customer_id}:{occasion}"[:80],
            now=now,
        )
    except CouponError:
        return None


def birthdays_on(day: date):
    """Customers whose birthday falls on ``day``; those born on 29 February celebrate on the 28th
    when the year has no 29th."""
    born = Q(birthday__month=day.month, birthday__day=day.day)
    is_leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if day.month == 2 and day.day == 28 and not is_leap:
        born |= Q(birthday__month=2, birthday__day=29)
    return Customer.objects.filter(born, user__is_active=True)


@transaction.atomic(durable=True)
def issue_birthday_coupons(*, today: date, now: datetime) -> int:
    """The daily run: the birthday template to every customer whose birthday is ``today``, once
    per customer per year (a second run the same year issues nothing). Returns how many."""
    template = _rule_template(Occasion.BIRTHDAY)
    if template is None:
        return 0
    template = lock_template(template_id=template.pk)
    try:
        _issuable(template, now)
    except CouponError:
        return 0
    return _issue_many(
        template=template,
        customer_ids=_below_limit(birthdays_on(today), template).values_list("pk", flat=True),
        source=CouponSource.BIRTHDAY,
        key_prefix=f"rule:birthday:{today.year}:",
        now=now,
        as_many_as_fit=True,
    )


@step
def issue_referral_reward(
    *, template: CouponTemplate | int, customer_id: int, key: str, now: datetime
) -> Coupon | None:
    """A share reward: the template's coupon to the sharer, once per ``key``. Nothing when the
    template is inactive, its quota is spent or the sharer is at its limit."""
    try:
        return issue_coupon(
            template_id=getattr(template, "pk", template),
            customer_id=customer_id,
            source=CouponSource.REFERRAL,
            key=f"referral:{key}"[:80],
            now=now,
        )
    except CouponError:
        return None


@transaction.atomic(durable=True)
def claim_coupon(*, customer_id: int, template_id: int, now: datetime) -> Coupon:
    """The customer takes a coupon in the coupon centre, up to his limit and the quota."""
    if not CouponTemplate.objects.filter(pk=template_id, claimable=True).exists():
        raise CouponError(_("This coupon cannot be claimed."))
    template = lock_template(template_id=template_id)
    held = Coupon.objects.filter(template=template, customer_id=customer_id).count()
    if held >= template.per_customer_limit:
        raise CouponError(_("You already hold this coupon."), code="coupon_limit")
    return issue_coupon(
        template_id=template_id,
        customer_id=customer_id,
        source=CouponSource.CLAIMED,
        key=f"claim:{template_id}:{customer_id}:{held + 1}",
        now=now,
    )


# Using -------------------------------------------------------------------------------------------


def terms_of(coupon: Coupon) -> CouponTerms:
    """The coupon as the pure rules see it; its template's products and categories prefetched."""
    template = coupon.template
    return CouponTerms(
        coupon_id=coupon.pk,
        kind=template.kind,
        amount_off_fen=template.amount_off_fen,
        percent_off_bp=template.percent_off_bp,
        cap_fen=template.cap_fen,
        threshold_fen=template.threshold_fen,
        product_ids=frozenset(p.pk for p in template.products.all())
        if template.scope == CouponScope.PRODUCTS
        else frozenset(),
        category_ids=frozenset(c.pk for c in template.categories.all())
        if template.scope == CouponScope.CATEGORIES
        else frozenset(),
        stackable=template.stackable,
        valid_until=coupon.valid_until,
    )


def _usable(customer_id: int, now: datetime):
    return (
        Coupon.objects.filter(
            customer_id=customer_id,
            used_at__isnull=True,
            voided_at__isnull=True,
            valid_from__lte=now,
            valid_until__gt=now,
        )
        .select_related("template")
        .prefetch_related("template__products", "template__categories")
        .order_by("valid_until", "pk")
    )


def usable_coupons(*, customer_id: int, now: datetime) -> list[CouponTerms]:
    """The customer's coupons he may use on an order placed now, expiring first first."""
    return [terms_of(coupon) for coupon in _usable(customer_id, now)]


@dataclass(frozen=True)
class UsableCoupon:
    """A usable coupon as the checkout shows it: its terms, its name and what it gives."""

    terms: CouponTerms
    name: str
    gives: str


def usable_coupons_described(*, customer_id: int, now: datetime) -> list[UsableCoupon]:
    return [
        UsableCoupon(terms_of(coupon), coupon.template.name, what_it_gives(coupon.template))
        for coupon in _usable(customer_id, now)
    ]


@step
def use_coupons(*, customer_id: int, coupon_ids, order_number: str, now: datetime) -> list[Coupon]:
    """Marks the coupons used by the order, under their locks; refuses one that is not the
    customer's, already used, or outside its window, and a non-stackable one with another.
    Using them again for the same order changes nothing."""
    coupon_ids = set(coupon_ids)
    coupons = list(lock_coupons(coupon_ids).select_related("template"))
    if len(coupons) != len(coupon_ids) or any(c.customer_id != customer_id for c in coupons):
        raise CouponError(_("One of these coupons is not yours."), code="coupon_not_yours")
    if len(coupons) > 1 and not all(c.template.stackable for c in coupons):
        raise CouponError(
            _("A coupon that does not stack cannot be used with another."), code="coupon_stack"
        )
    to_use = []
    for coupon in coupons:
        if coupon.used_at is not None:
            if coupon.order_number == order_number:
                continue
            raise CouponError(_("This coupon has already been used."), code="coupon_used")
        if coupon.voided_at is not None:
            raise CouponError(
                _("This coupon was taken back with the share reward it came with."),
                code="coupon_voided",
            )
        if not coupon.valid_from <= now < coupon.valid_until:
            raise CouponError(_("This coupon cannot be used now."), code="coupon_window")
        coupon.used_at, coupon.order_number = now, order_number
        to_use.append(coupon)
    Coupon.objects.bulk_update(to_use, ["used_at", "order_number"])
    return coupons


@step
def release_coupons(*, order_number: str, now: datetime) -> int:
    """An unpaid order cancelled or expired gives its coupons back; those whose window has ended
    meanwhile come back expired. Returns how many are usable again."""
    coupons = list(lock_coupons_of_order(order_number=order_number))
    for coupon in coupons:
        coupon.used_at, coupon.order_number = None, ""
    Coupon.objects.bulk_update(coupons, ["used_at", "order_number"])
    return sum(1 for coupon in coupons if coupon.valid_until > now)
