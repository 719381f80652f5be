"""What a customer raises with the brand over the API: complaints on his orders and their thread,
quality claims on a delivered order with their photos, and his ideas for the creative group;
photos come as multipart/form-data, and each act runs on the service the store's page calls."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import bought, deliver, png_upload
from weishang.compliance import complaints
from weishang.compliance.models import Complaint, ComplaintStatus
from weishang.content.models import Submission
from weishang.orders import claims
from weishang.orders.models import QualityClaim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def post_form(api, path, data):
    """A multipart/form-data POST, as the mini-program's wx.uploadFile sends one."""
    return api.client.post(f"/api/v1{path}", data, **api._headers({}))


# Complaints --------------------------------------------------------------------------------------


def test_he_files_a_complaint_with_a_photo_and_follows_its_thread(api, customer, sku, staff):
    order = bought(customer, sku)
    filed = post_form(
        api,
        "/complaints",
        {
            "order": order.number,
            "category": "quality",
            "text": "枣子发霉了",
            "photos": [png_upload()],
        },
    )
    assert filed.status_code == 201, filed.json()
    complaint = Complaint.objects.get()
    body = filed.json()
    assert (body["number"], body["order"], body["status"]) == (
        complaint.number,
        order.number,
        "received",
    )
    assert body["category_label"] == "product quality" and body["status_label"] == "received"
    assert body["can_reply"] is True and body["messages"] == []
    assert body["photos"] == [complaint.photos.get().pk]
    photo = api.client.get(
        f"/api/v1/complaints/{complaint.number}/photos/{body['photos'][0]}", **api._headers({})
    )
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["Cache-Control"] == "private, no-store"
    assert api.get(f"/complaints/{complaint.number}/photos/999999").status_code == 404
    complaints.answer_complaint(complaint=complaint, staff=staff, text="我们马上处理")
    replied = api.post(f"/complaints/{complaint.number}/messages", {"text": "谢谢"})
    assert replied.status_code == 201
    assert [(m["from_customer"], m["text"]) for m in replied.json()["messages"]] == [
        (False, "我们马上处理"),
        (True, "谢谢"),
    ]
    assert replied.json()["status"] == ComplaintStatus.IN_PROGRESS
    assert api.get(f"/complaints/{complaint.number}").json() == replied.json()


