"""The customer's account over the API: signing in with the mini-program's WeChat code (through
the stub of WeChat's servers) and proving a mobile number, paying with WeChat Pay inside the
mini-program (through the stub of WeChat Pay), the inbox and applying to become a distributor;
each on the service the store's page calls."""

import pytest
from django.utils import timezone
from ninja_jwt.tokens import AccessToken

from tests.storefront.test_coupon_pages import template
from tests.wechat_stub import MP_APPID
from tests.wechatpay_stub import MINIPROGRAM_APPID
from weishang.customers.models import Customer, WechatIdentity
from weishang.distribution import services
from weishang.distribution.models import Application
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon
from weishang.notifications import services as notifications
from weishang.notifications.events import Event
from weishang.notifications.models import Message
from weishang.payments.models import Payment
from weishang.sales.services import place_order

from .conftest import ApiClient, new_key

pytestmark = pytest.mark.django_db
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def codes_shown(settings):
    settings.OTP_SHOW_ON_PAGE = True


def wechat_sign_in(anonymous, stub, user) -> dict:
    response = anonymous.post("/auth/wechat", {"code": stub.code_for(user)})
    assert response.status_code == 200, response.json()
    return response.json()


# Signing in with WeChat ------------------------------------------------------------------------


def test_the_mini_programs_code_signs_a_wechat_customer_in_with_tokens(anonymous, wechat_stub):
    user = wechat_stub.user(unionid="union-api")
    tokens = wechat_sign_in(anonymous, wechat_stub, user)
    assert tokens["token_type"] == "Bearer" and tokens["refresh"]
    customer = Customer.objects.get()
    assert customer.mobile is None
    identity = WechatIdentity.objects.get(customer=customer)
    assert (identity.appid, identity.openid, identity.unionid) == (
        MP_APPID,
        user.mp_openid,
        "union-api",
    )
    assert ApiClient(tokens["access"]).get("/orders").status_code == 200
    # The same WeChat user again: the same account.
    wechat_sign_in(anonymous, wechat_stub, user)
    assert Customer.objects.count() == 1


def test_a_code_wechat_refuses_is_a_clear_error(anonymous, wechat_stub):
    code = wechat_stub.code_for(wechat_stub.user())
    assert anonymous.post("/auth/wechat", {"code": code}).status_code == 200
    used = anonymous.post("/auth/wechat", {"code": code})
    assert used.status_code == 400 and used.json()["code"] == "wechat_code_used"
    never = anonymous.post("/auth/wechat", {"code": "never-issued"})
    assert never.json()["code"] == "wechat_invalid_code"
    too_long = anonymous.post("/auth/wechat", {"code": "x" * 129})
    assert too_long.status_code == 422 and too_long.json()["field"] == "code"
    assert anonymous.post("/auth/wechat", {}).json()["field"] == "code"


def test_codes_wechat_refuses_lock_the_client_out(anonymous, wechat_stub, monkeypatch):
    from weishang import throttle

    monkeypatch.setattr(
        throttle, "FAILED_LOGINS_PER_CLIENT", throttle.Limit("login-client", 3, 900, 900)
    )
    answers = [anonymous.post("/auth/wechat", {"code": f"bad-{n}"}).status_code for n in range(3)]
    assert answers == [400] * 3
    locked = anonymous.post("/auth/wechat", {"code": wechat_stub.code_for(wechat_stub.user())})
    assert locked.status_code == 429 and locked.json()["code"] == "throttled"
    assert not Customer.objects.exists()


def test_without_a_mini_program_wechat_sign_in_is_not_offered(anonymous, settings):
    settings.WECHAT_MP_APPID = settings.WECHAT_MP_SECRET = ""
    refused = anonymous.post("/auth/wechat", {"code": "abc"})
    assert refused.status_code == 404 and refused.json()["code"] == "wechat_not_configured"


def test_he_proves_a_new_number_and_becomes_a_member_with_the_coupon(
    anonymous, wechat_stub, codes_shown, staff, brand
):
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=template().pk)
    api = ApiClient(wechat_sign_in(anonymous, wechat_stub, wechat_stub.user())["access"])
    assert not Coupon.objects.exists()
    code = anonymous.post("/auth/code", {"mobile": "13900005555"}).json()["demo_code"]
    proven = api.post("/account/mobile", {"mobile": "139 0000 5555", "code": code})
    assert proven.status_code == 200, proven.json()
    assert proven.json() == {"mobile": "13900005555", "joined": False, "tokens": None}
    customer = Customer.objects.get()
    assert customer.mobile == "13900005555" and Coupon.objects.get().customer == customer
    again = api.post("/account/mobile", {"mobile": "13900006666", "code": "123456"})
    assert again.status_code == 400 and again.json()["code"] == "has_mobile"


