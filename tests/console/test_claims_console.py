"""Quality claims in the console: customer service lists them, sees the photos, and decides;
the customer files one on his order page and sees the decision there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import deliver, pay, png_upload
from weishang.compliance.models import AuditEntry
from weishang.console import roles
from weishang.orders import claims
from weishang.orders.models import AfterSalesSettings, QualityClaim

from .conftest import english, messages_of
from .test_roles import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def service(client, django_user_model, brand):
    english(client).force_login(member(django_user_model, roles.CUSTOMER_SERVICE))
    return client


def filed(order, remedy="refund"):
    return claims.file_claim(
        order=order,
        customer=order.customer,
        order_line_id=order.lines.get().pk,
        quantity=1,
        remedy=remedy,
        description="枣子发霉",
        photos=[png_upload()],
    )


def test_the_claims_list_takes_the_same_queries_however_many_claims(
    service, paid_order, place, django_assert_max_num_queries
):
    filed(deliver(paid_order))
    with django_assert_max_num_queries(12) as first:
        page = service.get("/console/claims/")
    assert page.content.decode().count('data-testid="claim-row"') == 1
    for _ in range(4):
        filed(deliver(pay(place())))
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = service.get("/console/claims/")
    assert page.content.decode().count('data-testid="claim-row"') == 5


def test_service_sees_the_photo_and_approves_an_exchange(service, paid_order):
    claim = filed(deliver(paid_order), remedy="exchange")
    detail = service.get(f"/console/claims/{claim.number}/").content.decode()
    assert "枣子发霉" in detail and 'data-testid="claim-photo"' in detail
    photo = claim.photos.get()
    response = service.get(f"/console/claims/{claim.number}/photos/{photo.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert service.get(f"/console/claims/{claim.number}/photos/999999/").status_code == 404

    response = service.post(
        f"/console/claims/{claim.number}/approve/",
        {"remedy": "exchange", "reason": "换新"},
        follow=True,
    )
    assert messages_of(response) == [f"Claim {claim.number} is approved."]
    claim.refresh_from_db()
    assert (claim.status, claim.decided_remedy) == ("approved", "exchange")
    order_page = service.get(f"/console/orders/{claim.order.number}/").content.decode()
    assert f'href="/console/claims/{claim.number}/"' in order_page


def test_a_rejection_without_a_reason_is_a_message_and_changes_nothing(service, paid_order):
    claim = filed(deliver(paid_order))
    response = service.post(f"/console/claims/{claim.number}/reject/", {"reason": " "}, follow=True)
    assert messages_of(response) == ["Say why the claim is rejected; the customer will see it."]
    assert QualityClaim.objects.get(pk=claim.pk).status == "requested"


def test_the_customer_files_a_claim_after_the_window_and_reads_the_decision(
    client, customer, paid_order, staff, monkeypatch
):
    order = deliver(paid_order)
    later = timezone.now() + timedelta(days=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    english(client).force_login(customer.user)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="return-form"' not in page and 'data-testid="claim-form"' in page

    refused = client.post(
        f"/orders/{order.number}/claim/",
        {"order_line_id": order.lines.get().pk, "quantity": "1", "remedy": "refund"},
    )
    assert "Describe the quality problem." in [str(m) for m in refused.context["messages"]]
    assert not QualityClaim.objects.exists()

    response = client.post(
        f"/orders/{order.number}/claim/",
        {
            "order_line_id": order.lines.get().pk,
            "quantity": "1",
            "remedy": "repair",
            "description": "包装破损，枣子发霉",
            "photos": png_upload(),
        },
        follow=True,
    )
    claim = QualityClaim.objects.get()
    assert (claim.remedy, claim.requested_at) == ("repair", later)
    claims.reject_claim(claim=claim, actor=staff, reason="照片看不出问题，请补拍")
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert response.status_code == 200 and "照片看不出问题，请补拍" in page


def test_the_owner_sets_the_claim_period_with_its_legal_note(client, django_user_model, brand):
    english(client).force_login(member(django_user_model, roles.OWNER))
    page = client.get("/console/claims/settings/").content.decode()
    assert 'value="730"' in page and "Civil Code Art. 621" in page
    refused = client.post("/console/claims/settings/", {"claim_days": "６０"}, follow=True)
    assert messages_of(refused) == [
        "Quality claims accepted for (days after sign-for): Enter a whole number."
    ]
    client.post("/console/claims/settings/", {"claim_days": "365"})
    assert AfterSalesSettings.current().claim_days == 365
    entry = AuditEntry.objects.get(action="aftersales.settings")
    assert (entry.before, entry.after) == ({"claim_days": 730}, {"claim_days": 365})


def test_customer_service_reads_the_claim_period_but_cannot_change_it(service):
    assert service.get("/console/claims/settings/").status_code == 200
    assert service.post("/console/claims/settings/", {"claim_days": "30"}).status_code == 403
    assert AfterSalesSettings.current().claim_days == 730


def test_the_customer_says_how_he_sent_the_goods_and_service_sees_it(
    client, customer, paid_order, staff
):
    order = deliver(paid_order)
    claim = claims.approve_claim(claim=filed(order, "repair"), actor=staff, remedy="repair")
    english(client).force_login(customer.user)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="claim-sent-form"' in page
    refused = client.post(
        f"/orders/{order.number}/claim/sent/",
        {"claim": claim.number, "carrier": "yunda", "tracking_no": ""},
        follow=True,
    )
    assert messages_of(refused) == ["Tracking number: Enter the carrier and the tracking number."]
    client.post(
        f"/orders/{order.number}/claim/sent/",
        {"claim": claim.number, "carrier": "yunda", "tracking_no": "4318826401937"},
    )
    missing = client.post(
        f"/orders/{order.number}/claim/sent/",
        {"claim": "Q000", "carrier": "yunda", "tracking_no": "4318826401937"},
    )
    assert missing.status_code == 404
    client.force_login(member(django_user_model=type(staff), role=roles.CUSTOMER_SERVICE))
    detail = client.get(f"/console/claims/{claim.number}/").content.decode()
    assert "Yunda Express · tracking no. 4318826401937" in detail
