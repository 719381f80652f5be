"""The customer's city station on his account page: the station of his delivery city suggested
and preselected, choosing, changing and leaving it, its opinion leaders by nickname or masked
mobile; bad input is a message. A distributor chooses his the same way."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from weishang.community import services as community
from weishang.community.models import StationMembership
from weishang.customers.models import Customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()
ACCOUNT = reverse("storefront:account")
CHOOSE = reverse("storefront:choose_station")
LEAVE = reverse("storefront:leave_station")
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def station(name, city, **fields):
    return community.create_station(
        actor=None, name=name, province="某省", city=city, now=NOW, **fields
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def stations():
    """The customer's default address is in 上海市 (tests/conftest.py)."""
    return {"郑州": station("郑州站", "郑州"), "上海": station("上海站", "上海市")}


def test_the_station_of_his_delivery_city_is_suggested_and_preselected(shopper, stations):
    page = shopper.get(ACCOUNT)
    choice = page.context["station_choice"]
    assert choice.station is None
    assert choice.suggested == stations["上海"] and choice.preselected_id == stations["上海"].pk
    html = page.content.decode()
    assert (
        f'<option value="{stations["上海"].pk}" selected data-suggested>上海站 · 上海 '
        "(suggested: your delivery city)</option>" in html
    )
    assert f'<option value="{stations["郑州"].pk}">郑州站 · 郑州</option>' in html


def test_no_suggestion_without_a_station_in_his_city(shopper, customer):
    station("郑州站", "郑州")
    customer.addresses.update(city="乌鲁木齐市")
    choice = shopper.get(ACCOUNT).context["station_choice"]
    assert choice.suggested is None and choice.preselected_id is None


def test_he_joins_changes_and_leaves_his_station(shopper, customer, stations, make_customer):
    leader = make_customer()
    Customer.objects.filter(pk=leader.pk).update(nickname="枣姐")
    quiet = make_customer()
    for who, title in ((leader, "团长"), (quiet, "")):
        community.appoint_leader(
            actor=None, station_id=stations["上海"].pk, mobile=who.mobile, title=title, now=NOW
        )
    response = shopper.post(CHOOSE, {"station": stations["上海"].pk}, follow=True)
    assert "Your city station is saved." in messages_of(response)
    assert response.redirect_chain[-1][0].endswith("#station")
    html = response.content.decode()
    assert 'data-testid="my-station-name">上海站<' in html
    assert "枣姐 · 团长" in html and f"{quiet.mobile[:3]}****{quiet.mobile[-4:]}" in html
    assert quiet.mobile not in html

    shopper.post(CHOOSE, {"station": stations["郑州"].pk})
    assert StationMembership.objects.get(customer=customer).station == stations["郑州"]
    # His own station stays preselected, the suggestion still marked.
    choice = shopper.get(ACCOUNT).context["station_choice"]
    assert (choice.preselected_id, choice.suggested) == (stations["郑州"].pk, stations["上海"])

    response = shopper.post(LEAVE, follow=True)
    assert "You left your city station." in messages_of(response)
    assert not StationMembership.objects.filter(customer=customer).exists()
    again = shopper.post(LEAVE, follow=True)
    assert "You are not in a city station." in messages_of(again)


@pytest.mark.parametrize("value", ["", "abc", "１", "-1", "999999", "9" * 30])
def test_bad_choices_are_a_message_and_change_nothing(shopper, customer, stations, value):
    response = shopper.post(CHOOSE, {"station": value}, follow=True)
    assert response.status_code == 200
    assert messages_of(response)
    assert not StationMembership.objects.filter(customer=customer).exists()


def test_a_closed_station_cannot_be_joined(shopper, customer, stations):
    community.close_station(actor=None, station_id=stations["郑州"].pk)
    response = shopper.post(CHOOSE, {"station": stations["郑州"].pk}, follow=True)
    assert "This station is closed; choose another." in messages_of(response)
    assert stations["郑州"] not in response.context["station_choice"].open_stations


def test_a_distributor_chooses_his_station_on_the_same_page(client, brand, make_distributor):
    distributor = make_distributor()
    made = station("上海站", "上海")
    client.force_login(distributor.customer.user)
    assert client.get(ACCOUNT).context["station_choice"].suggested == made
    client.post(CHOOSE, {"station": made.pk})
    assert StationMembership.objects.get(customer=distributor.customer).station == made


def test_the_account_page_reads_the_station_in_constant_queries(
    shopper, customer, stations, make_customer, django_assert_max_num_queries
):
    community.join_station(customer=customer, station_id=stations["上海"].pk, now=NOW)
    community.appoint_leader(
        actor=None, station_id=stations["上海"].pk, mobile=make_customer().mobile, now=NOW
    )
    with CaptureQueriesContext(connection) as few:
        shopper.get(ACCOUNT)
    for n in range(3):
        community.appoint_leader(
            actor=None, station_id=stations["上海"].pk, mobile=make_customer().mobile, now=NOW
        )
        station(f"站{n}", f"城{n}")
    with django_assert_max_num_queries(len(few)):
        response = shopper.get(ACCOUNT)
    assert len(response.context["station_choice"].leaders) == 4


def test_station_and_leader_text_is_escaped_for_the_customer(shopper, customer, make_customer):
    made = station(XSS[:40], "上海", intro=XSS)
    leader = make_customer()
    Customer.objects.filter(pk=leader.pk).update(nickname=XSS[:40])
    community.appoint_leader(
        actor=None, station_id=made.pk, mobile=leader.mobile, title=XSS[:40], now=NOW
    )
    community.join_station(customer=customer, station_id=made.pk, now=NOW)
    html = shopper.get(ACCOUNT).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
