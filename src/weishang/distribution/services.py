"""Becoming a distributor and running a micro-store: every write of the distribution domain except
binding (``binding.py``).

Joining never costs anything: no fee, deposit, starter pack or purchase is asked or possible
(《禁止传销条例》Art. 7(2)); the team relationship (who invited whom) never affects pay.
"""

import secrets
import uuid
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import uploads
from weishang.catalog.models import Product
from weishang.compliance import audit
from weishang.core_errors import DomainError
from weishang.crypto import keyed_hash
from weishang.customers.models import Customer
from weishang.customers.rules import mobile_error, normalise_mobile
from weishang.notifications.events import Event
from weishang.notifications.services import notify

from . import locks, rules
from .models import Application, BusinessKind, Distributor, FeaturedProduct

MAX_AVATAR_BYTES = 2 * 1024 * 1024
MAX_AVATAR_PIXELS = 25_000_000
MAX_FEATURED = 30
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (i/l/1, o/0)
SLUG_LENGTH = 8


class DistributionError(DomainError):
    pass


class ApplicationInvalid(DistributionError):
    """Several fields of an application are wrong; ``errors`` maps each field to its message."""

    code = "application_invalid"

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(str(message) for message in errors.values()))
        self.errors = errors


def _text(raw) -> str:
    return " ".join(str(raw or "").split())


# Applying ----------------------------------------------------------------------------------------


def _inviter(invite_code: str | None) -> Distributor | None:
    code = _text(invite_code).lower()
    if not code:
        return None
    inviter = Distributor.objects.filter(slug=code).first()
    if inviter is None or not inviter.can_sell:
        raise ApplicationInvalid(
            {
                "invite_code": _(
                    "No active distributor has this invite code; check it or leave it empty."
                )
            }
        )
    return inviter


def id_number_hash(id_number: str) -> str:
    return keyed_hash("id_number", rules.normalise_id_number(id_number))


def _id_number_taken(id_number: str) -> bool:
    """Whether a distributor whose account is not closed already has this ID number."""
    return Distributor.objects.filter(id_number_hash=id_number_hash(id_number)).exists()


def _id_number_taken_message() -> str:
    return _("An active distributor already uses this ID number; one person can run one store.")


def _refuse_if_cannot_apply(customer: Customer) -> None:
    distributor = Distributor.objects.filter(customer=customer).first()
    if distributor is not None and distributor.status == Distributor.Status.BLACKLISTED:
        raise DistributionError(
            _("The brand closed your distributor account; you cannot apply again."),
            code="blacklisted",
        )
    if distributor is not None:
        raise DistributionError(_("You are already a distributor."), code="already_distributor")
    if customer.distributor_applications.filter(status=Application.Status.PENDING).exists():
        raise DistributionError(
            _("Your application is awaiting review; you can apply again only if it is rejected."),
            code="pending_application",
        )


@transaction.atomic
def apply_to_distribute(
    *,
    customer: Customer,
    real_name: str,
    id_number: str,
    mobile: str,
    business_kind: str,
    credit_code: str = "",
    store_name: str,
    invite_code: str | None = None,
    now=None,
) -> Application:
    """Files a customer's application. Every field is checked before anything is written; the
    answer lists each wrong field. Nothing is ever charged."""
    now = now or timezone.now()
    customer = locks.customer_for_update(customer.pk).get()
    _refuse_if_cannot_apply(customer)

    errors: dict[str, str] = {}
    real_name = _text(real_name)
    if not real_name:
        errors["real_name"] = _("Enter your real name as on your resident ID card.")
    elif len(real_name) > 40 or any(char.isdigit() for char in real_name):
        errors["real_name"] = _("Enter your real name as on your resident ID card.")
    problem = rules.id_number_problem(id_number, today=timezone.localdate(now))
    if problem:
        errors["id_number"] = problem
    elif _id_number_taken(id_number):
        errors["id_number"] = _id_number_taken_message()
    number = normalise_mobile(mobile)
    if number is None:
        errors["mobile"] = mobile_error()
    elif number != customer.mobile:
        errors["mobile"] = _(
            "Use the mobile number you signed in with (%(mobile)s); it is the one we verified."
        ) % {"mobile": customer.mobile}
    credit_code = rules.normalise_credit_code(credit_code)
    if business_kind not in BusinessKind.values:
        errors["business_kind"] = _(
            "Choose whether you have a business registration or sell small amounts without "
            "one (E-Commerce Law Art. 10)."
        )
    elif business_kind == BusinessKind.REGISTERED:
        problem = rules.credit_code_problem(credit_code)
        if problem:
            errors["credit_code"] = problem
    else:
        credit_code = ""
    store_name = _text(store_name)
    if not store_name or len(store_name) > 40:
        errors["store_name"] = _("Give your store a name of 1 to 40 characters.")
    try:
        inviter = _inviter(invite_code)
    except ApplicationInvalid as exc:
        errors.update(exc.errors)
        inviter = None
    if errors:
        raise ApplicationInvalid(errors)

    id_number = rules.normalise_id_number(id_number)
    try:
        with transaction.atomic():
            return Application.objects.create(
                customer=customer,
                real_name=real_name,
                id_number=id_number,
                id_number_masked=rules.mask_id_number(id_number),
                mobile=number,
                business_kind=business_kind,
                credit_code=credit_code,
                store_name=store_name,
                invited_by=inviter,
                submitted_at=now,
            )
    except IntegrityError as exc:  # a second pending application raced past the check
        raise DistributionError(
            _("Your application is awaiting review; you can apply again only if it is rejected."),
            code="pending_application",
        ) from exc


