"""The brand's settings for the posting cadence and the care list, and the products' repurchase
intervals: staff acts, each audited in its own transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from weishang.catalog.models import Product
from weishang.compliance import audit

from .errors import ContentError
from .models import ContentSettings, RepurchaseInterval

FIELDS = (
    "posts_min_per_day",
    "posts_max_per_day",
    "product_posts_max_bp",
    "care_list_size",
    "care_contact_gap_days",
)
MAX_POSTS_PER_DAY = 30
MAX_CARE_LIST = 50
MAX_GAP_DAYS = 365
MAX_INTERVAL_DAYS = 730


def _check(values: dict) -> None:
    if not all(isinstance(values[name], int) for name in FIELDS):
        raise ContentError(_("Enter whole numbers."))
    if not 1 <= values["posts_min_per_day"] <= values["posts_max_per_day"] <= MAX_POSTS_PER_DAY:
        raise ContentError(
            _("Posts a day: at least 1, at most %(max)d, and the minimum no more than the maximum.")
            % {"max": MAX_POSTS_PER_DAY}
        )
    if not 0 <= values["product_posts_max_bp"] <= 10_000:
        raise ContentError(_("The share of posts about products is from 0 to 100 percent."))
    if not 1 <= values["care_list_size"] <= MAX_CARE_LIST:
        raise ContentError(
            _("Customers to greet a day: from 1 to %(max)d.") % {"max": MAX_CARE_LIST}
        )
    if not 1 <= values["care_contact_gap_days"] <= MAX_GAP_DAYS:
        raise ContentError(
            _("Greet a customer again after: from 1 to %(max)d days.") % {"max": MAX_GAP_DAYS}
        )


@transaction.atomic(durable=True)
def save_content_settings(*, actor, **values) -> ContentSettings:
    """The brand's cadence rule and care list; audited when anything changes."""
    values = {name: values[name] for name in FIELDS}
    _check(values)
    current = ContentSettings.objects.select_for_update().filter(pk=1).first()
    before = {name: getattr(current or ContentSettings(), name) for name in FIELDS}
    saved, _created = ContentSettings.objects.update_or_create(pk=1, defaults=values)
    audit.record_change(
        actor=actor, action="content.settings", obj=saved, before=before, after=values
    )
    return saved


@transaction.atomic(durable=True)
def set_repurchase_intervals(*, actor, days_by_product: dict[int, int | None]) -> int:
    """Sets (a number of days) or removes (None) the repurchase interval of each product given;
    one audit entry names the products that changed. Returns how many changed."""
    names = dict(Product.objects.filter(pk__in=list(days_by_product)).values_list("pk", "name"))
    if set(names) != set(days_by_product):
        raise ContentError(_("Choose products from the list."))
    for days in days_by_product.values():
        if days is not None and (not isinstance(days, int) or not 1 <= days <= MAX_INTERVAL_DAYS):
            raise ContentError(
                _("A repurchase interval is from 1 to %(max)d days.") % {"max": MAX_INTERVAL_DAYS}
            )
    current = dict(
        RepurchaseInterval.objects.select_for_update()
        .filter(product_id__in=list(names))
        .order_by("pk")
        .values_list("product_id", "days")
    )
    changed = {
        product_id: days
        for product_id, days in days_by_product.items()
        if current.get(product_id) != days
    }
    if not changed:
        return 0
    RepurchaseInterval.objects.filter(
        product_id__in=[pk for pk, days in changed.items() if days is None]
    ).delete()
    for product_id, days in changed.items():
        if days is not None:
            RepurchaseInterval.objects.update_or_create(
                product_id=product_id, defaults={"days": days}
            )
    audit.record(
        actor=actor,
        action="repurchase_interval.set",
        object_type="catalog.product",
        object_id=",".join(str(pk) for pk in sorted(changed)),
        before={names[pk]: current.get(pk) for pk in sorted(changed)},
        after={names[pk]: changed[pk] for pk in sorted(changed)},
    )
    return len(changed)
