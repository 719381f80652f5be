"""The seller's licences: audit-logged writes that refuse bad input, expiry states in Shanghai
days, and the footer of every store page — micro-stores included — showing them honestly."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from weishang.catalog import licences
from weishang.catalog.errors import CatalogError
from weishang.catalog.licences import EXPIRED, EXPIRING, VALID, LicenceError, expiry_state
from weishang.catalog.models import Licence
from weishang.compliance.models import AuditEntry

TODAY = date(2026, 5, 1)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def add(actor, **fields):
    values = {
        "kind": "food_production",
        "number": "SC11265282400317",
        "holder": "新疆枣知道农业有限公司",
        "issued_on": date(2024, 1, 1),
        "expires_on": date(2029, 1, 1),
    }
    values.update(fields)
    return licences.add_licence(actor=actor, **values)


def test_expiry_states():
    assert expiry_state(None, TODAY) == VALID
    assert expiry_state(TODAY + timedelta(days=31), TODAY) == VALID
    assert expiry_state(TODAY + timedelta(days=30), TODAY) == EXPIRING
    assert expiry_state(TODAY, TODAY) == EXPIRING  # valid through its last day
    assert expiry_state(TODAY - timedelta(days=1), TODAY) == EXPIRED


@given(st.dates(), st.dates())
def test_expired_exactly_when_the_day_has_passed(expires_on, today):
    state = expiry_state(expires_on, today)
    assert (state == EXPIRED) == (expires_on < today)
    assert (state == EXPIRING) == (today <= expires_on <= today + timedelta(days=30))


def test_add_update_retire_are_audit_logged(brand, staff):
    licence = add(staff)
    licence = licences.update_licence(
        actor=staff,
        licence=licence,
        kind="food_production",
        number="SC11265282400999",
        holder=licence.holder,
        issued_on=licence.issued_on,
        expires_on=date(2031, 1, 1),
        shown=True,
    )
    licences.retire_licence(actor=staff, licence=licence, reason="replaced by the new licence")

    licence.refresh_from_db()
    assert not licence.shown and licence.number == "SC11265282400999"
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == ["licence.add", "licence.update", "licence.retire"]
    assert entries[1].before["number"] == "SC11265282400317"
    assert entries[1].after["number"] == "SC11265282400999"
    assert entries[1].after["expires_on"] == "2031-01-01"
    assert entries[2].reason == "replaced by the new licence"
    assert all(e.actor_label == "operator" for e in entries)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "  "}, "Enter the licence number."),
        ({"holder": ""}, "Enter the holder."),
        ({"number": "x" * 65}, "at most 64 characters"),
        ({"kind": "fake"}, "Choose one of the licence kinds."),
        ({"expires_on": date(2023, 1, 1)}, "cannot expire before it was issued"),
        ({"issued_on": "2024-01-01"}, "Enter the date the licence was issued."),
    ],
)
def test_bad_input_changes_nothing(brand, staff, fields, message):
    with pytest.raises(LicenceError) as caught:
        add(staff, **fields)
    assert message in str(caught.value)
    assert not Licence.objects.exists() and not AuditEntry.objects.exists()


def test_retire_needs_a_reason_and_happens_once(brand, staff):
    licence = add(staff)
    with pytest.raises(LicenceError):
        licences.retire_licence(actor=staff, licence=licence, reason=" ")
    licences.retire_licence(actor=staff, licence=licence, reason="revoked")
    with pytest.raises(LicenceError):
        licences.retire_licence(actor=staff, licence=licence, reason="again")
    assert AuditEntry.objects.filter(action="licence.retire").count() == 1


def test_a_licence_scan_must_be_an_image(brand, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(CatalogError, match="Upload a JPEG, PNG or WebP image"):
        add(staff, image_file=fake)
    assert not Licence.objects.exists()


# The footer ------------------------------------------------------------------------------------


@pytest.fixture
def shown(brand, staff):
    today = licences.local_today()
    return {
        "valid": add(staff, kind="business_licence", number="91652824MA78QJ5K1D", expires_on=None),
        "expiring": add(staff, number="SC-EXPIRING-1", expires_on=today + timedelta(days=10)),
        "expired": add(
            staff, kind="food_filing", number="JY-EXPIRED-1", expires_on=today - timedelta(days=1)
        ),
        "retired": licences.retire_licence(
            actor=staff, licence=add(staff, number="RETIRED-1"), reason="replaced"
        ),
    }


def assert_footer(response, shown):
    assert response.status_code == 200
    footer = response.content.decode().split('<footer class="licence">')[1]
    assert "新疆枣知道农业有限公司" in footer  # the seller as before
    for key in ("valid", "expiring", "expired"):
        assert shown[key].number in footer, key
    assert "RETIRED-1" not in footer
    expired = footer.split('data-licence="JY-EXPIRED-1"')[1].split("</li>")[0]
    assert "EXPIRED on" in expired  # the brand must not pretend
    assert "no expiry date" in footer.split('data-licence="91652824MA78QJ5K1D"')[1]
    assert "valid until" in footer.split('data-licence="SC-EXPIRING-1"')[1].split("</li>")[0]


def test_store_and_product_pages_show_the_licences(client, shown, sku):
    english(client)
    assert_footer(client.get("/"), shown)
    assert_footer(client.get(f"/p/{sku.product.slug}/"), shown)


def test_micro_store_shows_the_licences(client, shown, sku, make_distributor):
    try:
        url = reverse("storefront:microstore", args=[make_distributor().slug])
    except NoReverseMatch:
        pytest.skip("the micro-store page is not there yet")
    english(client)
    assert_footer(client.get(url), shown)


def test_footer_costs_no_extra_query(client, brand, staff, django_assert_max_num_queries):
    """Brand and licences come in the one query the brand alone took before."""
    english(client)
    with django_assert_max_num_queries(3) as captured:
        client.get("/login/")
    add(staff)
    add(staff, number="SECOND")
    with django_assert_max_num_queries(len(captured)):
        response = client.get("/login/")
    assert "SECOND" in response.content.decode()


def test_footer_without_licences_keeps_the_brand(client, brand):
    english(client)
    footer = client.get("/").content.decode().split('<footer class="licence">')[1]
    assert brand.business_licence_no in footer and '<ul class="licences"' not in footer


def test_demo_brand_has_its_licences(db, client):
    from weishang.demo.loader import load_demo

    load_demo()
    kinds = set(Licence.objects.filter(shown=True).values_list("kind", flat=True))
    assert kinds == {"business_licence", "food_production"}
    english(client)
    assert "91652824MA78QJ5K1D" in client.get("/").content.decode().split("<footer")[1]
