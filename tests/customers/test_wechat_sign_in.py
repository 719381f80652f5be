"""Signing in with WeChat (web authorisation and the mini-program, through the stub of WeChat's
servers) and the mobile number a WeChat customer proves later: his own, or the one of an
account he already had, which he then uses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.wechat_stub import MP_APPID, OA_APPID
from weishang import wechat
from weishang.compliance.models import AuditEntry
from weishang.customers import services as customers
from weishang.customers import wechat_accounts
from weishang.customers.models import Customer, OneTimeCode, WechatIdentity
from weishang.customers.personal_data import erase_personal_data, personal_data_for
from weishang.customers.services import CustomerError
from weishang.distribution.binding import bind_customer
from weishang.distribution.models import Binding, BindingEvent, ProgrammeSettings
from weishang.orders import services as orders
from weishang.sales.accounts import prove_mobile

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=3)
DAY = timedelta(days=1)


def web_sign_in(stub, user, **kwargs):
    return wechat_accounts.sign_in_with_web_code(code=stub.code_for(user, **kwargs))


def test_first_wechat_sign_in_creates_a_customer_known_by_wechat_alone(wechat_stub):
    user = wechat_stub.user(unionid="union-1", nickname="小枣")
    customer = web_sign_in(wechat_stub, user)
    assert customer.mobile is None and customer.nickname == "小枣"
    identity = WechatIdentity.objects.get(customer=customer)
    assert (identity.appid, identity.openid, identity.unionid) == (OA_APPID, user.openid, "union-1")
    # The same WeChat user again, silently (snsapi_base): the same account, no new one.
    again = web_sign_in(wechat_stub, user, scope="snsapi_base")
    assert again == customer and Customer.objects.count() == 1
    assert wechat_stub.calls["/sns/userinfo"] == 1  # the nickname is read only when asked for


def test_the_mini_program_finds_the_same_customer_by_unionid(wechat_stub):
    user = wechat_stub.user(unionid="union-2")
    on_the_web = web_sign_in(wechat_stub, user)
    signed = wechat_accounts.sign_in_with_mini_program(js_code=wechat_stub.code_for(user))
    assert signed.customer == on_the_web
    assert signed.openid == user.mp_openid and signed.session_key
    assert set(on_the_web.wechat_identities.values_list("appid", flat=True)) == {OA_APPID, MP_APPID}


def test_without_a_unionid_each_app_knows_its_own_customer(wechat_stub):
    user = wechat_stub.user()
    on_the_web = web_sign_in(wechat_stub, user)
    in_the_mini_program = wechat_accounts.sign_in_with_mini_program(
        js_code=wechat_stub.code_for(user)
    ).customer
    assert on_the_web != in_the_mini_program


@pytest.mark.parametrize(
    ("errcode", "words"),
    [(40029, "not valid"), (40163, "already used"), (45011, "too many"), (-1, "busy")],
)
def test_wechat_refusing_the_code_signs_nobody_in(wechat_stub, errcode, words):
    wechat_stub.fail("/sns/oauth2/access_token", errcode, "error")
    with pytest.raises(wechat.WechatError) as raised:
        web_sign_in(wechat_stub, wechat_stub.user())
    assert words in str(raised.value.message)
    assert not Customer.objects.exists()


def test_the_mini_programs_code_refused_or_missing_signs_nobody_in(wechat_stub):
    user = wechat_stub.user()
    code = wechat_stub.code_for(user)
    wechat_accounts.sign_in_with_mini_program(js_code=code)
    with pytest.raises(wechat.CodeUsed):
        wechat_accounts.sign_in_with_mini_program(js_code=code)
    with pytest.raises(wechat.InvalidCode):
        wechat_accounts.sign_in_with_mini_program(js_code="never-issued")
    for bad in ("", "  ", "x" * 500):
        with pytest.raises(CustomerError, match="did not say who you are"):
            wechat_accounts.sign_in_with_mini_program(js_code=bad)
    assert Customer.objects.count() == 1


def test_a_refused_authorisation_or_a_snapshot_visitor_is_told_what_to_do(wechat_stub):
    with pytest.raises(CustomerError, match="did not allow"):
        wechat_accounts.sign_in_with_web_code(code="")
    with pytest.raises(CustomerError, match="Open this page in WeChat"):
        web_sign_in(wechat_stub, wechat_stub.user(), scope="snsapi_base", snapshot=True)
    assert not Customer.objects.exists()


def test_user_info_failing_still_signs_in_without_a_nickname(wechat_stub):
    wechat_stub.fail("/sns/userinfo", -1, "system error")
    customer = web_sign_in(wechat_stub, wechat_stub.user(nickname="小枣"))
    assert customer.nickname == ""


def test_a_closed_account_cannot_sign_in_with_wechat(wechat_stub):
    user = wechat_stub.user()
    customer = web_sign_in(wechat_stub, user)
    customer.user.is_active = False
    customer.user.save()
    with pytest.raises(CustomerError, match="closed"):
        web_sign_in(wechat_stub, user)


def code_sent_to(mobile):
    return customers.send_login_code(mobile=mobile)


def test_a_new_number_becomes_the_wechat_customers_own(wechat_stub):
    customer = web_sign_in(wechat_stub, wechat_stub.user())
    proven = prove_mobile(customer=customer, mobile="13900001111", code=code_sent_to("13900001111"))
    assert proven.customer == customer and not proven.joined
    customer.refresh_from_db()
    assert customer.mobile == "13900001111" and customer.user.username == "m13900001111"
    assert AuditEntry.objects.filter(action="customer.verify_mobile").exists()
    # From now on the number signs in to the same account.
    assert customers.log_in_with_code(mobile="13900001111", code=code_sent_to("13900001111")) == (
        customer
    )


def test_the_number_of_an_existing_account_joins_him_to_it(
    wechat_stub, customer, make_distributor, make_product
):
    """His WeChat sign-in, cart and binding move to the account that has the number; the
    WeChat-only account is retired, and WeChat signs him in to the mobile account afterwards."""
    user = wechat_stub.user(unionid="union-3")
    shell = web_sign_in(wechat_stub, user)
    sku = make_product()
    orders.add_to_cart(customer=shell, sku_id=sku.pk, quantity=2)
    alice = make_distributor()
    bind_customer(customer=shell, distributor=alice, source="qr")

    proven = prove_mobile(
        customer=shell, mobile=customer.mobile, code=code_sent_to(customer.mobile)
    )

    assert proven.customer == customer and proven.joined
    assert customer.wechat_identities.get().openid == user.openid
    assert list(customer.cart_items.values_list("sku_id", "quantity")) == [(sku.pk, 2)]
    assert Binding.objects.get(customer=customer).distributor == alice
    shell.refresh_from_db()
    assert not shell.user.is_active and not shell.cart_items.exists()
    assert BindingEvent.objects.filter(customer=shell).exists()  # the log is never rewritten
    assert AuditEntry.objects.filter(action="customer.join_wechat_account").exists()
    assert web_sign_in(wechat_stub, user) == customer


@pytest.mark.parametrize(("rule", "bound_to"), [("lock", "bob"), ("last_click", "alice")])
def test_joining_binds_as_the_brands_rule_says(
    wechat_stub, customer, make_distributor, rule, bound_to
):
    """He was Bob's customer on his number and opened Alice's link later under WeChat alone:
    joined, he is bound as if he had opened Alice's link on his number then."""
    ProgrammeSettings.objects.update_or_create(pk=1, defaults={"binding_rule": rule})
    stores = {"alice": make_distributor(), "bob": make_distributor()}
    bind_customer(customer=customer, distributor=stores["bob"], source="qr", at=T0)
    shell = web_sign_in(wechat_stub, wechat_stub.user())
    bind_customer(customer=shell, distributor=stores["alice"], source="poster", at=T0 + DAY)
    prove_mobile(customer=shell, mobile=customer.mobile, code=code_sent_to(customer.mobile))
    assert Binding.objects.get(customer=customer).distributor == stores[bound_to]
    assert not Binding.objects.filter(customer=shell).exists()


