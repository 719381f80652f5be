"""Binding (绑定): which distributor brought a customer, and so earns on his orders.

The brand's rule (``ProgrammeSettings.binding_rule``) decides what a new share link does to an
existing binding: ``lock`` keeps the first one for good (锁粉), ``window`` keeps it for N days (a
link from the same distributor extends it, another's rebinds only after expiry), ``last_click``
rebinds on every link. Every change appends a ``BindingEvent``; the log is never rewritten.

This is the customer relationship only; the team relationship (who invited a distributor) is
``Distributor.invited_by`` and binding never reads or writes it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog.models import Product
from weishang.compliance import audit
from weishang.core_errors import DomainError
from weishang.customers.models import Customer

from . import reach
from .locks import customer_for_update, programme_for_update
from .models import (
    Binding,
    BindingEvent,
    BindingRule,
    Distributor,
    ProgrammeSettings,
    ShareSource,
    ShareVisit,
)
from .selectors import programme
from .tokens import read_token

REF_COOKIE = "ws_ref"
REF_COOKIE_SALT = "weishang.share.cookie"
REF_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600


class BindingError(DomainError):
    pass


# Reads -------------------------------------------------------------------------------------------


def current_binding(customer: Customer) -> Binding | None:
    return Binding.objects.select_related("distributor").filter(customer=customer).first()


def binding_history(customer: Customer) -> list[BindingEvent]:
    return list(
        BindingEvent.objects.filter(customer=customer).select_related(
            "distributor", "previous_distributor", "actor"
        )
    )


def attributed_distributor(customer: Customer, at: datetime) -> Distributor | None:
    """The distributor an order this customer places at ``at`` is attributed to, if any.

    A distributor's own purchases are his own: they earn (for himself) only when the brand lets
    them, and never for whoever he is bound to. Otherwise the current, unexpired binding counts,
    provided its distributor may still sell. One query (two for a distributor buying).
    """
    rows = (
        Distributor.objects.annotate(
            mine=FilteredRelation("bindings", condition=Q(bindings__customer_id=customer.pk))
        )
        .filter(Q(customer_id=customer.pk) | Q(mine__customer_id=customer.pk))
        .annotate(binding_expires_at=F("mine__expires_at"))
        .defer("real_name", "id_number")
    )
    own = bound = None
    for row in rows:
        if row.customer_id == customer.pk:
            own = row
        else:
            bound = row
    if own is not None:
        return own if own.can_sell and programme().self_purchase_earns else None
    if bound is None or not bound.can_sell:
        return None
    if bound.binding_expires_at is not None and bound.binding_expires_at <= at:
        return None
    return bound


# The anonymous visitor's cookie ------------------------------------------------------------------


@dataclass(frozen=True)
class PendingShare:
    token: str
    at: datetime


def ref_cookie_value(*, token: str, at: datetime) -> str:
    """What the ``ws_ref`` cookie holds for an anonymous visitor: the share token and when he
    opened it, signed so that nobody can put another distributor's token or another time in it."""
    return signing.dumps([token, int(at.timestamp())], salt=REF_COOKIE_SALT, compress=True)


def read_ref_cookie(value: str | None) -> PendingShare | None:
    if not value:
        return None
    try:
        token, ts = signing.loads(value, salt=REF_COOKIE_SALT, max_age=REF_COOKIE_MAX_AGE_SECONDS)
        return PendingShare(str(token), datetime.fromtimestamp(int(ts), tz=UTC))
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        return None


# Writes ------------------------------------------------------------------------------------------


def _is_active(binding: Binding, at: datetime) -> bool:
    return binding.distributor.can_sell and (binding.expires_at is None or binding.expires_at > at)


def _log(*, customer, distributor, previous, source, at, actor=None, reason="") -> None:
    BindingEvent.objects.create(
        customer=customer,
        distributor=distributor,
        previous_distributor=previous,
        source=source,
        reason=reason[:300],
        actor=actor,
        created_at=at,
    )


def _expiry(settings: ProgrammeSettings, at: datetime) -> datetime | None:
    if settings.binding_rule == BindingRule.WINDOW:
        return at + timedelta(days=settings.binding_window_days)
    return None