def test_the_number_of_his_old_account_joins_him_to_it_with_new_tokens(
    anonymous, wechat_stub, codes_shown, customer
):
    user = wechat_stub.user()
    api = ApiClient(wechat_sign_in(anonymous, wechat_stub, user)["access"])
    code = anonymous.post("/auth/code", {"mobile": customer.mobile}).json()["demo_code"]
    proven = api.post("/account/mobile", {"mobile": customer.mobile, "code": code}).json()
    assert proven.get("joined") is True and proven["mobile"] == customer.mobile, proven
    # The WeChat-only account is retired: its token no longer works; the new one is his old one.
    assert api.get("/orders").status_code == 401
    assert ApiClient(proven["tokens"]["access"]).get("/orders").status_code == 200
    assert WechatIdentity.objects.get().customer == customer
    # WeChat now signs him in to his old account.
    tokens = wechat_sign_in(anonymous, wechat_stub, user)
    assert AccessToken(tokens["access"])["user_id"] == customer.user_id


def test_a_wrong_code_or_bad_number_changes_nothing(anonymous, wechat_stub, codes_shown):
    api = ApiClient(wechat_sign_in(anonymous, wechat_stub, wechat_stub.user())["access"])
    code = anonymous.post("/auth/code", {"mobile": "13900007777"}).json()["demo_code"]
    wrong = "111111" if code != "111111" else "222222"
    refused = api.post("/account/mobile", {"mobile": "13900007777", "code": wrong})
    assert refused.status_code == 400 and refused.json()["code"] == "otp_wrong"
    bad = api.post("/account/mobile", {"mobile": "12345", "code": code})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_mobile"
    assert api.post("/account/mobile", {"mobile": "13900007777"}).status_code == 422
    assert ApiClient().post("/account/mobile", {"mobile": "1", "code": "1"}).status_code == 401
    assert Customer.objects.get().mobile is None


# WeChat Pay in the mini-program -----------------------------------------------------------------


@pytest.fixture
def order(customer, sku):
    return place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())


def signed_in_to_mini_program(customer, openid=OPENID):
    now = timezone.now()
    WechatIdentity.objects.create(
        customer=customer,
        appid=MINIPROGRAM_APPID,
        openid=openid,
        created_at=now,
        last_sign_in_at=now,
    )


def test_he_pays_in_the_mini_program_with_wx_request_payments_parameters(
    api, customer, order, wechatpay
):
    signed_in_to_mini_program(customer)
    key = new_key()
    paid = api.post(f"/orders/{order.number}/pay/wechat", key=key)
    assert paid.status_code == 200, paid.json()
    params = paid.json()
    payment = Payment.objects.get(order=order)
    (path, sent, _headers) = wechatpay.requests[0]
    assert path == "/v3/pay/transactions/jsapi"
    assert sent["appid"] == MINIPROGRAM_APPID and sent["payer"] == {"openid": OPENID}
    assert params["number"] == order.number and params["appId"] == MINIPROGRAM_APPID
    assert params["package"] == f"prepay_id={wechatpay.orders[payment.number]['prepay_id']}"
    assert params["signType"] == "RSA" and params["paySign"] and params["timeStamp"]
    # The same key again: the same answer, WeChat Pay not asked twice.
    assert api.post(f"/orders/{order.number}/pay/wechat", key=key).json() == params
    assert len(wechatpay.requests) == 1 and Payment.objects.count() == 1


def test_without_a_mini_program_sign_in_he_is_told_to_sign_in_with_wechat(
    api, customer, order, wechatpay
):
    # A WeChat sign-in in the official account is not one in the mini-program.
    now = timezone.now()
    WechatIdentity.objects.create(
        customer=customer,
        appid="wx8888888888888888",
        openid=OPENID,
        created_at=now,
        last_sign_in_at=now,
    )
    refused = api.post(f"/orders/{order.number}/pay/wechat", key=new_key())
    assert refused.status_code == 409 and refused.json()["code"] == "no_wechat_identity"
    assert not Payment.objects.exists() and not wechatpay.requests


def test_without_wechat_pay_in_the_mini_program_he_is_told_so(
    api, customer, order, wechatpay, settings
):
    signed_in_to_mini_program(customer)
    settings.WECHATPAY = {**settings.WECHATPAY, "MINIPROGRAM_APPID": ""}
    refused = api.post(f"/orders/{order.number}/pay/wechat", key=new_key())
    assert refused.status_code == 400 and refused.json()["code"] == "no_channel"
    assert not Payment.objects.exists() and not wechatpay.requests


