"""Applying to become a distributor from the store: free, per-field errors, status and reason."""

import pytest

from weishang.distribution import services
from weishang.distribution.models import Application

from .test_microstore import open_store

pytestmark = pytest.mark.django_db

URL = "/distributor/apply/"


def form(customer, **overrides):
    data = {
        "real_name": "张三",
        "id_number": "11010519491231002X",
        "mobile": customer.mobile,
        "business_kind": "small_trade",
        "credit_code": "",
        "store_name": "三哥的枣铺",
        "invite_code": "",
    }
    data.update(overrides)
    return data


def test_signing_in_is_required(client, brand):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_says_joining_is_free_and_the_account_page_links_to_it(shopper):
    page = shopper.get(URL).content.decode()
    assert "Joining is free." in page
    assert "never ask for a fee, a deposit, a starter pack or any purchase" in page
    assert URL in shopper.get("/account/").content.decode()


def test_wrong_fields_are_marked_one_by_one_and_nothing_is_saved(shopper, customer):
    response = shopper.post(
        URL,
        form(
            customer,
            id_number="110105194912310021",
            business_kind="registered",
            credit_code="91350100M000100Y44",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-id_number"' in page and "check digit" in page
    assert 'data-testid="error-credit_code"' in page and "check character" in page
    assert 'data-testid="error-real_name"' not in page
    assert 'value="张三"' in page  # what he typed is kept
    assert not Application.objects.exists()


def test_applying_shows_the_pending_status_without_the_form(shopper, customer):
    response = shopper.post(URL, form(customer, id_number="11010519491231002x"), follow=True)
    page = response.content.decode()
    assert "awaiting review" in page
    assert "110***********002X" in page and "11010519491231002X" not in page
    assert 'data-testid="apply-form"' not in page
    assert Application.objects.get().customer == customer


def test_a_rejection_shows_the_reason_and_the_form_again(shopper, customer, staff):
    application = services.apply_to_distribute(
        customer=customer, **{k: v for k, v in form(customer).items() if k != "invite_code"}
    )
    services.reject_application(application=application, reviewer=staff, reason="店名含有违禁词")
    page = shopper.get(URL).content.decode()
    assert "店名含有违禁词" in page and 'data-testid="apply-form"' in page


def test_after_approval_the_page_links_to_his_console_and_store(shopper, customer, staff):
    application = services.apply_to_distribute(
        customer=customer, **{k: v for k, v in form(customer).items() if k != "invite_code"}
    )
    distributor = services.approve_application(application=application, reviewer=staff)
    page = shopper.get(URL).content.decode()
    assert 'data-testid="console-link"' in page
    assert f"/s/{distributor.slug}/" in page
    assert 'data-testid="apply-form"' not in page


def test_an_invite_link_fills_in_the_code(shopper, make_customer, staff):
    inviter = open_store(make_customer, staff)
    page = shopper.get(f"{URL}?invite={inviter.slug}").content.decode()
    assert f'value="{inviter.slug}"' in page


def test_an_id_number_an_active_distributor_uses_is_refused_in_chinese(
    shopper, customer, make_customer, staff, settings
):
    open_store(make_customer, staff)  # 11010519491231002X
    shopper.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = shopper.post(URL, form(customer)).content.decode()
    assert 'data-testid="error-id_number"' in page
    assert "已有一位在营分销员使用此身份证号" in page
    assert not Application.objects.filter(customer=customer).exists()


def test_an_over_long_field_or_unknown_business_kind_is_marked_and_nothing_is_filed(
    shopper, customer
):
    response = shopper.post(
        URL,
        {
            "real_name": "张" * 41,
            "id_number": "1" * 41,
            "mobile": customer.mobile,
            "business_kind": "corporation",
            "store_name": "小店",
            "invite_code": "x" * 41,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the fields marked below." in page
    assert "E-Commerce Law Art. 10" in page and "at most 40 characters" in page
    assert not Application.objects.exists()