@transaction.atomic
def bind_customer(
    *, customer: Customer, distributor: Distributor, source: str, at: datetime | None = None
) -> Binding | None:
    """A customer opened ``distributor``'s share link at ``at``: bind him as the brand's rule says.

    Returns the customer's binding afterwards (changed or not), or None when the link cannot bind:
    a distributor opening his own link, or a store that is frozen or blacklisted.
    """
    at = at or timezone.now()
    if distributor.customer_id == customer.pk or not distributor.can_sell:
        return None
    customer_for_update(customer.pk).first()  # serialises one customer's binding changes
    current = current_binding(customer)
    if current is not None and at < current.bound_at:
        return current  # an older click (a cookie claimed late) never overrides a newer binding
    settings = programme()
    expires_at = _expiry(settings, at)
    if current is None:
        binding = Binding.objects.create(
            customer=customer,
            distributor=distributor,
            source=source,
            bound_at=at,
            expires_at=expires_at,
        )
        _log(customer=customer, distributor=distributor, previous=None, source=source, at=at)
        return binding
    active = _is_active(current, at)
    if current.distributor_id == distributor.pk:
        if active:
            if settings.binding_rule == BindingRule.WINDOW:
                current.expires_at = expires_at  # the same distributor's link extends the window
                current.save(update_fields=["expires_at"])
            return current
    elif active and settings.binding_rule != BindingRule.LAST_CLICK:
        return current
    previous = current.distributor
    current.distributor, current.source = distributor, source
    current.bound_at, current.expires_at = at, expires_at
    current.save(update_fields=["distributor", "source", "bound_at", "expires_at"])
    _log(customer=customer, distributor=distributor, previous=previous, source=source, at=at)
    return current


@transaction.atomic
def reassign_customer(
    *, customer: Customer, distributor: Distributor, actor, reason: str, now: datetime | None = None
) -> Binding:
    """The brand moves a customer to another distributor, whatever the rule, saying why.

    Commission already earned stays with whoever earned it: it belongs to orders, each of which
    keeps the distributor it was attributed to when placed.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise BindingError(_("Say why the customer is reassigned; it is kept in the binding log."))
    if distributor.customer_id == customer.pk:
        raise BindingError(_("A distributor cannot be bound to himself as his own customer."))
    if not distributor.can_sell:
        raise BindingError(_("This distributor's store is closed; choose an active distributor."))
    customer_for_update(customer.pk).first()  # serialises one customer's binding changes
    current = current_binding(customer)
    if current and current.distributor_id == distributor.pk and _is_active(current, now):
        raise BindingError(_("The customer is already bound to this distributor."))
    expires_at = _expiry(programme(), now)
    previous = current.distributor if current is not None else None
    binding, _created = Binding.objects.update_or_create(
        customer=customer,
        defaults={
            "distributor": distributor,
            "source": ShareSource.BRAND,
            "bound_at": now,
            "expires_at": expires_at,
        },
    )
    _log(
        customer=customer,
        distributor=distributor,
        previous=previous,
        source=ShareSource.BRAND,
        at=now,
        actor=actor,
        reason=reason,
    )
    audit.record(
        actor=actor,
        action="binding.reassign",
        obj=customer,
        before={"distributor": previous.pk if previous else None},
        after={"distributor": distributor.pk},
        reason=reason,
    )
    return binding


@transaction.atomic
def hand_over_binding(*, from_customer: Customer, to_customer: Customer) -> Binding | None:
    """One person's two accounts become one (a WeChat-only account joining the mobile account):
    the first account's binding ends, and the link that made it binds the second as if he had
    opened it there then, under the brand's rule. The first keeps its history (the log is never
    rewritten). Returns the second's binding afterwards."""
    customer_for_update(from_customer.pk).first()
    current = current_binding(from_customer)
    if current is not None:
        Binding.objects.filter(pk=current.pk).delete()
        bind_customer(
            customer=to_customer,
            distributor=current.distributor,
            source=current.source,
            at=current.bound_at,
        )
    return current_binding(to_customer)


def claim_cookie_binding(
    *, customer: Customer, cookie_value: str | None, now: datetime | None = None
) -> Binding | None:
    """At login (or on the first signed-in request), the link an anonymous visitor opened binds
    his account, as of the time he opened it. A bad or stale cookie or token changes nothing."""
    pending = read_ref_cookie(cookie_value)
    token = read_token(pending.token) if pending else None
    if token is None:
        return None
    distributor = Distributor.objects.filter(pk=token.distributor_id).first()
    if distributor is None:
        return None
    at = min(pending.at, now or timezone.now())
    return bind_customer(customer=customer, distributor=distributor, source=token.source, at=at)


