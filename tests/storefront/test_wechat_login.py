"""The store's WeChat sign-in inside WeChat's browser: the login page offers it, WeChat's
authorisation page (the stub) sends him back signed in to the page he came from, and a callback
this browser did not start signs nobody in. A WeChat customer then adds his mobile number."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.loyalty.test_coupons import template as coupon_template
from weishang.customers.models import Customer
from weishang.customers.sms import MemorySmsSender
from weishang.distribution.binding import REF_COOKIE
from weishang.distribution.models import Binding, ShareSource
from weishang.distribution.tokens import make_token
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon

pytestmark = pytest.mark.django_db

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
)


@pytest.fixture
def in_wechat(client):
    client.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    return client


def through_wechat(client, stub, user, next_path="/cart/"):
    """Taps "Sign in with WeChat" and follows WeChat's authorisation page back to the store."""
    stub.next_user = user
    start = client.get("/login/wechat/", {"next": next_path})
    assert start.status_code == 302
    authorise = urlsplit(start["Location"])
    query = parse_qs(authorise.query)
    assert authorise.fragment == "wechat_redirect"
    assert query["redirect_uri"] == ["https://weishang.test/login/wechat/done/"]
    assert query["scope"] == ["snsapi_userinfo"] and query["state"][0].isalnum()
    code = stub.code_for(user)
    return client.get("/login/wechat/done/", {"code": code, "state": query["state"][0]})


def test_login_page_offers_wechat_only_inside_wechat(client, brand, wechat_stub):
    assert "Sign in with WeChat" not in client.get("/login/").content.decode()
    client.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    page = client.get("/login/", {"next": "/cart/"}).content.decode()
    assert "Sign in with WeChat" in page and "/login/wechat/?next=/cart/" in page


def test_no_wechat_button_without_an_official_account(in_wechat, brand):
    assert "Sign in with WeChat" not in in_wechat.get("/login/").content.decode()
    assert in_wechat.get("/login/wechat/").status_code == 404


def test_wechat_signs_him_in_and_brings_him_back(in_wechat, brand, wechat_stub):
    user = wechat_stub.user(nickname="小枣")
    response = through_wechat(in_wechat, wechat_stub, user)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    customer = Customer.objects.get()
    assert customer.nickname == "小枣" and customer.mobile is None
    account = in_wechat.get("/account/").content.decode()
    assert "Signed in with WeChat" in account and "Add your mobile number" in account
    assert "Set password" not in account  # a password signs in with a number he has not got


def test_the_share_link_he_opened_binds_him_when_wechat_signs_him_in(
    in_wechat, brand, wechat_stub, make_distributor
):
    alice = make_distributor()
    token = make_token(distributor_id=alice.pk, source=ShareSource.STORE_LINK)
    in_wechat.get(f"/s/{alice.slug}/", {"ref": token})
    assert REF_COOKIE in in_wechat.cookies
    through_wechat(in_wechat, wechat_stub, wechat_stub.user())
    assert Binding.objects.get().distributor == alice