def test_a_wechat_account_that_owns_more_is_not_joined_and_nothing_changes(wechat_stub, customer):
    shell = web_sign_in(wechat_stub, wechat_stub.user())
    customers.add_address(
        customer=shell,
        recipient="王五",
        phone="13700001111",
        province="上海市",
        city="上海市",
        detail="淮海中路 1 号",
    )
    code = code_sent_to(customer.mobile)
    with pytest.raises(CustomerError, match="cannot be joined") as raised:
        prove_mobile(customer=shell, mobile=customer.mobile, code=code)
    assert raised.value.code == "cannot_join"
    assert shell.wechat_identities.count() == 1 and not customer.wechat_identities.exists()
    shell.refresh_from_db()
    assert shell.user.is_active and shell.mobile is None
    assert OneTimeCode.objects.get(mobile=customer.mobile).used_at is None


def test_a_wrong_code_or_a_bad_number_changes_nothing(wechat_stub):
    customer = web_sign_in(wechat_stub, wechat_stub.user())
    code = code_sent_to("13900002222")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(CustomerError, match="not correct"):
        prove_mobile(customer=customer, mobile="13900002222", code=wrong)
    with pytest.raises(CustomerError, match="11-digit"):
        prove_mobile(customer=customer, mobile="１３９００００２２２２", code=code)
    customer.refresh_from_db()
    assert customer.mobile is None


def test_an_account_with_a_number_proves_no_other(wechat_stub, customer):
    with pytest.raises(CustomerError, match="already has a mobile number"):
        prove_mobile(customer=customer, mobile="13900004444", code="123456")


def test_his_wechat_identities_are_in_his_data_and_go_when_he_closes_the_account(wechat_stub):
    user = wechat_stub.user(unionid="union-4")
    customer = web_sign_in(wechat_stub, user)
    exported = personal_data_for(customer)["wechat_identities"]
    assert [(row["appid"], row["openid"], row["unionid"]) for row in exported] == [
        (OA_APPID, user.openid, "union-4")
    ]
    assert erase_personal_data(customer)["wechat_identities"] == 1
    assert not WechatIdentity.objects.exists()


@pytest.mark.postgres
def test_two_first_sign_ins_at_once_make_one_customer(postgres_only):
    results = run_in_parallel(
        lambda i: (
            wechat_accounts.sign_in_with_wechat(
                appid=OA_APPID, openid="o-same-person", unionid="union-5"
            ).pk
        ),
        4,
    )
    assert all(isinstance(pk, int) for pk in results), results
    assert len(set(results)) == 1
    assert WechatIdentity.objects.count() == 1
    assert connection.vendor == "postgresql"
