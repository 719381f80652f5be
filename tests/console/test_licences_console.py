"""Licences in the console: staff only, add/edit/retire with messages, bad input changes nothing,
and expiry warnings on the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse

from weishang.catalog import licences
from weishang.catalog.models import Licence
from weishang.compliance.models import AuditEntry

from .conftest import english, messages_of


def form(**fields):
    data = {
        "kind": "business_licence",
        "number": "91652824MA78QJ5K1D",
        "holder": "新疆枣知道农业有限公司",
        "issued_on": "2024-01-01",
        "expires_on": "",
        "shown": "on",
    }
    data.update(fields)
    return data


def test_staff_only(client, brand, staff):
    licence = licences.add_licence(
        actor=staff, kind="other", number="X1", holder="h", issued_on=licences.local_today()
    )
    english(client)
    for url in (
        reverse("console:licence_list"),
        reverse("console:licence_edit", args=[licence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response["Location"]
    response = client.post(reverse("console:licence_list"), form(number="SNEAKY"))
    assert response.status_code == 302
    response = client.post(reverse("console:licence_retire", args=[licence.pk]), {"reason": "x"})
    assert response.status_code == 302
    assert not Licence.objects.filter(number="SNEAKY").exists()
    assert Licence.objects.get(pk=licence.pk).shown


def test_add_edit_and_retire(console, brand):
    response = console.post(reverse("console:licence_list"), form(), follow=True)
    assert "The licence 91652824MA78QJ5K1D is added." in messages_of(response)
    licence = Licence.objects.get()
    assert licence.expires_on is None and licence.shown

    response = console.post(
        reverse("console:licence_edit", args=[licence.pk]),
        form(kind="food_production", number="SC11265282400317", expires_on="2030-12-31"),
        follow=True,
    )
    assert "The licence SC11265282400317 is saved." in messages_of(response)
    licence.refresh_from_db()
    assert licence.number == "SC11265282400317" and str(licence.expires_on) == "2030-12-31"

    response = console.post(
        reverse("console:licence_retire", args=[licence.pk]), {"reason": "revoked"}, follow=True
    )
    assert any("retired" in m for m in messages_of(response))
    assert not Licence.objects.get().shown
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "licence.add",
        "licence.update",
        "licence.retire",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": ""}, "Licence number"),
        ({"issued_on": "not a date"}, "Issued on"),
        ({"expires_on": "2020-01-01"}, "A licence cannot expire before it was issued."),
        ({"kind": "fake"}, "Kind"),
    ],
)
def test_bad_input_changes_nothing(console, brand, fields, message):
    response = console.post(reverse("console:licence_list"), form(**fields))
    assert response.status_code == 200
    assert any(message in m for m in messages_of(response))
    assert not Licence.objects.exists() and not AuditEntry.objects.exists()


def test_retire_without_reason_changes_nothing(console, brand, staff):
    licence = licences.add_licence(
        actor=staff, kind="other", number="X1", holder="h", issued_on=licences.local_today()
    )
    response = console.post(reverse("console:licence_retire", args=[licence.pk]), {"reason": ""})
    assert response.status_code == 302
    assert Licence.objects.get().shown


def test_dashboard_warns_of_expired_and_expiring(console, brand, staff):
    today = licences.local_today()
    for number, expires_on in (
        ("OLD-1", today - timedelta(days=3)),
        ("SOON-1", today + timedelta(days=12)),
        ("FINE-1", today + timedelta(days=400)),
    ):
        licences.add_licence(
            actor=staff,
            kind="food_business",
            number=number,
            holder="h",
            issued_on=today - timedelta(days=800),
            expires_on=expires_on,
        )
    page = console.get(reverse("console:dashboard")).content.decode()
    expired = page.split('data-licence-warning="expired"')[1].split("</p>")[0]
    expiring = page.split('data-licence-warning="expiring"')[1].split("</p>")[0]
    assert "OLD-1" in expired and "expired on" in expired
    assert "SOON-1" in expiring and "in 12 days" in expiring
    assert "FINE-1" not in page.split("<main>")[1].split('<footer class="licence">')[0]

    listing = console.get(reverse("console:licence_list")).content.decode()
    assert 'data-state="expired"' in listing and 'data-state="expiring"' in listing


def test_list_query_count(console, brand, staff, django_assert_max_num_queries):
    for n in range(5):
        licences.add_licence(
            actor=staff, kind="other", number=f"N{n}", holder="h", issued_on=licences.local_today()
        )
    with django_assert_max_num_queries(8):
        response = console.get(reverse("console:licence_list"))
    assert response.content.decode().count('id="licence-') == 5