# Reviewing ---------------------------------------------------------------------------------------


def _pending(application: Application) -> Application:
    application = locks.application_for_update(application.pk).get()
    if application.status != Application.Status.PENDING:
        raise DistributionError(
            _("This application was already reviewed."), code="application_reviewed"
        )
    return application


def _new_slug() -> str:
    while True:
        slug = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))
        if not Distributor.objects.filter(slug=slug).exists():
            return slug


@transaction.atomic
def approve_application(*, application: Application, reviewer, now=None) -> Distributor:
    """Opens the applicant's micro-store under a short random address. The inviter becomes his
    team relation only; in strict mode it never affects anyone's pay."""
    now = now or timezone.now()
    application = _pending(application)
    if Distributor.objects.filter(customer_id=application.customer_id).exists():
        raise DistributionError(_("This customer is already a distributor."))
    if _id_number_taken(application.id_number):
        raise DistributionError(_id_number_taken_message(), code="id_number_taken")
    try:
        with transaction.atomic():
            distributor = Distributor.objects.create(
                customer_id=application.customer_id,
                slug=_new_slug(),
                store_name=application.store_name,
                real_name=application.real_name,
                id_number=application.id_number,
                id_number_masked=application.id_number_masked,
                id_number_hash=id_number_hash(application.id_number),
                business_kind=application.business_kind,
                credit_code=application.credit_code,
                invited_by=application.invited_by,
                approved_at=now,
                approved_by=reviewer,
            )
    except IntegrityError:
        if not _id_number_taken(application.id_number):
            raise
        # Another approval of the same number committed first (the unique index waited for it).
        raise DistributionError(_id_number_taken_message(), code="id_number_taken") from None
    application.status = Application.Status.APPROVED
    application.reviewed_at = now
    application.reviewed_by = reviewer
    application.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    audit.record(
        actor=reviewer,
        action="distributor.approve",
        obj=application,
        after={"distributor": distributor.pk, "slug": distributor.slug},
    )
    notify(
        customer_id=application.customer_id,
        event=Event.APPLICATION_APPROVED,
        params={"store": distributor.store_name},
        key=f"application_approved:{application.pk}",
        now=now,
    )
    return distributor


def _reason(reason) -> str:
    reason = _text(reason)
    if not reason:
        raise DistributionError(_("Give a reason; the distributor will see it."), code="no_reason")
    if len(reason) > 300:
        raise DistributionError(_("Keep the reason to 300 characters."), code="reason_too_long")
    return reason


@transaction.atomic
def reject_application(*, application: Application, reviewer, reason: str, now=None) -> None:
    reason = _reason(reason)
    application = _pending(application)
    application.status = Application.Status.REJECTED
    application.reject_reason = reason
    application.reviewed_at = now or timezone.now()
    application.reviewed_by = reviewer
    application.save(update_fields=["status", "reject_reason", "reviewed_at", "reviewed_by"])
    audit.record(actor=reviewer, action="distributor.reject", obj=application, reason=reason)
    notify(
        customer_id=application.customer_id,
        event=Event.APPLICATION_REJECTED,
        params={"reason": reason},
        key=f"application_rejected:{application.pk}",
        now=application.reviewed_at,
    )


# Freezing and the blacklist -----------------------------------------------------------------------