def test_someone_elses_order_or_no_key_is_refused(as_customer, make_customer, order, wechatpay):
    other = make_customer()
    signed_in_to_mini_program(other)
    api = as_customer(other)
    assert api.post(f"/orders/{order.number}/pay/wechat", key=new_key()).status_code == 404
    missing_key = api.post(f"/orders/{order.number}/pay/wechat")
    assert missing_key.status_code == 422 and missing_key.json()["field"] == "Idempotency-Key"
    assert not wechatpay.requests


def test_a_cancelled_order_is_not_paid_with_wechat(api, customer, order, wechatpay):
    signed_in_to_mini_program(customer)
    api.post(f"/orders/{order.number}/cancel", {}, key=new_key())
    refused = api.post(f"/orders/{order.number}/pay/wechat", key=new_key())
    assert refused.status_code == 400 and "not awaiting payment" in refused.json()["message"]
    assert not wechatpay.requests


# The inbox ---------------------------------------------------------------------------------------


def tell(customer, n):
    notifications.notify(
        customer_id=customer.pk,
        event=Event.ORDER_SHIPPED,
        params={"order": f"NO{n:04d}", "carrier": "SF", "tracking": f"SF{n}"},
        key=f"test-{customer.pk}-{n}",
    )


def test_his_inbox_pages_newest_first_in_few_queries(api, customer, django_assert_max_num_queries):
    for n in range(3):
        tell(customer, n)
    with django_assert_max_num_queries(4) as one:
        first = api.get("/inbox", {"limit": 2}).json()
    queries = len(one)
    assert [m["order"] for m in first["items"]] == ["NO0002", "NO0001"]
    assert first["items"][0]["title"] == "Order shipped" and first["items"][0]["unread"]
    rest = api.get("/inbox", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [m["order"] for m in rest["items"]] == ["NO0000"] and rest["next_cursor"] is None
    for n in range(3, 13):
        tell(customer, n)
    with django_assert_max_num_queries(queries):
        assert len(api.get("/inbox").json()["items"]) == 13


def test_opening_a_message_marks_it_read_and_marking_all_read_clears_the_count(
    api, customer, as_customer, make_customer
):
    for n in range(3):
        tell(customer, n)
    assert api.get("/inbox/unread").json() == {"unread": 3}
    message = Message.objects.filter(customer=customer).first()
    opened = api.post(f"/inbox/{message.pk}/open")
    assert opened.status_code == 200 and opened.json()["unread"] is False
    assert opened.json()["text"]
    assert api.get("/inbox/unread").json() == {"unread": 2}
    # Someone else's message is not found and stays unread for him.
    other = make_customer()
    tell(other, 99)
    theirs = Message.objects.get(customer=other)
    assert api.post(f"/inbox/{theirs.pk}/open").status_code == 404
    assert as_customer(other).get("/inbox/unread").json() == {"unread": 1}
    assert api.post("/inbox/read").json() == {"unread": 0}
    assert api.post("/inbox/0/open").status_code == 422


# Applying to become a distributor ----------------------------------------------------------------


def application(customer, **overrides):
    return {
        "real_name": "张三",
        "id_number": "11010519491231002X",
        "business_kind": "small_trade",
        "store_name": "三哥的枣铺",
        **overrides,
    }


def test_he_applies_and_reads_where_his_application_stands(api, customer, staff):
    before = api.get("/account/distributor-application").json()
    assert before == {"can_apply": True, "application": None, "distributor": None}
    applied = api.post("/account/distributor-application", application(customer))
    assert applied.status_code == 201, applied.json()
    body = applied.json()
    assert body["can_apply"] is False and body["distributor"] is None
    assert body["application"]["status"] == "pending"
    assert body["application"]["status_label"] == "awaiting review"
    assert Application.objects.get().mobile == customer.mobile
    again = api.post("/account/distributor-application", application(customer))
    assert again.status_code == 400
    services.approve_application(application=Application.objects.get(), reviewer=staff)
    after = api.get("/account/distributor-application").json()
    assert after["application"]["status"] == "approved"
    assert after["distributor"]["status"] == "active" and after["can_apply"] is False


def test_wrong_fields_are_named_and_nothing_is_saved(api, customer):
    wrong = api.post(
        "/account/distributor-application",
        application(customer, id_number="110105194912310021"),
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "id_number"
    assert "check digit" in wrong.json()["message"]
    kind = api.post("/account/distributor-application", application(customer, business_kind="x"))
    assert kind.status_code == 422 and kind.json()["field"] == "business_kind"
    assert not Application.objects.exists()
    assert ApiClient().get("/account/distributor-application").status_code == 401
