"""The care list (老客户维护): each day up to the brand's number of a distributor's own customers
to greet, chosen by ``care_rules`` from facts read with a fixed number of queries however many
customers he has, stored once a day as CareTask rows with a suggested message from the library."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog.models import Product
from weishang.community.selectors import NOT_COUNTED, customers_in
from weishang.customers.models import Address, Customer
from weishang.customers.rules import mask_mobile, mask_name
from weishang.distribution.models import Distributor
from weishang.orders.models import OrderLine

from . import care_rules
from .errors import ContentError
from .models import CareTask, ContentSettings, Theme

MESSAGE_MAX = 300
# Themes considered for suggested messages: the newest valid ones (a fixed number of queries).
THEMES_CONSIDERED = 20


def his_customers(distributor: Distributor, *, now: datetime) -> QuerySet[Customer]:
    """Active customers bound to him (a binding that has not expired)."""
    return Customer.objects.filter(
        Q(binding__expires_at__isnull=True) | Q(binding__expires_at__gt=now),
        binding__distributor=distributor,
        user__is_active=True,
    )


def _candidates(distributor: Distributor, *, now: datetime) -> list[care_rules.Candidate]:
    """Two queries: his customers with their last greeting by him, and the last purchase day
    of each product with a repurchase interval each of them bought."""
    customers = his_customers(distributor, now=now)
    greeted = (
        CareTask.objects.filter(
            distributor=distributor, customer=OuterRef("pk"), done_at__isnull=False
        )
        .order_by("-done_at")
        .values("done_at")[:1]
    )
    rows = customers.annotate(last_greeted=Subquery(greeted)).values(
        "pk", "birthday", "binding__bound_at", "last_greeted"
    )
    purchases = (
        OrderLine.objects.filter(
            order__customer__in=customers.values("pk"),
            order__paid_at__isnull=False,
            product__repurchase_interval__isnull=False,
        )
        .exclude(order__status__in=NOT_COUNTED)
        .values("order__customer_id", "product_id", "product__repurchase_interval__days")
        .annotate(last_paid=Max("order__paid_at"))
        .order_by()
    )
    dues: dict[int, list[care_rules.Due]] = {}
    for row in purchases:
        due_on = timezone.localdate(row["last_paid"]) + timedelta(
            days=row["product__repurchase_interval__days"]
        )
        dues.setdefault(row["order__customer_id"], []).append(
            care_rules.Due(product_id=row["product_id"], on=due_on)
        )
    return [
        care_rules.Candidate(
            customer_id=row["pk"],
            bound_since=timezone.localdate(row["binding__bound_at"]),
            last_greeted=timezone.localdate(row["last_greeted"]) if row["last_greeted"] else None,
            birthday=row["birthday"],
            dues=tuple(dues.get(row["pk"], ())),
        )
        for row in rows
    ]


def valid_themes(now: datetime) -> list[Theme]:
    """Published themes valid now, newest first, with their linked product ids (two queries)."""
    themes = list(
        Theme.objects.filter(status=Theme.Status.PUBLISHED)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .select_related("segment")
        .prefetch_related("theme_products")
        .order_by("-published_at", "-pk")[:THEMES_CONSIDERED]
    )
    for theme in themes:
        theme.product_ids = {link.product_id for link in theme.theme_products.all()}
    return themes


def _audiences(themes: list[Theme], customer_ids: list[int], now: datetime) -> dict[int, set]:
    """For each segment of the themes, which of the chosen customers are in it: one query per
    segment (``community.selectors.customers_in``), never per customer."""
    audiences = {}
    for theme in themes:
        if theme.segment_id and theme.segment_id not in audiences:
            audiences[theme.segment_id] = set(
                customers_in(theme.segment, now=now)
                .filter(pk__in=customer_ids)
                .values_list("pk", flat=True)
            )
    return audiences


def suggested_theme(pick: care_rules.Pick, themes: list[Theme], audiences: dict) -> Theme | None:
    """A theme for the customer's audience (or for everyone), one linking the due product
    first, else the newest."""
    fitting = [
        theme
        for theme in themes
        if not theme.segment_id or pick.customer_id in audiences[theme.segment_id]
    ]
    if pick.product_id is not None:
        linking = [theme for theme in fitting if pick.product_id in theme.product_ids]
        if linking:
            return linking[0]
    return fitting[0] if fitting else None


def greeting(reason: str, product_name: str = "") -> str:
    if reason == care_rules.REPURCHASE:
        return _("Hello! Is your %(product)s running low?") % {"product": product_name}
    if reason == care_rules.BIRTHDAY:
        return _("Hello! Your birthday is coming up: happy birthday in advance!")
    return _("Hello! It has been a while, how are you doing?")


def message_for(reason: str, *, product_name: str = "", theme: Theme | None = None) -> str:
    """A short greeting, then the theme's copy cut to fit ``MESSAGE_MAX`` characters."""
    text = greeting(reason, product_name)
    if theme is None:
        return text[:MESSAGE_MAX]
    # Chinese punctuation ends the greeting without a space; English needs one.
    text += "" if text.endswith(("！", "？", "。")) else " "
    room = MESSAGE_MAX - len(text)
    copy = " ".join(theme.copy.split())
    excerpt = copy if len(copy) <= room else copy[: max(room - 1, 0)] + "…"
    return (text + excerpt).strip()[:MESSAGE_MAX]