def _set_status(
    distributor: Distributor, *, actor, action: str, allowed_from, to: str, reason: str
) -> Distributor:
    reason = _reason(reason)
    distributor = locks.distributors_for_update([distributor.pk]).get()
    if distributor.status not in allowed_from:
        messages = {
            Distributor.Status.BLACKLISTED: _("This distributor is blacklisted; that is final."),
            Distributor.Status.FROZEN: _("This distributor is already frozen."),
            Distributor.Status.ACTIVE: _("This distributor is not frozen."),
        }
        raise DistributionError(messages[distributor.status], code="status")
    before = distributor.status
    distributor.status = to
    distributor.status_reason = reason
    distributor.save(update_fields=["status", "status_reason"])
    audit.record(
        actor=actor,
        action=action,
        obj=distributor,
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    return distributor


@transaction.atomic
def freeze_distributor(*, distributor: Distributor, actor, reason: str) -> Distributor:
    """Closes the micro-store for now: its page shows a notice and its links stop binding."""
    return _set_status(
        distributor,
        actor=actor,
        action="distributor.freeze",
        allowed_from={Distributor.Status.ACTIVE},
        to=Distributor.Status.FROZEN,
        reason=reason,
    )


@transaction.atomic
def unfreeze_distributor(*, distributor: Distributor, actor, reason: str) -> Distributor:
    return _set_status(
        distributor,
        actor=actor,
        action="distributor.unfreeze",
        allowed_from={Distributor.Status.FROZEN},
        to=Distributor.Status.ACTIVE,
        reason=reason,
    )


@transaction.atomic
def blacklist_distributor(*, distributor: Distributor, actor, reason: str) -> Distributor:
    """Closes the micro-store for good; the customer can never apply again."""
    return _set_status(
        distributor,
        actor=actor,
        action="distributor.blacklist",
        allowed_from={Distributor.Status.ACTIVE, Distributor.Status.FROZEN},
        to=Distributor.Status.BLACKLISTED,
        reason=reason,
    )


# The micro-store ----------------------------------------------------------------------------------


def _checked_avatar(avatar_file) -> str:
    """The file extension for the avatar's real format, or a DistributionError; file rewound."""
    try:
        return uploads.inspect_image(
            avatar_file, max_bytes=MAX_AVATAR_BYTES, max_pixels=MAX_AVATAR_PIXELS
        ).extension
    except uploads.ImageRejected as exc:
        if exc.problem is uploads.Problem.TOO_LARGE:
            raise DistributionError(
                _("An avatar can be at most 2 MB."), code="avatar_too_large"
            ) from exc
        raise DistributionError(
            _("Upload a JPEG, PNG or WebP image as your avatar."), code="not_an_image"
        ) from exc


@transaction.atomic
def update_store(
    *, distributor: Distributor, store_name: str, intro: str = "", avatar_file=None
) -> Distributor:
    """The distributor's own name, introduction and avatar; prices stay the brand's."""
    store_name = _text(store_name)
    if not store_name or len(store_name) > 40:
        raise DistributionError(
            _("Give your store a name of 1 to 40 characters."), code="store_name"
        )
    intro = str(intro or "").strip()
    if len(intro) > 300:
        raise DistributionError(_("Keep the introduction to 300 characters."), code="intro")
    extension = _checked_avatar(avatar_file) if avatar_file else None
    distributor = locks.distributors_for_update([distributor.pk]).get()
    distributor.store_name = store_name
    distributor.intro = intro
    fields = ["store_name", "intro"]
    if extension:
        old = distributor.avatar.name
        storage = distributor.avatar.storage
        distributor.avatar.save(
            f"{distributor.slug}-{uuid.uuid4().hex[:12]}.{extension}", avatar_file, save=False
        )
        fields.append("avatar")
        try:
            distributor.save(update_fields=fields)
        except Exception:
            storage.delete(distributor.avatar.name)  # no row points to it
            raise
        if old:
            transaction.on_commit(lambda: storage.delete(old))
        return distributor
    distributor.save(update_fields=fields)
    return distributor


@transaction.atomic
def set_featured_products(*, distributor: Distributor, product_ids: Sequence) -> list[int]:
    """Chooses and orders the products his store shows first. Published products only."""
    ordered: list[int] = []
    for raw in product_ids:
        try:
            product_id = int(raw)
        except (TypeError, ValueError):
            raise DistributionError(
                _("Choose products from the list."), code="bad_product"
            ) from None
        if product_id not in ordered:
            ordered.append(product_id)
    if len(ordered) > MAX_FEATURED:
        raise DistributionError(
            _("Feature at most %(count)d products.") % {"count": MAX_FEATURED}, code="too_many"
        )
    published = set(
        Product.objects.filter(pk__in=ordered, status=Product.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    if len(published) != len(ordered):
        raise DistributionError(
            _("Only products the brand has published can be featured."), code="not_published"
        )
    distributor = locks.distributors_for_update([distributor.pk]).get()
    FeaturedProduct.objects.filter(distributor=distributor).delete()
    FeaturedProduct.objects.bulk_create(
        FeaturedProduct(distributor=distributor, product_id=product_id, position=position)
        for position, product_id in enumerate(ordered)
    )
    return ordered