def test_a_callback_this_browser_did_not_start_signs_nobody_in(
    client, in_wechat, brand, wechat_stub
):
    user = wechat_stub.user()
    # An attacker's own code and state, sent to a victim's browser: no session of his made it.
    forged = client.get("/login/wechat/done/", {"code": wechat_stub.code_for(user), "state": "a1"})
    assert forged.status_code == 302 and forged["Location"].startswith("/login/")
    assert not Customer.objects.exists()
    # A state from this browser, changed: refused too.
    start = in_wechat.get("/login/wechat/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    changed = state[:-1] + ("1" if state.endswith("0") else "0")  # never the state itself
    tampered = in_wechat.get(
        "/login/wechat/done/", {"code": wechat_stub.code_for(user), "state": changed}
    )
    assert tampered["Location"].startswith("/login/")
    messages = in_wechat.get(tampered["Location"]).content.decode()
    assert "expired or was not started here" in messages
    assert not Customer.objects.exists()


def test_wechat_refusing_the_code_is_a_message_not_an_error(in_wechat, brand, wechat_stub):
    wechat_stub.fail("/sns/oauth2/access_token", 40163, "code been used")
    response = through_wechat(in_wechat, wechat_stub, wechat_stub.user())
    assert response["Location"] == "/login/?next=%2Fcart%2F"
    assert "already used" in in_wechat.get(response["Location"]).content.decode()


def test_a_hostile_next_is_not_followed(in_wechat, brand, wechat_stub):
    response = through_wechat(in_wechat, wechat_stub, wechat_stub.user(), "https://evil.test/")
    assert response["Location"] == "/"


def send_code(client, mobile, capture):
    MemorySmsSender.outbox.clear()
    with capture(execute=True):
        sent = client.post("/account/mobile/", {"action": "send_code", "mobile": mobile})
    assert sent.status_code == 302 and sent["Location"] == "/account/#mobile"
    return MemorySmsSender.outbox[-1][1]


def test_he_adds_a_new_number_to_his_wechat_account(
    in_wechat, brand, staff, wechat_stub, django_capture_on_commit_callbacks
):
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=coupon_template().pk)
    through_wechat(in_wechat, wechat_stub, wechat_stub.user())
    assert not Coupon.objects.exists()  # a member is one with a number: the coupon comes then
    code = send_code(in_wechat, "139 0000 5555", django_capture_on_commit_callbacks)
    page = in_wechat.get("/account/").content.decode()
    assert 'value="13900005555"' in page  # the number waits in the form for its code
    saved = in_wechat.post(
        "/account/mobile/", {"action": "verify", "mobile": "13900005555", "code": code}
    )
    assert saved["Location"] == "/account/"
    page = in_wechat.get("/account/").content.decode()
    assert "Your mobile number is saved." in page
    assert '<strong data-testid="mobile">13900005555</strong>' in page
    assert Customer.objects.get().mobile == "13900005555"
    assert Coupon.objects.get().customer == Customer.objects.get()


def test_the_number_of_his_old_account_signs_him_in_to_it(
    in_wechat, brand, customer, wechat_stub, django_capture_on_commit_callbacks
):
    user = wechat_stub.user()
    through_wechat(in_wechat, wechat_stub, user)
    code = send_code(in_wechat, customer.mobile, django_capture_on_commit_callbacks)
    in_wechat.post(
        "/account/mobile/", {"action": "verify", "mobile": customer.mobile, "code": code}
    )
    page = in_wechat.get("/account/").content.decode()
    assert "This number already had an account" in page
    assert f'<strong data-testid="mobile">{customer.mobile}</strong>' in page
    # Signing out and in with WeChat again lands in the old account.
    in_wechat.post("/logout/")
    through_wechat(in_wechat, wechat_stub, user)
    assert in_wechat.get("/account/").context["customer"] == customer


def test_bad_input_on_the_number_form_is_a_message(in_wechat, brand, wechat_stub):
    through_wechat(in_wechat, wechat_stub, wechat_stub.user())
    for data in (
        {"action": "send_code", "mobile": "12345"},
        {"action": "verify", "mobile": "13900006666", "code": "1234567"},
        {"action": "nonsense", "mobile": "13900006666"},
        {"action": "verify", "mobile": "13900006666", "code": "123456"},
    ):
        response = in_wechat.post("/account/mobile/", data, follow=True)
        assert response.status_code == 200
        assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Customer.objects.get().mobile is None


def test_his_copy_of_his_data_shows_his_wechat_sign_in(in_wechat, brand, wechat_stub):
    user = wechat_stub.user(unionid="union-9")
    through_wechat(in_wechat, wechat_stub, user)
    privacy = in_wechat.get("/account/privacy/").content.decode()
    assert '<strong data-testid="mobile">—</strong>' in privacy
    page = in_wechat.get("/account/privacy/export/").content.decode()
    assert 'data-testid="wechat-identities"' in page
    assert user.openid in page and "union-9" in page


@pytest.mark.parametrize(
    "query",
    [
        {"code": "x" * 5000, "state": "s"},
        {"code": "\x00", "state": "\x00"},
        {"state": ["a", "b"]},
        {},
    ],
)
def test_hostile_callbacks_are_refused_with_a_message(in_wechat, brand, wechat_stub, query):
    in_wechat.get("/login/wechat/")
    response = in_wechat.get("/login/wechat/done/", query)
    assert response.status_code in {302, 400}
    assert not Customer.objects.exists()
    assert sum(wechat_stub.calls.values()) == 0


def test_a_code_too_long_to_be_wechats_is_not_sent_to_wechat(in_wechat, brand, wechat_stub):
    start = in_wechat.get("/login/wechat/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = in_wechat.get("/login/wechat/done/", {"code": "x" * 5000, "state": state})
    assert "not valid" in in_wechat.get(response["Location"]).content.decode()
    assert wechat_stub.calls["/sns/oauth2/access_token"] == 0
