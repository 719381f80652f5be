"""Every write of reseller mode: the brand's bands, approving resellers, a reseller's prices.

Staff acts take the ``actor`` and write the audit entry in their transaction. Joining costs
nothing and needs no purchase (《禁止传销条例》Art. 7(2); 不压货): the brand ships every order.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weishang.catalog.models import Sku
from weishang.compliance import audit
from weishang.core_errors import DomainError
from weishang.distribution.models import Distributor
from weishang.money import format_fen
from weishang.notifications.events import Event
from weishang.notifications.services import notify, notify_many

from . import rules
from .locks import listings_for_update, reseller_for_update, sku_for_update
from .models import Listing, ListingChange, Reseller, ResellerPricing


class ResellerError(DomainError):
    code = "reseller"


def _refused(refusal: rules.BandRefused) -> ResellerError:
    return ResellerError(refusal.message, code=refusal.code)


def _in_every_language(make) -> dict[str, str]:
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = make()
    return words


# Resellers ---------------------------------------------------------------------------------------


def _selling(distributor: Distributor) -> Distributor:
    distributor = Distributor.objects.get(pk=distributor.pk)
    if not distributor.can_sell or distributor.approved_at is None:
        raise ResellerError(
            _("Only an active, approved distributor can be a reseller."), code="not_distributor"
        )
    return distributor


@transaction.atomic
def apply_as_reseller(*, distributor: Distributor, now: datetime | None = None) -> Reseller:
    """He asks to resell; staff decide. Free, and no purchase is asked of him (不压货)."""
    now = now or timezone.now()
    distributor = _selling(distributor)
    reseller = reseller_for_update(distributor.pk).first()
    if reseller is not None and reseller.status == Reseller.Status.APPROVED:
        return reseller
    if reseller is None:
        reseller = Reseller(distributor=distributor)
    reseller.status, reseller.applied_at, reseller.reason = Reseller.Status.APPLIED, now, ""
    reseller.save()
    return reseller


@transaction.atomic
def approve_reseller(*, actor, distributor: Distributor, now: datetime | None = None) -> Reseller:
    """Staff approve him, on his application or of their own accord (the staff switch)."""
    now = now or timezone.now()
    distributor = _selling(distributor)
    reseller = reseller_for_update(distributor.pk).first() or Reseller(distributor=distributor)
    before = reseller.status if reseller.pk else None
    if before == Reseller.Status.APPROVED:
        return reseller
    reseller.status, reseller.decided_at, reseller.decided_by = Reseller.Status.APPROVED, now, actor
    reseller.reason = ""
    reseller.save()
    audit.record(
        actor=actor,
        action="reseller.approve",
        obj=reseller,
        before={"status": before},
        after={"status": reseller.status, "distributor": distributor.pk},
    )
    notify(
        customer_id=distributor.customer_id,
        event=Event.RESELLER_APPROVED,
        params={},
        key=f"reseller_approved:{reseller.pk}:{int(now.timestamp())}",
        now=now,
    )
    return reseller


@transaction.atomic
def revoke_reseller(
    *, actor, distributor: Distributor, reason: str, now: datetime | None = None
) -> Reseller:
    """Staff end his reseller standing (or turn down his application): his prices stop applying
    to new orders at once; orders placed keep theirs, and their markup settles as usual."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ResellerError(_("Say why; the distributor will see it."), code="no_reason")
    reseller = reseller_for_update(distributor.pk).first()
    if reseller is None or reseller.status == Reseller.Status.REVOKED:
        raise ResellerError(_("This distributor is not a reseller."), code="not_reseller")
    before = reseller.status
    reseller.status, reseller.decided_at, reseller.decided_by = Reseller.Status.REVOKED, now, actor
    reseller.reason = reason
    reseller.save()
    audit.record(
        actor=actor,
        action="reseller.revoke",
        obj=reseller,
        before={"status": before},
        after={"status": reseller.status, "distributor": distributor.pk},
        reason=reason,
    )
    return reseller


# The brand's bands -------------------------------------------------------------------------------


def _tell_suspended(listings, sku: Sku, band: ResellerPricing, now: datetime) -> None:
    product = f"{sku.product.name} {sku.name}"

    def why():
        if not band.is_open:
            return _("the brand closed reseller pricing for it.")
        return _("the brand's band is now %(supply)s to %(ceiling)s.") % {
            "supply": format_fen(band.supply_fen),
            "ceiling": format_fen(band.ceiling_fen),
        }

    words = _in_every_language(why)
    stamp = int(now.timestamp() * 1000)
    notify_many(
        event=Event.RESELLER_PRICE_SUSPENDED,
        messages=[
            (
                customer_id,
                {"product": product, "price": format_fen(price), "why": words},
                f"reseller_suspended:{listing_id}:{stamp}",
            )
            for listing_id, customer_id, price in listings
        ],
        now=now,
    )


