from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from weishang.customers.models import Customer
from weishang.customers.rules import mask_mobile, normalise_mobile
from weishang.customers.services import (
    CustomerError,
    add_address,
    log_in_with_code,
    send_login_code,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("12812345678", None),
        ("1381234567", None),
        ("", None),
        ("138123456789", None),
    ],
)
def test_mobile_numbers_are_normalised_or_refused(raw, expected):
    assert normalise_mobile(raw) == expected


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_masked_mobile_shows_only_prefix_and_suffix(mobile):
    masked = mask_mobile(mobile)
    assert masked == mobile[:3] + "****" + mobile[-4:]


@pytest.mark.django_db
def test_first_login_by_code_signs_the_customer_up_and_a_code_works_once(settings):
    settings.SMS_SENDER = "weishang.customers.sms.MemorySmsSender"
    code = send_login_code(mobile="13912345678")
    customer = log_in_with_code(mobile="139 1234 5678", code=code)
    assert customer.mobile == "13912345678"
    with pytest.raises(CustomerError, match="expired or was never sent"):
        log_in_with_code(mobile="13912345678", code=code)
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_wrong_codes_count_and_lock_the_code():
    now = timezone.now()
    code = send_login_code(mobile="13912345678", now=now)
    for _ in range(5):
        with pytest.raises(CustomerError, match="not correct"):
            log_in_with_code(
                mobile="13912345678", code="000000" if code != "000000" else "111111", now=now
            )
    with pytest.raises(CustomerError, match="Too many"):
        log_in_with_code(mobile="13912345678", code=code, now=now)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_codes_expire_and_are_rate_limited():
    now = timezone.now()
    code = send_login_code(mobile="13912345678", now=now)
    with pytest.raises(CustomerError, match="less than a minute"):
        send_login_code(mobile="13912345678", now=now + timedelta(seconds=30))
    with pytest.raises(CustomerError, match="expired"):
        log_in_with_code(mobile="13912345678", code=code, now=now + timedelta(minutes=6))
    with pytest.raises(CustomerError, match="11-digit"):
        send_login_code(mobile="12345")


@pytest.mark.django_db
def test_address_needs_its_fields_and_a_valid_phone(customer):
    with pytest.raises(CustomerError):
        add_address(
            customer=customer,
            recipient="",
            phone="13812345678",
            province="浙江省",
            city="杭州市",
            detail="x",
        )
    with pytest.raises(CustomerError, match="11-digit"):
        add_address(
            customer=customer,
            recipient="李四",
            phone="123",
            province="浙江省",
            city="杭州市",
            detail="x",
        )
    second = add_address(
        customer=customer,
        recipient="李四",
        phone="13812345678",
        province="浙江省",
        city="杭州市",
        detail="文三路1号",
    )
    assert second.is_default
    assert customer.addresses.filter(is_default=True).count() == 1


@pytest.mark.django_db
def test_a_used_code_does_not_make_the_next_one_wait():
    now = timezone.now()
    code = send_login_code(mobile="13912345678", now=now)
    log_in_with_code(mobile="13912345678", code=code, now=now + timedelta(seconds=5))
    assert send_login_code(mobile="13912345678", now=now + timedelta(seconds=10))
