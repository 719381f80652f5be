"""A customer's right to correct his personal data (PIPL Art. 46): nickname, addresses, mobile."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from tests.personal import MOBILE, NICKNAME, RECIPIENT, STREET, make_xiaoming
from weishang.compliance.models import AuditEntry
from weishang.customers import data_rights
from weishang.customers.models import Address
from weishang.customers.services import (
    CustomerError,
    add_address,
    log_in_with_code,
    send_login_code,
)
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


@pytest.fixture
def xiaoming(make_customer):
    return make_xiaoming(make_customer)


def place(customer, sku, quantity=1):
    return sales.place_order(
        customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
    )


# Corrections -------------------------------------------------------------------------------------


def test_corrections_change_only_my_data(xiaoming, make_customer, sku):
    other = make_customer("13700000002")
    order = place(xiaoming, sku)
    data_rights.update_nickname(customer=xiaoming, nickname=" 阿明 ")
    address = xiaoming.addresses.get()
    data_rights.update_address(
        customer=xiaoming,
        address_id=address.pk,
        recipient="王大明",
        phone="13912345679",
        province="浙江省",
        city="宁波市",
        district="",
        detail="新路1号",
    )
    xiaoming.refresh_from_db()
    address.refresh_from_db()
    assert xiaoming.nickname == "阿明"
    assert (address.recipient, address.city, address.phone) == ("王大明", "宁波市", "13912345679")
    order.refresh_from_db()
    assert order.recipient == RECIPIENT  # the order keeps the address it was placed with
    other_address = other.addresses.get()
    with pytest.raises(CustomerError, match="not yours"):
        data_rights.update_address(
            customer=xiaoming,
            address_id=other_address.pk,
            recipient="x",
            phone=MOBILE,
            province="x",
            city="x",
            detail="x",
        )
    with pytest.raises(CustomerError, match="not yours"):
        data_rights.delete_address(customer=xiaoming, address_id=other_address.pk)
    assert Address.objects.get(pk=other_address.pk).recipient == "张三"


def test_deleting_the_default_address_makes_the_next_one_default(xiaoming):
    add_address(
        customer=xiaoming,
        recipient="王小明",
        phone=MOBILE,
        province="浙江省",
        city="杭州市",
        detail="二号路",
        make_default=False,
    )
    default = xiaoming.addresses.get(is_default=True)
    data_rights.delete_address(customer=xiaoming, address_id=default.pk)
    assert list(xiaoming.addresses.values_list("detail", "is_default")) == [("二号路", True)]


def test_a_new_mobile_needs_the_code_sent_to_it(xiaoming):
    code = data_rights.request_mobile_change(customer=xiaoming, new_mobile="139 8765 4321")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CustomerError, match="not correct"):
        data_rights.change_mobile(customer=xiaoming, new_mobile="13987654321", code=wrong)
    xiaoming.refresh_from_db()
    assert xiaoming.mobile == MOBILE
    with pytest.raises(CustomerError, match="expired or was never sent"):
        data_rights.change_mobile(customer=xiaoming, new_mobile="13600000000", code=code)

    data_rights.change_mobile(customer=xiaoming, new_mobile="13987654321", code=code)
    xiaoming.refresh_from_db()
    assert xiaoming.mobile == "13987654321"
    assert xiaoming.user.username == "m13987654321"
    # The code is used up, and the new number signs in to the same account.
    with pytest.raises(CustomerError):
        data_rights.change_mobile(customer=xiaoming, new_mobile="13987654321", code=code)
    code = send_login_code(mobile="13987654321", now=timezone.now() + timedelta(minutes=2))
    signed_in = log_in_with_code(
        mobile="13987654321", code=code, now=timezone.now() + timedelta(minutes=2)
    )
    assert signed_in.pk == xiaoming.pk


def test_a_number_that_belongs_to_someone_else_is_refused(xiaoming, make_customer):
    make_customer("13700000003")
    with pytest.raises(CustomerError, match="another account"):
        data_rights.request_mobile_change(customer=xiaoming, new_mobile="13700000003")
    with pytest.raises(CustomerError, match="already your"):
        data_rights.request_mobile_change(customer=xiaoming, new_mobile=MOBILE)


# Audited like staff acts -------------------------------------------------------------------------


def test_each_correction_is_audited_with_its_fields_and_none_of_his_values(xiaoming):
    address = xiaoming.addresses.get()
    data_rights.update_nickname(customer=xiaoming, nickname="阿明")
    data_rights.update_nickname(customer=xiaoming, nickname="阿明")  # nothing changed
    kept = {f: getattr(address, f) for f in ("phone", "province", "city", "district")}
    data_rights.update_address(
        customer=xiaoming, address_id=address.pk, recipient="王大明", detail="新路1号", **kept
    )
    code = data_rights.request_mobile_change(customer=xiaoming, new_mobile="13987654321")
    data_rights.change_mobile(customer=xiaoming, new_mobile="13987654321", code=code)
    data_rights.delete_address(customer=xiaoming, address_id=address.pk)

    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.action, e.after["fields"], e.object_type) for e in entries] == [
        ("customer.correct_nickname", ["nickname"], "customers.customer"),
        ("customer.correct_address", ["detail", "recipient"], "customers.address"),
        ("customer.change_mobile", ["mobile"], "customers.customer"),
        ("customer.delete_address", [], "customers.address"),
    ]
    assert {(e.actor_id, e.actor_label) for e in entries} == {
        (xiaoming.user_id, f"customer #{xiaoming.pk}")
    }
    text = str([model_to_dict(e) for e in entries])
    for value in (MOBILE, "13987654321", NICKNAME, "阿明", RECIPIENT, "王大明", STREET, "新路1号"):
        assert value not in text