@transaction.atomic
def set_band(
    *, actor, sku: Sku, supply_fen, ceiling_fen, is_open: bool, now: datetime | None = None
) -> tuple[ResellerPricing, int]:
    """The brand opens, moves or closes the band of a SKU. Every reseller price for it is checked
    again: one now outside the band (or any, on a closed band) is suspended, and its reseller is
    told. Returns the band and how many prices were suspended."""
    now = now or timezone.now()
    try:
        band = rules.check_band(supply_fen, ceiling_fen)
    except rules.BandRefused as refusal:
        raise _refused(refusal) from refusal
    sku = sku_for_update(sku.pk).select_related("product").get()
    pricing = ResellerPricing.objects.filter(sku=sku).first()
    before = (
        None
        if pricing is None
        else {
            "supply_fen": pricing.supply_fen,
            "ceiling_fen": pricing.ceiling_fen,
            "is_open": pricing.is_open,
        }
    )
    pricing = pricing or ResellerPricing(sku=sku)
    pricing.supply_fen, pricing.ceiling_fen = band.supply_fen, band.ceiling_fen
    pricing.is_open, pricing.updated_at, pricing.updated_by = bool(is_open), now, actor
    pricing.save()
    active = list(
        listings_for_update(sku=sku, status=Listing.Status.ACTIVE).select_related("distributor")
    )
    suspended = [
        listing
        for listing in active
        if not pricing.is_open or not rules.in_band(listing.price_fen, band)
    ]
    note = (
        _("The brand closed reseller pricing for this product.")
        if not pricing.is_open
        else _("Outside the brand's band of %(supply)s to %(ceiling)s.")
        % {"supply": format_fen(band.supply_fen), "ceiling": format_fen(band.ceiling_fen)}
    )
    for listing in suspended:
        listing.status, listing.note, listing.updated_at = Listing.Status.SUSPENDED, note, now
        listing.save(update_fields=["status", "note", "updated_at"])
    ListingChange.objects.bulk_create(
        ListingChange(
            listing=listing,
            price_fen=listing.price_fen,
            status=listing.status,
            note=note,
            created_at=now,
        )
        for listing in suspended
    )
    _tell_suspended(
        [(x.pk, x.distributor.customer_id, x.price_fen) for x in suspended], sku, pricing, now
    )
    audit.record(
        actor=actor,
        action="reseller.band",
        obj=pricing,
        before=before,
        after={
            "sku": sku.code,
            "supply_fen": pricing.supply_fen,
            "ceiling_fen": pricing.ceiling_fen,
            "is_open": pricing.is_open,
            "suspended": len(suspended),
        },
    )
    return pricing, len(suspended)


# A reseller's prices ------------------------------------------------------------------------------


def _approved(distributor: Distributor) -> Reseller:
    reseller = Reseller.objects.filter(distributor_id=distributor.pk).first()
    if reseller is None or reseller.status != Reseller.Status.APPROVED:
        raise ResellerError(
            _("Only a reseller the brand approved can set his own prices."), code="not_reseller"
        )
    if not Distributor.objects.get(pk=distributor.pk).can_sell:
        raise ResellerError(
            _("Your store is not open, so you cannot change your prices."), code="not_selling"
        )
    return reseller


@transaction.atomic
def set_price(
    *, distributor: Distributor, sku: Sku, price_fen, now: datetime | None = None
) -> Listing:
    """He sells the SKU at his own price (new orders only; placed orders keep theirs). Refused
    outside the band, with its numbers; nothing changes then."""
    now = now or timezone.now()
    _approved(distributor)
    sku = sku_for_update(sku.pk).get()
    pricing = ResellerPricing.objects.filter(sku=sku, is_open=True).first()
    if pricing is None:
        raise ResellerError(
            _("The brand does not offer this product to resellers."), code="band_closed"
        )
    try:
        price_fen = rules.check_price(
            price_fen, rules.Band(pricing.supply_fen, pricing.ceiling_fen)
        )
    except rules.BandRefused as refusal:
        raise _refused(refusal) from refusal
    listing = listings_for_update(distributor_id=distributor.pk, sku=sku).first()
    if listing is None:
        listing = Listing(distributor_id=distributor.pk, sku=sku)
    elif listing.status == Listing.Status.ACTIVE and listing.price_fen == price_fen:
        return listing
    listing.price_fen, listing.status, listing.note, listing.updated_at = (
        price_fen,
        Listing.Status.ACTIVE,
        "",
        now,
    )
    listing.save()
    ListingChange.objects.create(
        listing=listing, price_fen=price_fen, status=listing.status, created_at=now
    )
    return listing


@transaction.atomic
def withdraw_listing(*, distributor: Distributor, sku: Sku, now: datetime | None = None) -> Listing:
    """He stops reselling the SKU: his store shows the brand's price again."""
    now = now or timezone.now()
    listing = listings_for_update(distributor_id=distributor.pk, sku_id=sku.pk).first()
    if listing is None or listing.status == Listing.Status.WITHDRAWN:
        raise ResellerError(_("You do not resell this product."), code="not_listed")
    listing.status, listing.note, listing.updated_at = Listing.Status.WITHDRAWN, "", now
    listing.save(update_fields=["status", "note", "updated_at"])
    ListingChange.objects.create(
        listing=listing, price_fen=listing.price_fen, status=listing.status, created_at=now
    )
    return listing
