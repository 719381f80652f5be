"""Approving resellers, the brand's bands and a reseller's prices, through the services."""

import pytest

from weishang.compliance.models import AuditEntry
from weishang.notifications.events import body
from weishang.notifications.models import Message
from weishang.reseller import services
from weishang.reseller.models import Listing, ListingChange, Reseller

pytestmark = pytest.mark.django_db


def test_a_distributor_applies_free_and_staff_approve_him_with_an_audit_entry(seller, staff):
    applied = services.apply_as_reseller(distributor=seller)
    assert applied.status == Reseller.Status.APPLIED
    approved = services.approve_reseller(actor=staff, distributor=seller)
    assert approved.pk == applied.pk and approved.status == Reseller.Status.APPROVED
    entry = AuditEntry.objects.get(action="reseller.approve")
    assert entry.actor == staff and entry.after["status"] == "approved"
    assert Message.objects.filter(customer=seller.customer, event="reseller_approved").exists()


def test_a_frozen_distributor_cannot_become_a_reseller(make_seller, staff):
    frozen = make_seller(status="frozen")
    with pytest.raises(services.ResellerError):
        services.approve_reseller(actor=staff, distributor=frozen)
    assert not Reseller.objects.exists()


def test_revoking_needs_a_reason_and_is_audited(reseller, staff):
    with pytest.raises(services.ResellerError):
        services.revoke_reseller(actor=staff, distributor=reseller, reason="  ")
    services.revoke_reseller(actor=staff, distributor=reseller, reason="asked to stop")
    assert Reseller.objects.get().status == Reseller.Status.REVOKED
    assert AuditEntry.objects.filter(action="reseller.revoke", reason="asked to stop").exists()


def test_a_reseller_sets_his_price_inside_the_band_and_its_history_is_kept(reseller, sku, band):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4500)
    services.set_price(distributor=reseller, sku=sku, price_fen=5000)
    listing = Listing.objects.get()
    assert listing.price_fen == 5000 and listing.status == Listing.Status.ACTIVE
    assert [c.price_fen for c in ListingChange.objects.order_by("pk")] == [4500, 5000]


@pytest.mark.parametrize(("price", "shown"), [(2999, "¥29.99"), (6001, "¥60.01")])
def test_a_price_outside_the_band_is_refused_with_the_numbers_and_nothing_changes(
    reseller, sku, band, price, shown
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    with pytest.raises(services.ResellerError) as refused:
        services.set_price(distributor=reseller, sku=sku, price_fen=price)
    assert shown in refused.value.message and "¥30.00" in refused.value.message
    assert Listing.objects.get().price_fen == 4000
    assert ListingChange.objects.count() == 1


def test_only_an_approved_reseller_sets_prices_and_only_on_an_open_band(seller, sku, band, staff):
    band(sku)
    with pytest.raises(services.ResellerError):
        services.set_price(distributor=seller, sku=sku, price_fen=4000)
    services.approve_reseller(actor=staff, distributor=seller)
    band(sku, is_open=False)
    with pytest.raises(services.ResellerError):
        services.set_price(distributor=seller, sku=sku, price_fen=4000)
    assert not Listing.objects.exists()


def test_moving_the_band_suspends_prices_now_outside_and_tells_each_reseller(
    reseller, make_seller, sku, band, staff
):
    other = make_seller()
    services.approve_reseller(actor=staff, distributor=other)
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5800)
    services.set_price(distributor=other, sku=sku, price_fen=4000)
    _pricing, suspended = services.set_band(
        actor=staff, sku=sku, supply_fen=3500, ceiling_fen=5000, is_open=True
    )
    assert suspended == 1
    assert Listing.objects.get(distributor=reseller).status == Listing.Status.SUSPENDED
    assert Listing.objects.get(distributor=other).status == Listing.Status.ACTIVE
    message = Message.objects.get(customer=reseller.customer, event="reseller_price_suspended")
    text = body(message.event, message.params)
    assert "¥58.00" in text and "¥35.00" in text and "¥50.00" in text
    assert not Message.objects.filter(
        customer=other.customer, event="reseller_price_suspended"
    ).exists()
    audit = AuditEntry.objects.filter(action="reseller.band").latest("pk")
    assert audit.after["suspended"] == 1 and audit.before["ceiling_fen"] == 6000
    # Setting a price inside the new band puts it back on sale.
    services.set_price(distributor=reseller, sku=sku, price_fen=4900)
    assert Listing.objects.get(distributor=reseller).status == Listing.Status.ACTIVE


def test_closing_the_band_suspends_every_price(reseller, sku, band):
    band(sku)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    band(sku, is_open=False)
    listing = Listing.objects.get()
    assert listing.status == Listing.Status.SUSPENDED and "closed" in listing.note


def test_a_band_with_its_ceiling_below_supply_is_refused_and_nothing_changes(sku, band, staff):
    band(sku, 3000, 6000)
    with pytest.raises(services.ResellerError):
        services.set_band(actor=staff, sku=sku, supply_fen=5000, ceiling_fen=4000, is_open=True)
    assert sku.reseller_pricing.ceiling_fen == 6000


def test_withdrawing_a_listing(reseller, sku, band):
    band(sku)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    services.withdraw_listing(distributor=reseller, sku=sku)
    assert Listing.objects.get().status == Listing.Status.WITHDRAWN
    with pytest.raises(services.ResellerError):
        services.withdraw_listing(distributor=reseller, sku=sku)
