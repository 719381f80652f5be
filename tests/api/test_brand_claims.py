"""Quality claims over a staff API key: the queue by status, one claim, and the console's acts
(approve with a remedy, reject, ship back), each audited with the key's maker and open to the
roles that take returns."""

import pytest

from tests.console.test_every_act_audited import World
from weishang.compliance.models import AuditEntry
from weishang.orders.models import ClaimStatus, QualityClaim

from .conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(brand, make_customer, make_product, make_distributor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return World(make_customer, make_product, make_distributor)


def _audit(action):
    return list(AuditEntry.objects.filter(action=action, actor__isnull=False))


def test_the_claim_queue_lists_open_claims_with_the_customer_masked_by_role(
    world, as_role, django_assert_max_num_queries
):
    claims = [world.claim() for _n in range(3)]
    service = as_role("customer_service")
    with django_assert_max_num_queries(8):
        first = service.get("/brand/claims", {"limit": 2}).json()
    rest = service.get("/brand/claims", {"limit": 2, "cursor": first["next_cursor"]}).json()
    rows = first["items"] + rest["items"]
    assert [row["number"] for row in rows] == [claim.number for claim in claims]
    assert (rows[0]["status"], rows[0]["remedy_label"], rows[0]["photo_count"]) == (
        "requested",
        "return and refund",
        1,
    )
    assert rows[0]["recipient"] == claims[0].order.recipient
    masked = as_role("finance").get(f"/brand/claims/{claims[0].number}").json()
    assert masked["recipient"].endswith("*") and masked["photo_count"] == 1
    assert service.get("/brand/claims", {"status": "shipped"}).json()["items"] == []
    assert len(service.get("/brand/claims", {"status": "all"}).json()["items"]) == 3
    bad = service.get("/brand/claims", {"status": "lost"})
    assert (bad.status_code, bad.json()["field"]) == (422, "status")
    assert service.get("/brand/claims/QC404").status_code == 404


def test_a_claim_approved_with_a_refund_is_refunded_once(world, as_role, staff):
    claim = world.claim()
    service = as_role("customer_service")
    key = new_key()
    response = service.post(
        f"/brand/claims/{claim.number}/approve", {"remedy": "refund", "reason": "确有霉变"}, key=key
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "refunded"
    again = service.post(
        f"/brand/claims/{claim.number}/approve", {"remedy": "refund", "reason": "确有霉变"}, key=key
    )
    assert again.json() == response.json()
    assert [entry.actor for entry in _audit("claim.refund")] == [staff]


def test_a_repair_is_approved_then_shipped_back(world, as_role, staff):
    claim = world.claim("repair")
    operator = as_role("operator")
    missing = operator.post(f"/brand/claims/{claim.number}/approve", {}, key=new_key())
    assert missing.status_code == 400 and "repair" in missing.json()["message"]
    approved = operator.post(
        f"/brand/claims/{claim.number}/approve", {"remedy": "repair"}, key=new_key()
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    bad = operator.post(
        f"/brand/claims/{claim.number}/ship", {"carrier": "sf", "tracking_no": "SF9"}, key=new_key()
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "tracking_no")
    shipped = operator.post(
        f"/brand/claims/{claim.number}/ship",
        {"carrier": "sf", "tracking_no": "SF1402837465920"},
        key=new_key(),
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert shipped.json()["carrier_name"] and shipped.json()["tracking_no"] == "SF1402837465920"
    for action in ("claim.approve", "claim.ship"):
        assert [entry.actor for entry in _audit(action)] == [staff], action


def test_a_claim_is_rejected_with_a_reason_and_not_by_finance(world, as_role, staff):
    claim = world.claim()
    assert (
        as_role("finance")
        .post(f"/brand/claims/{claim.number}/reject", {"reason": "人为损坏"})
        .status_code
        == 403
    )
    service = as_role("customer_service")
    blank = service.post(f"/brand/claims/{claim.number}/reject", {"reason": ""})
    assert blank.status_code == 400 and blank.json()["message"]
    rejected = service.post(f"/brand/claims/{claim.number}/reject", {"reason": "人为损坏"})
    assert rejected.status_code == 200 and rejected.json()["decision_reason"] == "人为损坏"
    assert QualityClaim.objects.get(pk=claim.pk).status == ClaimStatus.REJECTED
    assert [entry.actor for entry in _audit("claim.reject")] == [staff]