def _tasks(distributor: Distributor, today: date) -> list[CareTask]:
    """The day's tasks, each with ``address_name``: the recipient of the customer's default
    address, to name him by when he has no nickname."""
    default_address = Address.objects.filter(customer=OuterRef("customer_id"), is_default=True)
    return list(
        CareTask.objects.filter(distributor=distributor, day=today)
        .select_related("customer", "product")
        .annotate(address_name=Subquery(default_address.values("recipient")[:1]))
        .order_by("pk")
    )


def todays_care_list(distributor: Distributor, *, today: date, now: datetime) -> list[CareTask]:
    """Today's list, chosen and stored on the first call of the day; later calls (and a
    concurrent one: the same choice, stored once) read it back."""
    tasks = _tasks(distributor, today)
    if tasks:
        return tasks
    settings = ContentSettings.current()
    picks = care_rules.choose(
        _candidates(distributor, now=now),
        today=today,
        size=settings.care_list_size,
        gap_days=settings.care_contact_gap_days,
    )
    if not picks:
        return []
    themes = valid_themes(now)
    audiences = _audiences(themes, [pick.customer_id for pick in picks], now)
    product_names = dict(
        Product.objects.filter(
            pk__in={pick.product_id for pick in picks if pick.product_id}
        ).values_list("pk", "name")
    )
    rows = []
    for pick in picks:
        theme = suggested_theme(pick, themes, audiences)
        rows.append(
            CareTask(
                distributor=distributor,
                customer_id=pick.customer_id,
                day=today,
                reason=pick.reason,
                product_id=pick.product_id,
                theme=theme,
                message=message_for(
                    pick.reason, product_name=product_names.get(pick.product_id, ""), theme=theme
                ),
            )
        )
    CareTask.objects.bulk_create(rows, ignore_conflicts=True)
    return _tasks(distributor, today)


def masked_row(task: CareTask) -> dict:
    """A task as his care list shows it: the customer masked (PIPL Art. 6), why, the product due
    and the message to copy."""
    return {
        "id": task.pk,
        "name": mask_name(task.customer.nickname or getattr(task, "address_name", None) or ""),
        "mobile": mask_mobile(task.customer.mobile),
        "reason": task.reason,
        "reason_label": task.get_reason_display(),
        "product": task.product.name if task.product_id else "",
        "message": task.message,
        "done": task.done_at is not None,
    }


@transaction.atomic
def mark_done(*, distributor: Distributor, task_id: int, now: datetime) -> CareTask:
    """Marks one of his tasks greeted; marking it again changes nothing."""
    task = (
        CareTask.objects.select_for_update()
        .filter(pk=task_id, distributor=distributor)
        .order_by("pk")
        .first()
    )
    if task is None:
        raise ContentError(_("That customer is not on your care list."))
    if task.done_at is None:
        task.done_at = now
        task.save(update_fields=["done_at"])
    return task