def test_a_closed_complaint_takes_no_reply_and_bad_input_is_clear(api, customer, sku, staff):
    order = bought(customer, sku)
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="坏了"
    )
    complaints.answer_complaint(complaint=complaint, staff=staff, text="已核实")
    complaints.reject_complaint(complaint=complaint, staff=staff, outcome="已核实无问题")
    closed = api.post(f"/complaints/{complaint.number}/messages", {"text": "为什么"})
    assert closed.status_code == 400 and closed.json()["code"] == "closed"
    assert api.get(f"/complaints/{complaint.number}").json()["can_reply"] is False
    wrong = post_form(api, "/complaints", {"order": order.number, "category": "x", "text": "a"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "category"
    empty = post_form(api, "/complaints", {"order": order.number, "category": "quality"})
    assert empty.status_code == 422 and empty.json()["field"] == "text"
    not_a_photo = post_form(
        api,
        "/complaints",
        {
            "order": order.number,
            "category": "quality",
            "text": "a",
            "photos": [SimpleUploadedFile("p.png", b"<html>", content_type="image/png")],
        },
    )
    assert not_a_photo.status_code == 400 and not_a_photo.json()["code"] == "not_a_photo"
    assert Complaint.objects.count() == 1


def test_someone_elses_order_and_complaint_are_not_found(
    api, customer, sku, make_customer, as_customer
):
    other = make_customer()
    theirs = bought(other, sku)
    refused = post_form(
        api, "/complaints", {"order": theirs.number, "category": "quality", "text": "a"}
    )
    assert refused.status_code == 404
    complaint = complaints.file_complaint(
        customer=other, order=theirs, category="quality", text="坏了"
    )
    assert api.get(f"/complaints/{complaint.number}").status_code == 404
    assert api.post(f"/complaints/{complaint.number}/messages", {"text": "x"}).status_code == 404
    assert api.get(f"/complaints/{complaint.number}/photos/1").status_code == 404
    assert as_customer(other).get(f"/complaints/{complaint.number}").status_code == 200
    assert api.get("/complaints").json() == {"items": [], "next_cursor": None}


def test_his_complaints_page_in_few_queries(api, customer, sku, django_assert_max_num_queries):
    order = bought(customer, sku)
    for n in range(3):
        complaints.file_complaint(customer=customer, order=order, category="quality", text=f"{n}")
    with django_assert_max_num_queries(4) as one:
        first = api.get("/complaints", {"limit": 2}).json()
    queries = len(one)
    rest = api.get("/complaints", {"limit": 2, "cursor": first["next_cursor"]}).json()
    numbers = [c["number"] for c in first["items"] + rest["items"]]
    assert numbers == list(
        Complaint.objects.order_by("-filed_at", "-pk").values_list("number", flat=True)
    )
    for n in range(10):
        complaints.file_complaint(customer=customer, order=order, category="delivery", text=f"{n}")
    with django_assert_max_num_queries(queries):
        assert len(api.get("/complaints").json()["items"]) == 13


# Quality claims ----------------------------------------------------------------------------------


def test_he_files_a_quality_claim_with_a_photo_then_sends_the_goods(api, customer, sku, staff):
    order = deliver(bought(customer, sku, quantity=2))
    before = api.get(f"/orders/{order.number}/claims").json()
    assert before["can_claim"] is True and before["claims"] == []
    filed = post_form(
        api,
        f"/orders/{order.number}/claims",
        {
            "order_line_id": order.lines.get().pk,
            "quantity": 1,
            "remedy": "repair",
            "description": "打开发现发霉",
            "photos": [png_upload()],
        },
    )
    assert filed.status_code == 201, filed.json()
    claim = QualityClaim.objects.get()
    shown = filed.json()["claims"]
    assert [(c["number"], c["status"], c["remedy_label"]) for c in shown] == [
        (claim.number, "requested", "repair")
    ]
    assert claim.photos.count() == 1
    early = api.post(
        f"/orders/{order.number}/claims/{claim.number}/sent",
        {"carrier": "sf", "tracking_no": "SF1234567890123"},
    )
    assert early.status_code == 400 and early.json()["code"] == "claim_status"
    claims.approve_claim(claim=claim, actor=staff, remedy="repair")
    sent = api.post(
        f"/orders/{order.number}/claims/{claim.number}/sent",
        {"carrier": "sf", "tracking_no": "SF1234567890123"},
    )
    assert sent.status_code == 200, sent.json()
    assert sent.json()["claims"][0]["return_tracking_no"] == "SF1234567890123"
    claim.refresh_from_db()
    assert (claim.return_carrier, claim.return_tracking_no) == ("sf", "SF1234567890123")
    bad = api.post(
        f"/orders/{order.number}/claims/{claim.number}/sent",
        {"carrier": "nobody", "tracking_no": "1"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "carrier"
    missing = api.post(
        f"/orders/{order.number}/claims/Q0/sent", {"carrier": "sf", "tracking_no": "SF1"}
    )
    assert missing.status_code == 404


def test_a_claim_without_a_photo_or_before_delivery_is_refused(api, customer, sku):
    paid = bought(customer, sku)
    fields = {
        "order_line_id": paid.lines.get().pk,
        "quantity": 1,
        "remedy": "refund",
        "description": "坏了",
    }
    assert api.get(f"/orders/{paid.number}/claims").json()["can_claim"] is False
    early = post_form(api, f"/orders/{paid.number}/claims", {**fields, "photos": [png_upload()]})
    assert early.status_code == 400 and "delivered" in early.json()["message"]
    order = deliver(bought(customer, sku))
    fields["order_line_id"] = order.lines.get().pk
    no_photo = post_form(api, f"/orders/{order.number}/claims", fields)
    assert no_photo.status_code == 400 and no_photo.json()["code"] == "photo_required"
    zero = post_form(api, f"/orders/{order.number}/claims", {**fields, "quantity": 0})
    assert zero.status_code == 422 and zero.json()["field"] == "quantity"
    assert not QualityClaim.objects.exists()


def test_someone_elses_order_takes_no_claim(api, sku, make_customer):
    theirs = deliver(bought(make_customer(), sku))
    refused = post_form(
        api,
        f"/orders/{theirs.number}/claims",
        {
            "order_line_id": theirs.lines.get().pk,
            "quantity": 1,
            "remedy": "refund",
            "description": "坏了",
            "photos": [png_upload()],
        },
    )
    assert refused.status_code == 404
    assert api.get(f"/orders/{theirs.number}/claims").status_code == 404
    assert not QualityClaim.objects.exists()


# Ideas -------------------------------------------------------------------------------------------


def test_he_submits_an_idea_once_per_key_and_lists_his_ideas(
    api, customer, as_customer, make_customer, django_assert_max_num_queries
):
    key = uuid.uuid4().hex
    idea = {
        "request_key": key,
        "title": "枣园直播",
        "text": "在枣园里直播采摘",
        "pictures": [png_upload()],
    }
    sent = post_form(api, "/ideas", idea)
    assert sent.status_code == 201, sent.json()
    assert (
        sent.json()["status"] == "pending" and sent.json()["status_label"] == "waiting for review"
    )
    assert len(sent.json()["pictures"]) == 1
    again = post_form(api, "/ideas", {**idea, "pictures": [png_upload()]})
    assert again.json()["id"] == sent.json()["id"] and Submission.objects.count() == 1
    for n in range(3):
        created = post_form(
            api, "/ideas", {"request_key": uuid.uuid4().hex, "title": f"想法{n}", "text": "好"}
        )
        assert created.status_code == 201, created.json()
    with django_assert_max_num_queries(5):
        mine = api.get("/ideas").json()
    assert [i["title"] for i in mine["items"]] == ["想法2", "想法1", "想法0", "枣园直播"]
    assert as_customer(make_customer()).get("/ideas").json()["items"] == []
    bad_key = post_form(api, "/ideas", {"request_key": "nope", "title": "x"})
    assert bad_key.status_code == 422 and bad_key.json()["field"] == "request_key"
    empty = post_form(api, "/ideas", {"request_key": uuid.uuid4().hex, "title": ""})
    assert empty.status_code == 400
