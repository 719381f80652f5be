"""Returns and withdrawals over a staff API key: the queues, paged and by status, and the
console's acts on them, each audited with the key's maker and open to the roles the console
lets act."""

import pytest

from tests.console.test_every_act_audited import World
from weishang.commissions.models import Withdrawal
from weishang.compliance.models import AuditEntry
from weishang.inventory.models import Stock
from weishang.orders.after_sales import add_return_address
from weishang.orders.models import ReturnRequest, ReturnStatus

from .conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(brand, make_customer, make_product, make_distributor):
    return World(make_customer, make_product, make_distributor)


def _audit(action):
    return list(AuditEntry.objects.filter(action=action, actor__isnull=False))


# Returns -----------------------------------------------------------------------------------------


def test_the_return_queue_lists_open_returns_paged_and_by_status(
    world, as_role, django_assert_max_num_queries
):
    requested = [world.requested_return() for _n in range(3)]
    approved = world.approved_return()
    finance = as_role("finance")
    with django_assert_max_num_queries(8):
        first = finance.get("/brand/returns", {"limit": 2}).json()
    rest = finance.get("/brand/returns", {"limit": 2, "cursor": first["next_cursor"]}).json()
    numbers = [row["number"] for row in first["items"] + rest["items"]]
    assert numbers == [rr.number for rr in [*requested, approved]]
    row = first["items"][0]
    assert (row["status"], row["status_label"], row["is_overdue"]) == (
        "requested",
        "requested",
        False,
    )
    assert row["lines"][0]["quantity"] == 1 and row["recipient"].endswith("*")
    only = finance.get("/brand/returns", {"status": "approved"}).json()["items"]
    assert [row["number"] for row in only] == [approved.number]
    bad = finance.get("/brand/returns", {"status": "lost"})
    assert (bad.status_code, bad.json()["field"]) == (422, "status")


def test_a_return_detail_and_an_unknown_one(world, operator):
    rr = world.requested_return()
    body = operator.get(f"/brand/returns/{rr.number}").json()
    assert body["order_number"] == rr.order.number and body["recipient"] == rr.order.recipient
    assert operator.get("/brand/returns/RNONE").status_code == 404