def open_share_link(
    *, raw: str | None, customer, signed_in: bool, device_id: str, now: datetime
) -> str | None:
    """Someone opened a share link (its token ``raw``): the visit counts, and a signed-in
    customer is bound at once. For an anonymous visitor, returns what to keep (the ``ws_ref``
    cookie, or the API client's storage) so that he is bound when he signs in. A forged or stale
    token, or a link of a distributor who may not sell, changes nothing."""
    token = read_token(raw)
    if token is None:
        return None
    distributor = Distributor.objects.filter(pk=token.distributor_id).first()
    if distributor is None or not distributor.can_sell:
        return None
    if customer is not None and customer.pk == distributor.customer_id:
        return None  # a distributor looking at his own link is neither a visit nor a binding
    record_share_visit(
        distributor=distributor,
        source=token.source,
        product_id=token.product_id,
        person=reach.person_of(customer_id=customer.pk if customer else None, device_id=device_id),
        at=now,
    )
    if customer is not None:
        bind_customer(customer=customer, distributor=distributor, source=token.source, at=now)
        return None
    if signed_in:
        return None  # staff browsing the store are nobody's customers
    return ref_cookie_value(token=raw, at=now)


@transaction.atomic
def record_share_visit(
    *,
    distributor: Distributor,
    source: str,
    product_id: int | None,
    person: int | None = None,
    at: datetime | None = None,
) -> ShareVisit:
    """One opening of a share link, QR code or poster, for the distributor's visit counts; the
    person who opened it (``reach.person_of``) counts once a day among the people he reached."""
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        product_id = None
    at = at or timezone.now()
    if person is not None:
        reach.link_opened(distributor_id=distributor.pk, person=person, at=at)
    if product_id is not None:
        reach.product_shared(distributor_id=distributor.pk, product_id=product_id, at=at)
    return ShareVisit.objects.create(
        distributor=distributor, source=source, product_id=product_id, person=person, created_at=at
    )


# The brand's programme settings ------------------------------------------------------------------

PROGRAMME_FIELDS = (
    "binding_rule",
    "binding_window_days",
    "self_purchase_earns",
    "withdrawal_min_fen",
    "withdrawal_daily_limit_fen",
    "review_order_amount_fen",
    "review_refund_rate_bp",
)
MAX_WINDOW_DAYS = 365
MAX_FEN = 100_000_000  # ¥1,000,000


def _whole(value, *, low: int, high: int, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BindingError(message)
    return value


@transaction.atomic
def update_programme_settings(*, actor, **fields) -> ProgrammeSettings:
    """The brand changes its programme: binding rule and window, whether a distributor's own
    purchases earn, withdrawal minimum and daily limit, review thresholds. Only the fields given
    change; the old and new values go to the audit log. New rules apply to new bindings, orders
    and withdrawals; existing bindings keep their expiry."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"not programme settings: {sorted(unknown)}")
    checked = {}
    if "binding_rule" in fields:
        if fields["binding_rule"] not in BindingRule.values:
            raise BindingError(_("Choose one of the binding rules."))
        checked["binding_rule"] = fields["binding_rule"]
    if "binding_window_days" in fields:
        checked["binding_window_days"] = _whole(
            fields["binding_window_days"],
            low=1,
            high=MAX_WINDOW_DAYS,
            message=_("A binding window lasts 1 to 365 days."),
        )
    if "self_purchase_earns" in fields:
        checked["self_purchase_earns"] = bool(fields["self_purchase_earns"])
    for name, message in (
        ("withdrawal_min_fen", _("The minimum withdrawal must be at least ¥0.01.")),
        ("withdrawal_daily_limit_fen", _("The daily withdrawal limit must be at least ¥0.01.")),
        ("review_order_amount_fen", _("The review threshold must be at least ¥0.01.")),
    ):
        if name in fields:
            checked[name] = _whole(fields[name], low=1, high=MAX_FEN, message=message)
    if "review_refund_rate_bp" in fields:
        checked["review_refund_rate_bp"] = _whole(
            fields["review_refund_rate_bp"],
            low=0,
            high=10000,
            message=_("The refund rate that holds commission is between 0 % and 100 %."),
        )
    settings = programme_for_update()
    minimum = checked.get("withdrawal_min_fen", settings.withdrawal_min_fen)
    if minimum > checked.get("withdrawal_daily_limit_fen", settings.withdrawal_daily_limit_fen):
        raise BindingError(_("The minimum withdrawal cannot be above the daily withdrawal limit."))
    before = {name: getattr(settings, name) for name in checked}
    for name, value in checked.items():
        setattr(settings, name, value)
    settings.save()
    audit.record(
        actor=actor,
        action="programme.update",
        obj=settings,
        before=before,
        after=checked,
    )
    return settings
