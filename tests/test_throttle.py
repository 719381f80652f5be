"""Guessing and pumping are throttled: by account, by client and in all, with a lockout that
refuses even the right password and says when to try again."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from weishang import throttle
from weishang.customers.services import (
    CustomerError,
    log_in_with_code,
    send_login_code,
    set_password,
)
from weishang.customers.sms import MemorySmsSender

pytestmark = pytest.mark.django_db

LOCKED = "Too many attempts. Please try again in 15 minutes."


@pytest.fixture
def storefront_account(customer):
    set_password(customer=customer, password="right-password-1")
    return customer.mobile, "right-password-1"


@pytest.fixture
def staff_account(staff):
    return staff.username, "pw-operator-1"


def sign_in(client, page, account, password, remote="127.0.0.1"):
    """Posts one sign-in on ``page`` from the address ``remote``; returns the page's text and
    whether the client is signed in."""
    if page == "/login/":
        data = {"action": "password", "mobile": account, "password": password}
    else:
        data = {"username": account, "password": password}
    response = client.post(page, data, headers={"Accept-Language": "en"}, REMOTE_ADDR=remote)
    return response.content.decode(), "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "page, account",
    [
        ("/login/", "storefront_account"),
        ("/console/login/", "staff_account"),
        ("/admin/login/", "staff_account"),
    ],
)
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, brand, request, page, account
):
    account, password = request.getfixturevalue(account)
    for _ in range(throttle.FAILED_LOGINS_PER_ACCOUNT.hits):
        text, signed_in = sign_in(client, page, account, "wrong-guess")
        assert not signed_in and LOCKED not in text
    text, signed_in = sign_in(client, page, account, password)
    assert LOCKED in text and not signed_in
    # Another client guessing the same account is refused too: the lock is the account's.
    text, signed_in = sign_in(client, page, account, password, remote="198.51.100.7")
    assert LOCKED in text and not signed_in


def test_the_lockout_message_is_translated(client, staff_account):
    account, password = staff_account
    for _ in range(throttle.FAILED_LOGINS_PER_ACCOUNT.hits):
        sign_in(client, "/console/login/", account, "wrong-guess")
    response = client.post(
        "/console/login/",
        {"username": account, "password": password},
        headers={"Accept-Language": "zh-hans"},
    )
    assert "尝试次数过多，请 15 分钟后再试。" in response.content.decode()


def test_one_client_guessing_many_accounts_is_locked_out(client, staff_account):
    for n in range(throttle.FAILED_LOGINS_PER_CLIENT.hits):
        text, _ = sign_in(client, "/console/login/", f"guess-{n}", "wrong-guess")
        assert LOCKED not in text
    account, password = staff_account
    text, signed_in = sign_in(client, "/console/login/", account, password)
    assert LOCKED in text and not signed_in
    # The account itself is not locked: from elsewhere its owner signs in.
    _, signed_in = sign_in(client, "/console/login/", account, password, remote="192.0.2.9")
    assert signed_in


def test_wrong_codes_are_limited_per_number_across_new_codes():
    mobile, start = "13912345678", timezone.now()
    guesses = 0
    for n in range(2):
        now = start + timedelta(minutes=2 * n)
        code = send_login_code(mobile=mobile, now=now)
        for _ in range(5):  # each code takes five wrong guesses
            with pytest.raises(CustomerError, match="not correct"):
                log_in_with_code(mobile=mobile, code=f"{(int(code) + 1) % 10**6:06d}", now=now)
            guesses += 1
    assert guesses == throttle.WRONG_CODES_PER_MOBILE.hits
    now = start + timedelta(minutes=4)
    code = send_login_code(mobile=mobile, now=now)
    with pytest.raises(throttle.Throttled, match="try again in 60 minutes"):
        log_in_with_code(mobile=mobile, code=code, now=now)


def test_codes_sent_to_one_number_are_limited(settings):
    mobile, start = "13912345678", timezone.now()
    for n in range(throttle.CODES_SENT_PER_MOBILE.hits):
        send_login_code(mobile=mobile, now=start + timedelta(minutes=2 * n))
    with pytest.raises(throttle.Throttled):
        send_login_code(mobile=mobile, now=start + timedelta(minutes=30))


def test_one_client_cannot_pump_codes_to_many_numbers(
    client, brand, django_capture_on_commit_callbacks
):
    MemorySmsSender.outbox.clear()
    refused = 0
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            response = client.post(
                "/login/",
                {"action": "send_code", "mobile": f"1390000{n:04d}"},
                headers={"Accept-Language": "en"},
            )
            refused += "Too many attempts" in response.content.decode()
    assert len(MemorySmsSender.outbox) == throttle.CODES_SENT_PER_CLIENT.hits
    assert refused == 30 - throttle.CODES_SENT_PER_CLIENT.hits


def test_codes_sent_by_everyone_together_are_limited(client, brand, monkeypatch):
    monkeypatch.setattr(
        throttle, "CODES_SENT_IN_ALL", throttle.Limit("send-all", hits=3, window=60, lockout=60)
    )
    texts = [
        client.post(
            "/login/",
            {"action": "send_code", "mobile": f"1390000{n:04d}"},
            headers={"Accept-Language": "en"},
            REMOTE_ADDR=f"203.0.113.{n}",
        ).content.decode()
        for n in range(4)
    ]
    assert ["Too many attempts" in text for text in texts] == [False, False, False, True]


@pytest.mark.parametrize(
    "header, remote, expected",
    [
        ("", "192.0.2.1", "192.0.2.1"),
        ("X-Real-IP", "10.0.0.2", "198.51.100.4"),
        ("X-Real-IP", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ],
)
def test_the_client_is_the_proxy_s_word_when_configured(rf, settings, header, remote, expected):
    settings.CLIENT_IP_HEADER = header
    request = rf.get("/", REMOTE_ADDR=remote, headers={"X-Real-IP": "198.51.100.4"})
    if ":" in remote:
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", headers={"X-Real-IP": remote})
    assert throttle.client(request) == expected


def test_nobody_but_staff_signs_into_the_console_even_unthrottled(client, db):
    get_user_model().objects.create_user(username="shopper", password="pw-shopper-1")
    text, _ = sign_in(client, "/console/login/", "shopper", "pw-shopper-1")
    assert "not brand staff" in text


@pytest.fixture
def redis_cache(settings):
    """Production's cache backend, on the machine's Redis, under a key prefix of this test's own
    (deleted afterwards; never the whole database, which others may share)."""
    import uuid

    import redis

    server = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    prefix = f"weishang-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_the_lock_holds_in_redis_as_in_production(client, redis_cache, staff_account):
    account, password = staff_account
    for _ in range(throttle.FAILED_LOGINS_PER_ACCOUNT.hits):
        sign_in(client, "/console/login/", account, "wrong-guess")
    text, signed_in = sign_in(client, "/console/login/", account, password)
    assert LOCKED in text and not signed_in
