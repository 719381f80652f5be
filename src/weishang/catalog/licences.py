"""The seller's licences (E-commerce Law Art. 12, 15; Food Safety Law Art. 35): reads for the
store footer and the console, and every write, each recorded in the audit log."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.compliance import audit

from .errors import CatalogError
from .models import Brand, Licence, LicenceKind

EXPIRY_WARNING_DAYS = 30
VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"
AUDITED_FIELDS = ("kind", "number", "holder", "issued_on", "expires_on", "image", "shown")


class LicenceError(CatalogError):
    pass


# Rules -----------------------------------------------------------------------------------------


def expiry_state(expires_on: date | None, today: date, warn_days: int = EXPIRY_WARNING_DAYS) -> str:
    """``expired`` after the expiry day, ``expiring`` within ``warn_days`` of it, else ``valid``;
    a licence without an expiry date is always valid."""
    if expires_on is None:
        return VALID
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + timedelta(days=warn_days):
        return EXPIRING
    return VALID


def local_today() -> date:
    """Today in the brand's time zone (Asia/Shanghai), not UTC."""
    return timezone.localdate()


def _with_state(licence: Licence, today: date) -> Licence:
    licence.expiry_state = expiry_state(licence.expires_on, today)
    licence.days_left = None if licence.expires_on is None else (licence.expires_on - today).days
    return licence


# Selectors -------------------------------------------------------------------------------------


@dataclass
class Footer:
    brand: Brand | None
    licences: list[Licence]

    @property
    def warnings(self) -> list[Licence]:
        return [lic for lic in self.licences if lic.expiry_state != VALID]


_BRAND_FIELDS = [f.attname for f in Brand._meta.concrete_fields]
_LICENCE_FIELDS = [f.attname for f in Licence._meta.concrete_fields]


def footer() -> Footer:
    """The brand and its shown licences in ONE query (a left join), so adding licences to every
    page costs no extra round trip."""
    first = Brand.objects.order_by("pk").values("pk")[:1]
    rows = (
        Brand.objects.filter(pk__in=first)
        .annotate(shown_licence=FilteredRelation("licences", condition=Q(licences__shown=True)))
        .order_by("shown_licence__position", "shown_licence__pk")
        .values(*_BRAND_FIELDS, *(f"shown_licence__{name}" for name in _LICENCE_FIELDS))
    )
    brand, licences, today = None, [], local_today()
    for row in rows:
        if brand is None:
            brand = Brand(**{name: row[name] for name in _BRAND_FIELDS})
        if row["shown_licence__id"] is not None:
            licence = Licence(**{name: row[f"shown_licence__{name}"] for name in _LICENCE_FIELDS})
            licences.append(_with_state(licence, today))
    return Footer(brand=brand, licences=licences)


def licences_for_console() -> list[Licence]:
    """Every licence, shown ones first, with its expiry state."""
    today = local_today()
    return [
        _with_state(licence, today)
        for licence in Licence.objects.order_by("-shown", "position", "pk")
    ]


def licence(licence_id: int) -> Licence:
    """Raises Licence.DoesNotExist."""
    return _with_state(Licence.objects.get(pk=licence_id), local_today())


def shown_licences() -> QuerySet[Licence]:
    return Licence.objects.filter(shown=True).order_by("position", "pk")


# Services --------------------------------------------------------------------------------------


def _snapshot(licence: Licence) -> dict:
    return {
        name: (getattr(licence, name).name or "" if name == "image" else getattr(licence, name))
        for name in AUDITED_FIELDS
    }


def _text(value, *, field: str) -> str:
    text = str(value or "").strip()
    model_field = Licence._meta.get_field(field)
    if not text:
        raise LicenceError(
            _("Enter the %(field)s.") % {"field": model_field.verbose_name}, code="required"
        )
    if len(text) > model_field.max_length:
        raise LicenceError(
            _("The %(field)s can be at most %(n)d characters.")
            % {"field": model_field.verbose_name, "n": model_field.max_length},
            code="too_long",
        )
    return text


