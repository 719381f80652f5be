"""A customer's copy of his data and closing his account (PIPL Art. 45, 47), put together from
every domain's part."""

import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from tests.helpers import pay, png_upload
from tests.personal import DEVICE, ID_NUMBER, MOBILE, NICKNAME, RECIPIENT, STREET, make_xiaoming
from weishang.commissions.models import Account, Transfer
from weishang.compliance import complaints
from weishang.compliance.models import AuditEntry, Complaint, ComplaintMessage
from weishang.customers.models import Customer, OneTimeCode
from weishang.customers.personal_data import closed_mobile
from weishang.customers.services import (
    CustomerError,
    log_in_with_code,
    log_in_with_password,
    send_login_code,
    set_password,
)
from weishang.distribution.models import Application, Binding, BindingEvent
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.models import Order, QualityClaim, QualityClaimPhoto, ReturnRequest
from weishang.privacy import data_rights
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def delivered(order):
    pay(order)
    orders.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    return orders.mark_delivered(actor=None, order=order, signed_at=timezone.now())


@pytest.fixture
def xiaoming(make_customer):
    return make_xiaoming(make_customer)


def as_distributor(make_distributor, customer, **fields):
    """Makes the customer a distributor under his own real name and ID number."""
    distributor = make_distributor(customer=customer, **fields)
    distributor.real_name = RECIPIENT
    distributor.id_number = ID_NUMBER
    distributor.id_number_masked = "110***********" + ID_NUMBER[-4:]
    distributor.save()
    return distributor


def place(customer, sku, quantity=1, note=""):
    return sales.place_order(
        customer=customer,
        items={sku.pk: quantity},
        address=customer.addresses.get(),
        buyer_note=note,
    )