def test_a_return_is_approved_received_and_refunded_through_the_consoles_services(
    world, as_role, staff
):
    rr = world.requested_return()
    address = add_return_address(
        actor=None, recipient="退货组", phone="0996-1234567", address="若羌"
    )
    service = as_role("customer_service")
    [listed] = service.get("/brand/return-addresses").json()
    assert (listed["id"], listed["address"]) == (address.pk, "若羌")
    approved = service.post(
        f"/brand/returns/{rr.number}/approve", {"return_address_id": address.pk}
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["return_address"] == "退货组 若羌"
    sku_id = rr.lines.get().order_line.sku_id
    on_hand = Stock.objects.get(sku_id=sku_id).on_hand
    key = new_key()
    received = service.post(f"/brand/returns/{rr.number}/receive", key=key)
    assert received.status_code == 200 and received.json()["refund_due_at"]
    assert service.post(f"/brand/returns/{rr.number}/receive", key=key).json() == received.json()
    assert Stock.objects.get(sku_id=sku_id).on_hand == on_hand + 1
    refused = service.post(f"/brand/returns/{rr.number}/refund", key=new_key())
    assert refused.status_code == 403  # refunds are money: owner and finance
    refunded = as_role("finance").post(f"/brand/returns/{rr.number}/refund", key=new_key())
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    for action in ("return.approve", "return.receive", "return.refund"):
        assert [entry.actor for entry in _audit(action)] == [staff], action


def test_a_return_is_rejected_only_with_a_reason_and_not_by_finance(world, as_role, staff):
    rr = world.requested_return()
    service = as_role("customer_service")
    blank = service.post(f"/brand/returns/{rr.number}/reject", {"reason": " "})
    assert (blank.status_code, blank.json()["field"]) == (422, "reason")
    assert (
        as_role("finance").post(f"/brand/returns/{rr.number}/reject", {"reason": "x"}).status_code
        == 403
    )
    rejected = service.post(f"/brand/returns/{rr.number}/reject", {"reason": "已拆封"})
    assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "已拆封"
    assert ReturnRequest.objects.get(pk=rr.pk).status == ReturnStatus.REJECTED
    assert [entry.actor for entry in _audit("return.reject")] == [staff]


def test_an_act_the_returns_state_does_not_allow_is_refused(world, operator):
    rr = world.requested_return()
    response = operator.post(f"/brand/returns/{rr.number}/receive", key=new_key())
    assert response.status_code == 400 and response.json()["message"]
    gone = operator.post(f"/brand/returns/{rr.number}/approve", {"return_address_id": 999_999})
    assert (gone.status_code, gone.json()["field"]) == (422, "return_address_id")
    assert not _audit("return.receive") and not _audit("return.approve")


# Withdrawals -------------------------------------------------------------------------------------


def test_the_withdrawal_queue_lists_waiting_ones_with_the_account_masked(
    world, as_role, django_assert_max_num_queries
):
    withdrawal = world.withdrawal()
    auditor = as_role("auditor")
    with django_assert_max_num_queries(6):
        [row] = auditor.get("/brand/withdrawals").json()["items"]
    assert (row["id"], row["amount_fen"], row["status"]) == (withdrawal.pk, 300, "requested")
    assert row["store_name"] == withdrawal.distributor.store_name
    assert auditor.get("/brand/withdrawals", {"status": "paid"}).json()["items"] == []
    assert auditor.get(f"/brand/withdrawals/{withdrawal.pk}").json()["id"] == withdrawal.pk
    assert auditor.get("/brand/withdrawals/999999").status_code == 404


def test_finance_approves_and_pays_a_withdrawal_and_an_operator_may_not(world, as_role, staff):
    withdrawal = world.withdrawal()
    operator_refused = as_role("operator").post(f"/brand/withdrawals/{withdrawal.pk}/approve")
    assert operator_refused.status_code == 403
    finance = as_role("finance")
    approved = finance.post(f"/brand/withdrawals/{withdrawal.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["reviewed_by"] == staff.username
    payee = finance.get(f"/brand/withdrawals/{withdrawal.pk}/payee")
    assert payee.status_code == 400  # no payout account: paid by hand, nothing to reveal
    paid = finance.post(
        f"/brand/withdrawals/{withdrawal.pk}/pay", {"payout_reference": "BANK-1"}, key=new_key()
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["payout_reference"] == "BANK-1"
    assert [entry.actor for entry in _audit("withdrawal.approve")] == [staff]
    assert [entry.actor for entry in _audit("withdrawal.paid")] == [staff]


def test_a_withdrawal_is_rejected_only_with_a_reason(world, as_role, staff):
    withdrawal = world.withdrawal()
    finance = as_role("finance")
    blank = finance.post(
        f"/brand/withdrawals/{withdrawal.pk}/reject", {"reason": ""}, key=new_key()
    )
    assert blank.status_code == 400 and "Say why" in blank.json()["message"]
    rejected = finance.post(
        f"/brand/withdrawals/{withdrawal.pk}/reject", {"reason": "资料不全"}, key=new_key()
    )
    assert rejected.status_code == 200 and rejected.json()["reason"] == "资料不全"
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == Withdrawal.Status.REJECTED
    assert [entry.actor for entry in _audit("withdrawal.reject")] == [staff]
    again = finance.post(f"/brand/withdrawals/{withdrawal.pk}/approve")
    assert again.status_code == 400 and len(_audit("withdrawal.approve")) == 0


# Commissions held for review ---------------------------------------------------------------------


def test_held_commissions_are_listed_and_released_or_rejected_by_finance(
    world, as_role, staff, django_assert_max_num_queries
):
    held = world.held_commission()
    finance = as_role("finance")
    with django_assert_max_num_queries(6):
        [row] = finance.get("/brand/held-commissions").json()["items"]
    assert (row["id"], row["order_number"]) == (held.pk, held.order.number)
    assert row["hold_reason"] == held.hold_reason
    refused = as_role("operator").post(
        f"/brand/held-commissions/{held.pk}/release", {"reason": "核实无误"}, key=new_key()
    )
    assert refused.status_code == 403
    blank = finance.post(f"/brand/held-commissions/{held.pk}/reject", {}, key=new_key())
    assert blank.status_code == 400 and blank.json()["message"]
    released = finance.post(
        f"/brand/held-commissions/{held.pk}/release", {"reason": "核实无误"}, key=new_key()
    )
    assert released.status_code == 200, released.json()
    assert released.json()["status"] == "pending" and released.json()["review_note"] == "核实无误"
    assert finance.get("/brand/held-commissions").json()["items"] == []
    entries = AuditEntry.objects.filter(actor=staff, action__startswith="commission.")
    assert entries.count() == 1
    missing = finance.post("/brand/held-commissions/999999/reject", {"reason": "x"}, key=new_key())
    assert missing.status_code == 404
