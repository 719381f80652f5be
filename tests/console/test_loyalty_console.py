"""The brand's members and points in the console: tiers, points settings and red packets on one
page (the owner changes them, every role reads them), a customer's tier, points and wallet on
his page, and points awarded by an operator from his member page."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.loyalty.flows import make_tiers
from weishang.console import menu, roles
from weishang.loyalty import points
from weishang.loyalty.models import LoyaltySettings, MemberTier, PointsLot, RedPacketOffer

from .conftest import english, messages_of
from .test_roles import member

pytestmark = pytest.mark.django_db
SETTINGS = reverse("console:loyalty_settings")
KEY = "0123456789abcdef0123456789abcdef"


def sign_in(client, django_user_model, role):
    client.user = member(django_user_model, role)
    english(client).force_login(client.user)
    return client


def member_page(customer):
    return reverse("console:customer_points", args=[customer.pk])


def test_the_owner_sets_tiers_points_and_red_packets(client, django_user_model):
    owner = sign_in(client, django_user_model, roles.OWNER)
    owner.post(
        reverse("console:tier_add"),
        {"name": "普通", "threshold": "0", "discount": "", "multiplier": "1"},
    )
    owner.post(
        reverse("console:tier_add"),
        {"name": "金卡", "threshold": "1,000", "discount": "5.5", "multiplier": "1.5"},
    )
    response = owner.post(
        reverse("console:tier_add"),
        {"name": "钻石", "threshold": "1000", "discount": "5", "multiplier": "2"},
        follow=True,
    )
    assert "Two tiers cannot start at the same spend." in messages_of(response)
    gold = MemberTier.objects.get(name="金卡")
    assert (gold.threshold_fen, gold.discount_bp, gold.multiplier_bp) == (100_000, 550, 15_000)
    response = owner.post(
        reverse("console:tier_edit", args=[MemberTier.objects.get(name="普通").pk]),
        {"name": "普通", "threshold": "10", "discount": "0", "multiplier": "1"},
        follow=True,
    )
    assert "The lowest tier starts at ¥0, so every customer holds a tier." in messages_of(response)

    response = owner.post(
        SETTINGS,
        {
            "points_per_yuan": "2",
            "fen_per_point": "1",
            "points_valid_days": "180",
            "tier_window_days": "365",
        },
        follow=True,
    )
    assert "The points settings are saved." in messages_of(response)
    assert LoyaltySettings.current().points_per_yuan == 2
    owner.post(
        reverse("console:red_packet_add"),
        {"name": "5元红包", "points_cost": "500", "amount": "5", "active": "on"},
    )
    packet = RedPacketOffer.objects.get()
    owner.post(
        reverse("console:red_packet_edit", args=[packet.pk]),
        {"name": "5元红包", "points_cost": "400", "amount": "5"},
    )
    packet.refresh_from_db()
    assert (packet.points_cost, packet.amount_fen, packet.active) == (400, 500, False)

    page = owner.get(SETTINGS).content.decode()
    assert 'value="1000.00"' in page and 'value="5.5"' in page and 'value="1.5"' in page
    assert "5元红包" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"points_per_yuan": "²"}, "Points per yuan are from 0 to 100."),
        ({"points_valid_days": "10"}, "Points last from 30 to 3650 days."),
        ({"tier_window_days": "９０"}, "30 to 1095 days"),
    ],
)
def test_bad_points_settings_are_a_message_and_change_nothing(
    client, django_user_model, data, message
):
    owner = sign_in(client, django_user_model, roles.OWNER)
    values = {
        "points_per_yuan": "1",
        "fen_per_point": "1",
        "points_valid_days": "365",
        "tier_window_days": "365",
    }
    response = owner.post(SETTINGS, values | data)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response))
    assert not LoyaltySettings.objects.exists()


def test_other_roles_read_the_settings_without_forms(client, django_user_model):
    make_tiers()
    finance = sign_in(client, django_user_model, roles.FINANCE)
    page = finance.get(SETTINGS).content.decode()
    assert "银卡" in page and "×1.5" in page
    assert 'action="/console/members/tiers/new/"' not in page
    links = [link.url for group in menu.menu_for(finance.user) for link in group.links]
    assert SETTINGS in links


def test_an_operator_awards_points_once_from_the_customers_page(
    client, django_user_model, customer, django_assert_max_num_queries
):
    make_tiers()
    for n in range(30):
        with transaction.atomic():
            points.grant_points(
                customer_id=customer.pk, points=10, key=f"g{n}", reason="晒单", now=timezone.now()
            )
    operator = sign_in(client, django_user_model, roles.OPERATOR)
    detail = operator.get(reverse("console:customer_detail", args=[customer.pk])).content.decode()
    assert 'data-testid="award-form"' in detail and "普通" in detail and ">300<" in detail

    for _ in range(2):
        response = operator.post(
            member_page(customer), {"points": "50", "reason": "优质晒单", "request_key": KEY}
        )
        assert response.status_code == 302
    assert PointsLot.objects.filter(reason="优质晒单").count() == 1
    with django_assert_max_num_queries(14):
        response = operator.get(member_page(customer))
    page = response.content.decode()
    assert "Awarded by the brand: 优质晒单" in page and ">350<" in page
    assert len(response.context["rows"]) == 31

    bad = operator.post(member_page(customer), {"points": "²", "reason": "x", "request_key": KEY})
    assert "Points to award: Award from 1 to 1,000,000 points." in messages_of(bad)


def test_finance_sees_the_points_but_cannot_award(client, django_user_model, customer):
    finance = sign_in(client, django_user_model, roles.FINANCE)
    page = finance.get(member_page(customer)).content.decode()
    assert 'data-testid="member-summary"' in page
    assert 'data-testid="award-form"' not in page
    response = finance.post(
        member_page(customer), {"points": "50", "reason": "r", "request_key": KEY}
    )
    assert response.status_code == 403
    assert not PointsLot.objects.exists()