def readable_anywhere(needles: list[str]) -> list[str]:
    """Every text value of every installed model (decrypted where encrypted) that contains one of
    the needles, as ``app.Model.field``."""
    found = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields).iterator():
            for name, value in zip(fields, row, strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                for needle in needles:
                    if needle in (text or ""):
                        found.append(f"{model._meta.label}.{name} contains {needle}")
    return found


# A copy of my data -------------------------------------------------------------------------------


def test_the_copy_holds_my_data_and_nobody_elses(xiaoming, make_customer, make_distributor, sku):
    other = make_customer("13700000001")
    mine = delivered(place(xiaoming, sku, 2))
    theirs = place(other, sku, 1)
    store = make_distributor(store_name="红枣小铺")
    Binding.objects.create(
        customer=xiaoming, distributor=store, source="store_link", bound_at=timezone.now()
    )

    data = data_rights.personal_data(xiaoming)
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    json.loads(text)  # valid JSON once encoded
    assert data["profile"]["mobile"] == MOBILE and data["profile"]["nickname"] == NICKNAME
    assert [a["street_address"] for a in data["addresses"]] == [STREET]
    assert [d["device_id"] for d in data["devices"]] == [DEVICE]
    [order] = data["orders"]
    assert order["number"] == mine.number and order["total_fen"] == 2 * 3990
    assert [(line["quantity"], line["line_total_fen"]) for line in order["lines"]] == [(2, 7980)]
    assert order["payments"][0]["status"] == "succeeded"
    assert data["binding"]["store_name"] == "红枣小铺"
    assert "real_name" not in data["binding"] and "李四" not in text  # store name only
    assert theirs.number not in text and "13700000001" not in text


def test_the_copy_shows_a_distributor_record_with_the_id_number_masked(xiaoming, make_distributor):
    as_distributor(make_distributor, xiaoming)
    data = data_rights.personal_data(xiaoming)
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert data["distributor"]["real_name"] == RECIPIENT
    assert data["distributor"]["id_number"].startswith("110****")
    assert ID_NUMBER not in text


def test_the_copy_takes_the_same_number_of_queries_however_many_orders(
    xiaoming, sku, django_assert_max_num_queries
):
    delivered(place(xiaoming, sku))
    # 28, and one for his team and its history (teams).
    with django_assert_max_num_queries(29) as first:
        data_rights.personal_data(xiaoming)
    for _ in range(4):
        delivered(place(xiaoming, sku, 3))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(data_rights.personal_data(xiaoming)["orders"]) == 5


# Closing the account -----------------------------------------------------------------------------


# Free text he wrote, as people write it: who he is and where to reach him.
SIGNED = f"我是{RECIPIENT}，电话{MOBILE}，住{STREET}"


@pytest.fixture
def history(xiaoming, make_distributor, sku, make_product, staff, settings, tmp_path):
    """Xiaoming has bought twice, was brought by a store, is himself a distributor, has a cart;
    he complained, returned, cancelled and was rebound, each time writing who he is."""
    store = make_distributor(store_name="红枣小铺")
    Binding.objects.create(
        customer=xiaoming, distributor=store, source="qr", bound_at=timezone.now()
    )
    BindingEvent.objects.create(
        customer=xiaoming, distributor=store, source="qr", created_at=timezone.now()
    )
    BindingEvent.objects.create(
        customer=xiaoming,
        distributor=store,
        source="brand",
        reason=SIGNED,
        created_at=timezone.now(),
    )
    first = delivered(place(xiaoming, sku, 2, note=SIGNED))
    second = delivered(place(xiaoming, make_product(price_fen=1250), 3))
    sales.cancel_order(order=place(xiaoming, sku), by_brand=False, reason=SIGNED)
    complaint = complaints.file_complaint(
        customer=xiaoming, order=first, category="quality", text=SIGNED
    )
    complaints.answer_complaint(complaint=complaint, staff=staff, text="请发一张照片")
    complaints.customer_reply(complaint=complaint, customer=xiaoming, text=SIGNED)
    complaints.resolve_complaint(complaint=complaint, staff=staff, outcome="已退款")
    returned = orders.request_return(
        order=second, customer=xiaoming, quantities={second.lines.get().pk: 1}, reason=SIGNED
    )
    orders.reject_return(return_request=returned, actor=staff, reason="超过七天")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    claim = claims.file_claim(
        order=first,
        customer=xiaoming,
        order_line_id=first.lines.get().pk,
        quantity=1,
        remedy="repair",
        description=SIGNED,
        photos=[png_upload()],
    )
    claims.reject_claim(claim=claim, actor=staff, reason="请补拍照片")
    repair = claims.approve_claim(
        claim=claims.file_claim(
            order=second,
            customer=xiaoming,
            order_line_id=second.lines.get().pk,
            quantity=1,
            remedy="repair",
            description=SIGNED,
            photos=[png_upload()],
        ),
        actor=staff,
        remedy="repair",
    )
    claims.send_claim_goods(
        claim=repair, customer=xiaoming, carrier="sf", tracking_no="SF1402837465921"
    )
    claims.ship_claim(claim=repair, actor=staff, carrier="sf", tracking_no="SF1402837465922")
    orders.add_to_cart(customer=xiaoming, sku_id=sku.pk, quantity=1)
    mine = as_distributor(make_distributor, xiaoming, store_name=f"{RECIPIENT}的枣铺")
    Application.objects.create(
        customer=xiaoming,
        real_name=RECIPIENT,
        id_number=ID_NUMBER,
        id_number_masked="110***********" + ID_NUMBER[-4:],
        mobile=MOBILE,
        business_kind="small_trade",
        store_name=f"{RECIPIENT}的枣铺",
        status="approved",
        submitted_at=timezone.now(),
    )
    set_password(customer=xiaoming, password="a-long-secret-9")
    send_login_code(mobile=MOBILE)
    return {"orders": [first, second], "distributor": mine, "store": store}


def test_closing_leaves_no_personal_field_readable_anywhere(
    xiaoming, history, django_capture_on_commit_callbacks
):
    needles = [MOBILE, NICKNAME, RECIPIENT, STREET, DEVICE, ID_NUMBER, f"m{MOBILE}"]
    assert readable_anywhere(needles)  # the scan finds them before closing
    before = {o.pk: (o.total_fen, o.lines.count()) for o in Order.objects.filter(customer=xiaoming)}

    photos = [(p.image.storage, p.image.name) for p in QualityClaimPhoto.objects.all()]
    assert len(photos) == 2 and all(storage.exists(name) for storage, name in photos)
    Customer.objects.filter(pk=xiaoming.pk).update(birthday=date(1990, 5, 4))
    with django_capture_on_commit_callbacks(execute=True):
        summary = data_rights.close_account(customer=xiaoming, confirmation="close")

    assert readable_anywhere(needles) == []
    assert summary["orders_kept"] == 3
    after = {
        o.pk: (o.total_fen, o.lines.count())
        for o in Order.objects.filter(customer=xiaoming).prefetch_related("lines")
    }
    assert after == before
    order = Order.objects.get(pk=history["orders"][0].pk)
    assert (order.recipient, order.phone, order.address, order.city) == (
        "王*",
        "139****5678",
        "杭州市",
        "杭州市",
    )
    assert order.payments.get().amount_fen == order.total_fen
    xiaoming.refresh_from_db()
    assert xiaoming.mobile == closed_mobile(xiaoming.pk) and not xiaoming.nickname
    assert xiaoming.birthday is None
    assert not xiaoming.addresses.exists() and not xiaoming.cart_items.exists()
    assert not Binding.objects.filter(customer=xiaoming).exists()
    events = BindingEvent.objects.filter(customer=xiaoming)
    assert [(e.source, e.reason) for e in events] == [("qr", ""), ("brand", "[closed]")]
    complaint = Complaint.objects.get(customer=xiaoming)  # the fact, category and outcome kept
    assert (complaint.text, complaint.category, complaint.status, complaint.outcome) == (
        "[closed]",
        "quality",
        "resolved",
        "已退款",
    )
    thread = ComplaintMessage.objects.filter(complaint=complaint)
    assert [m.text for m in thread] == ["请发一张照片", "[closed]"]  # the brand's words kept
    returned = ReturnRequest.objects.get(order__customer=xiaoming)
    assert (returned.reason, returned.reject_reason) == ("[closed]", "超过七天")
    cancelled = Order.objects.get(customer=xiaoming, status="cancelled")
    assert cancelled.cancel_reason == "[closed]" and cancelled.cancelled_at
    assert not OneTimeCode.objects.filter(mobile=MOBILE).exists()
    mine = history["distributor"]
    mine.refresh_from_db()
    assert (mine.real_name, mine.id_number, mine.status) == ("[closed]", "[closed]", "frozen")
    entry = AuditEntry.objects.get(action="customer.close_account")
    assert entry.actor_id == xiaoming.user_id and entry.object_id == str(xiaoming.pk)
    assert entry.actor_label == f"customer #{xiaoming.pk}"
    assert entry.after["fields"] == ["birthday", "mobile", "nickname", "password"]
    assert entry.after["replaced_with_marker"] == {
        "complaints": 1,
        "complaint_messages": 1,
        "cancel_reasons": 1,
        "return_reasons": 1,
        "return_tracking_numbers": 0,
        "claim_descriptions": 2,
        "claim_tracking_numbers": 1,
        "buyer_notes": 1,
        "binding_reasons": 1,
    }
    kept = QualityClaim.objects.filter(order__customer=xiaoming).order_by("pk")
    assert [(c.description, c.decision_reason, c.tracking_no) for c in kept] == [
        ("[closed]", "请补拍照片", ""),
        ("[closed]", "", "SF1402837465922"),  # the decision and the brand's shipment kept
    ]
    assert kept[1].return_tracking_no == "[closed]"
    assert not QualityClaimPhoto.objects.exists()
    assert not any(storage.exists(name) for storage, name in photos)
    assert summary["deleted"]["claim_photos"] == 2


def test_a_closed_account_cannot_sign_in(xiaoming, history):
    user_pk = xiaoming.user_id
    data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
    with pytest.raises(CustomerError):
        log_in_with_password(mobile=MOBILE, password="a-long-secret-9")
    user = type(xiaoming.user).objects.get(pk=user_pk)
    assert not user.is_active and not user.has_usable_password()
    assert authenticate(username=user.username, password="a-long-secret-9") is None
    # The number is free again: signing in with it opens a new, empty account.
    code = send_login_code(mobile=MOBILE, now=timezone.now() + timedelta(minutes=2))
    newcomer = log_in_with_code(mobile=MOBILE, code=code, now=timezone.now() + timedelta(minutes=2))
    assert newcomer.pk != xiaoming.pk and not newcomer.orders.exists()


def test_closing_is_refused_while_an_order_is_unfinished(xiaoming, sku):
    pending = place(xiaoming, sku)
    paid = pay(place(xiaoming, sku))
    with pytest.raises(data_rights.AccountClosureRefused) as refused:
        data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
    message = str(refused.value)
    assert pending.number in message and "awaiting payment" in message
    assert paid.number in message and "paid, awaiting shipment" in message
    xiaoming.refresh_from_db()
    assert xiaoming.mobile == MOBILE and xiaoming.addresses.exists() and xiaoming.user.is_active


def test_closing_is_refused_while_a_return_is_open(xiaoming, sku):
    order = delivered(place(xiaoming, sku))
    request = orders.request_return(
        order=order, customer=xiaoming, quantities={order.lines.get().pk: 1}
    )
    with pytest.raises(data_rights.AccountClosureRefused, match=f"Return {request.number}"):
        data_rights.close_account(customer=xiaoming, confirmation="CLOSE")


def test_closing_is_refused_with_unsettled_commission(xiaoming, make_distributor):
    mine = as_distributor(make_distributor, xiaoming)
    Transfer.objects.create(
        idempotency_key="settle-1",
        debit=Account.objects.create(kind="brand_expense"),
        credit=Account.objects.create(distributor=mine, kind="available"),
        amount_fen=500,
        kind="settle",
        created_at=timezone.now(),
    )
    with pytest.raises(data_rights.AccountClosureRefused, match="commission"):
        data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
    mine.refresh_from_db()
    assert mine.real_name == RECIPIENT


def test_closing_needs_the_confirmation_word(xiaoming):
    with pytest.raises(data_rights.AccountClosureRefused, match="Type CLOSE"):
        data_rights.close_account(customer=xiaoming, confirmation="yes")
    assert Customer.objects.get(pk=xiaoming.pk).mobile == MOBILE