def _clean(*, kind, number, holder, issued_on, expires_on) -> dict:
    if kind not in LicenceKind.values:
        raise LicenceError(_("Choose one of the licence kinds."), code="bad_kind")
    if not isinstance(issued_on, date):
        raise LicenceError(_("Enter the date the licence was issued."), code="bad_date")
    if expires_on is not None and not isinstance(expires_on, date):
        raise LicenceError(_("Enter a valid expiry date or leave it empty."), code="bad_date")
    if expires_on is not None and expires_on < issued_on:
        raise LicenceError(
            _("A licence cannot expire before it was issued."), code="expires_before_issue"
        )
    return {
        "kind": kind,
        "number": _text(number, field="number"),
        "holder": _text(holder, field="holder"),
        "issued_on": issued_on,
        "expires_on": expires_on,
    }


def _save_with_image(licence: Licence, image_file, *, update_fields=None) -> None:
    """Stores a checked scan (named by us, never by the upload) and then the row; if the row
    cannot be saved the file goes too, as with product images."""
    from .services import IMAGE_FORMATS, _checked_image  # the product images' checks

    old_name = licence.image.name if image_file is not None else None
    if image_file is not None:
        image_format = _checked_image(image_file)
        name = f"licence-{uuid.uuid4().hex[:12]}.{IMAGE_FORMATS[image_format]}"
        licence.image.save(name, image_file, save=False)
    try:
        if update_fields is None:
            licence.save(force_insert=True)
        else:
            licence.save(update_fields=update_fields)
    except Exception:
        if image_file is not None:
            licence.image.storage.delete(licence.image.name)
        raise
    if old_name:
        storage = licence.image.storage
        transaction.on_commit(lambda: storage.delete(old_name))


@transaction.atomic
def add_licence(
    *,
    actor,
    kind: str,
    number: str,
    holder: str,
    issued_on: date,
    expires_on: date | None = None,
    image_file=None,
    shown: bool = True,
) -> Licence:
    """Records a new licence of the brand; shown in every store footer unless ``shown`` is off."""
    fields = _clean(
        kind=kind, number=number, holder=holder, issued_on=issued_on, expires_on=expires_on
    )
    brand = Brand.objects.order_by("pk").first()
    if brand is None:
        raise LicenceError(_("Set up the brand before adding its licences."), code="no_brand")
    last = Licence.objects.order_by("-position").values_list("position", flat=True).first()
    licence = Licence(
        brand=brand, shown=bool(shown), position=0 if last is None else last + 1, **fields
    )
    _save_with_image(licence, image_file)
    audit.record(actor=actor, action="licence.add", obj=licence, after=_snapshot(licence))
    return licence


@transaction.atomic
def update_licence(
    *,
    actor,
    licence: Licence,
    kind: str,
    number: str,
    holder: str,
    issued_on: date,
    expires_on: date | None,
    shown: bool,
    image_file=None,
) -> Licence:
    """Corrects or renews a licence (a renewal usually brings a new number and expiry date)."""
    fields = _clean(
        kind=kind, number=number, holder=holder, issued_on=issued_on, expires_on=expires_on
    )
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    before = _snapshot(licence)
    for name, value in fields.items():
        setattr(licence, name, value)
    licence.shown = bool(shown)
    changed = [*fields, "shown"] + (["image"] if image_file is not None else [])
    _save_with_image(licence, image_file, update_fields=changed)
    after = _snapshot(licence)
    if after != before:
        audit.record(actor=actor, action="licence.update", obj=licence, before=before, after=after)
    return licence


@transaction.atomic
def retire_licence(*, actor, licence: Licence, reason: str) -> Licence:
    """Takes a licence off the store footer (revoked, replaced, no longer relevant); the row
    stays as a record."""
    reason = str(reason or "").strip()
    if not reason:
        raise LicenceError(_("Say why the licence is retired."), code="reason_required")
    if len(reason) > 300:
        raise LicenceError(_("The reason can be at most 300 characters."), code="too_long")
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if not licence.shown:
        raise LicenceError(_("This licence is already retired."), code="already_retired")
    before = _snapshot(licence)
    licence.shown = False
    licence.save(update_fields=["shown"])
    audit.record(
        actor=actor,
        action="licence.retire",
        obj=licence,
        before=before,
        after=_snapshot(licence),
        reason=reason,
    )
    return licence
