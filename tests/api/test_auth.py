"""Signing in over the API: a code by SMS, then a short-lived access token and a refresh token
that works once and can be revoked; sending codes and guessing them are limited per client."""

from datetime import timedelta

import pytest
from django.conf import settings

from tests.storefront.test_coupon_pages import template
from weishang.api.auth import API_CALLS_PER_TOKEN
from weishang.customers.models import Customer
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon, CouponSource

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
MOBILE = "13900001111"


@pytest.fixture
def codes_shown(settings):
    settings.OTP_SHOW_ON_PAGE = True


def sign_in(anonymous, mobile=MOBILE) -> dict:
    code = anonymous.post("/auth/code", {"mobile": mobile}).json()["demo_code"]
    response = anonymous.post("/auth/token", {"mobile": mobile, "code": code})
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_code_signs_a_new_customer_up_and_the_token_opens_his_orders(anonymous, codes_shown):
    tokens = sign_in(anonymous)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == settings.NINJA_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert Customer.objects.filter(mobile=MOBILE).exists()
    mine = ApiClient(tokens["access"]).get("/orders")
    assert mine.status_code == 200
    assert mine.json() == {"items": [], "next_cursor": None}


def test_a_new_member_gets_the_welcome_coupon_as_on_the_store(anonymous, codes_shown, staff, brand):
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=template().pk)
    sign_in(anonymous)
    sign_in(anonymous)
    newcomer = Customer.objects.get(mobile=MOBILE)
    assert [(c.customer_id, c.source) for c in Coupon.objects.all()] == [
        (newcomer.pk, CouponSource.NEW_MEMBER)
    ]


def test_the_code_is_not_shown_outside_the_demo(anonymous, settings):
    settings.OTP_SHOW_ON_PAGE = False
    response = anonymous.post("/auth/code", {"mobile": MOBILE})
    assert response.status_code == 200
    assert response.json() == {"sent": True, "demo_code": None}


def test_a_wrong_code_is_refused_in_the_callers_language(anonymous, codes_shown):
    anonymous.post("/auth/code", {"mobile": MOBILE})
    wrong = anonymous.post("/auth/token", {"mobile": MOBILE, "code": "000000"})
    if wrong.status_code == 200:  # one in a million: the code was 000000
        return
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "otp_wrong",
        "message": "The code is not correct.",
        "field": None,
    }
    chinese = ApiClient(language="zh-hans").post(
        "/auth/token", {"mobile": MOBILE, "code": "000000"}
    )
    assert chinese.json()["message"] == "验证码不正确。"


def test_a_refresh_token_works_once(anonymous, codes_shown):
    tokens = sign_in(anonymous)
    renewed = anonymous.post("/auth/refresh", {"refresh": tokens["refresh"]})
    assert renewed.status_code == 200
    assert renewed.json()["refresh"] != tokens["refresh"]
    again = anonymous.post("/auth/refresh", {"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_refresh_token"
    assert again.json()["field"] == "refresh"


def test_signing_out_revokes_the_refresh_token(anonymous, codes_shown):
    tokens = sign_in(anonymous)
    signed_in = ApiClient(tokens["access"])
    assert signed_in.post("/auth/logout", {"refresh": tokens["refresh"]}).status_code == 204
    refused = anonymous.post("/auth/refresh", {"refresh": tokens["refresh"]})
    assert refused.status_code == 401


def test_an_expired_or_forged_access_token_is_refused(customer, anonymous, settings):
    from ninja_jwt.tokens import AccessToken

    expired = AccessToken.for_user(customer.user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    for token in (str(expired), "not-a-token", str(expired)[:-2] + "xx"):
        response = ApiClient(token).get("/orders")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    assert anonymous.get("/orders").status_code == 401


def test_sending_codes_is_limited_per_client(anonymous, codes_shown):
    from weishang import throttle

    answers = [
        anonymous.post("/auth/code", {"mobile": f"139{n:08d}"}).status_code
        for n in range(throttle.CODES_SENT_PER_CLIENT.hits + 1)
    ]
    assert answers[:-1] == [200] * throttle.CODES_SENT_PER_CLIENT.hits
    assert answers[-1] == 429
    refused = anonymous.post("/auth/code", {"mobile": "13700000000"}).json()
    assert refused["code"] == "throttled"


def test_wrong_codes_lock_the_client_out(anonymous, codes_shown, monkeypatch):
    from weishang import throttle

    monkeypatch.setattr(
        throttle, "FAILED_LOGINS_PER_CLIENT", throttle.Limit("login-client", 3, 900, 900)
    )
    code = anonymous.post("/auth/code", {"mobile": MOBILE}).json()["demo_code"]
    wrong = "111111" if code != "111111" else "222222"
    answers = [
        anonymous.post("/auth/token", {"mobile": MOBILE, "code": wrong}).json()["code"]
        for _n in range(3)
    ]
    assert answers == ["otp_wrong"] * 3
    locked = anonymous.post("/auth/token", {"mobile": MOBILE, "code": code})
    assert locked.status_code == 429


def test_calls_are_limited_per_token(customer, as_customer):
    api = as_customer(customer)
    for _n in range(API_CALLS_PER_TOKEN.hits):
        assert api.get("/addresses").status_code == 200
    assert api.get("/addresses").status_code == 429
    assert as_customer(customer).get("/addresses").status_code == 200  # a new token


@pytest.mark.postgres
def test_racing_refreshes_of_one_token_get_one_new_pair(postgres_only, customer):
    from tests.concurrency import run_in_parallel
    from weishang.api.auth import tokens_for

    refresh_token = tokens_for(customer.user)["refresh"]
    answers = run_in_parallel(
        lambda _i: ApiClient().post("/auth/refresh", {"refresh": refresh_token}), 4
    )
    assert sorted(answer.status_code for answer in answers) == [200, 401, 401, 401]
