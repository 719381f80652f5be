"""Reads of coupons that the store and the console share, and a coupon's terms in words."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from weishang.money import format_fen

from .models import Coupon, CouponKind, CouponRule, CouponScope, CouponTemplate


def templates_for_console() -> QuerySet[CouponTemplate]:
    """Every template with how many coupons were issued from it, newest first (one query)."""
    return CouponTemplate.objects.annotate(issued=Count("coupons")).order_by("-is_active", "-pk")


def active_templates() -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.filter(is_active=True).order_by("name", "pk")


def coupon_rules() -> dict[str, CouponTemplate]:
    """The template chosen for each occasion that has one."""
    return {rule.rule: rule.template for rule in CouponRule.objects.select_related("template")}


def coupons_of_customer(customer_id: int) -> QuerySet[Coupon]:
    """His coupons, newest issue first, with what each template covers."""
    return (
        Coupon.objects.filter(customer_id=customer_id)
        .select_related("template")
        .prefetch_related("template__products", "template__categories")
        .order_by("-issued_at", "-pk")
    )


def coupons_in_tab(customer_id: int, tab: str, now: datetime) -> QuerySet[Coupon]:
    """``available`` (usable now or later, soonest expiry first), ``used``, ``expired`` or
    ``voided`` (a share reward taken back)."""
    coupons = coupons_of_customer(customer_id)
    if tab == Coupon.Status.USED:
        return coupons.filter(used_at__isnull=False).order_by("-used_at", "-pk")
    if tab == Coupon.Status.VOIDED:
        return coupons.filter(voided_at__isnull=False).order_by("-voided_at", "-pk")
    unused = coupons.filter(used_at__isnull=True, voided_at__isnull=True)
    if tab == Coupon.Status.EXPIRED:
        return unused.filter(valid_until__lte=now).order_by("-valid_until", "-pk")
    return unused.filter(valid_until__gt=now).order_by("valid_until", "pk")


def held_per_template(customer_id: int) -> dict[int, int]:
    return dict(
        Coupon.objects.filter(customer_id=customer_id)
        .values_list("template")
        .annotate(n=Count("pk"))
        .values_list("template", "n")
    )


def claimable_templates(now: datetime) -> QuerySet[CouponTemplate]:
    """The coupon centre: active claimable templates whose window has not ended, with how many
    were issued."""
    return (
        CouponTemplate.objects.filter(is_active=True, claimable=True)
        .filter(Q(valid_days__isnull=False) | Q(valid_until__gt=now))
        .annotate(issued=Count("coupons"))
        .prefetch_related("products", "categories")
        .order_by("pk")
    )


def coupon_centre(customer_id: int, now: datetime) -> list[CouponTemplate]:
    """The coupon centre as he sees it: each claimable template with ``held`` (how many of it he
    holds), ``sold_out`` (its quota issued) and ``can_claim`` (below his limit and the quota);
    two queries. Claiming checks the same again under the template's lock."""
    held = held_per_template(customer_id)
    offered = list(claimable_templates(now))
    for template in offered:
        template.held = held.get(template.pk, 0)
        template.sold_out = template.quota is not None and template.issued >= template.quota
        template.can_claim = template.held < template.per_customer_limit and not template.sold_out
    return offered


def described(template: CouponTemplate) -> CouponTemplate:
    """The template with its terms in words: ``gives``, ``applies`` and ``lasts``."""
    template.gives = what_it_gives(template)
    template.applies = where_it_applies(template)
    template.lasts = how_long(template)
    return template


def _percent(bp: int) -> str:
    return formats.number_format(Decimal(bp) / 100, decimal_pos=None if bp % 100 else 0)


def what_it_gives(template: CouponTemplate) -> str:
    if template.kind == CouponKind.AMOUNT_OFF:
        gives = _("%(amount)s off") % {"amount": format_fen(template.amount_off_fen)}
    elif template.cap_fen is not None:
        gives = _("%(percent)s%% off, at most %(cap)s") % {
            "percent": _percent(template.percent_off_bp),
            "cap": format_fen(template.cap_fen),
        }
    else:
        gives = _("%(percent)s%% off") % {"percent": _percent(template.percent_off_bp)}
    if template.threshold_fen:
        return _("%(gives)s on a spend of %(threshold)s or more") % {
            "gives": gives,
            "threshold": format_fen(template.threshold_fen),
        }
    return gives


def where_it_applies(template: CouponTemplate) -> str:
    """Its scope in words; the template's products and categories prefetched."""
    if template.scope == CouponScope.PRODUCTS:
        return _("On: %(names)s") % {"names": "、".join(p.name for p in template.products.all())}
    if template.scope == CouponScope.CATEGORIES:
        return _("On the categories: %(names)s") % {
            "names": "、".join(c.name for c in template.categories.all())
        }
    return _("On every product")


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def how_long(template: CouponTemplate) -> str:
    if template.valid_days is not None:
        return _("Valid for %(days)d days from issue") % {"days": template.valid_days}
    return _("Valid from %(start)s until %(end)s") % {
        "start": _day(template.valid_from),
        "end": _day(template.valid_until),
    }


def window_of(coupon: Coupon) -> str:
    return _("%(start)s – %(end)s") % {
        "start": _day(coupon.valid_from),
        "end": _day(coupon.valid_until),
    }
