"""A customer's own share links (分享有礼) in the store: the share button, his link, QR code and
poster; a friend arriving through it, remembered until he orders; "my shares"; and the invitation
to become a distributor once his shares sell (C→B)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.distribution.models import Application, Binding
from weishang.distribution.services import apply_to_distribute
from weishang.loyalty import reward_rules
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_links import make_token
from weishang.loyalty.share_rewards import reward_completed_order, save_share_rule
from weishang.orders import services as orders
from weishang.orders.models import Order
from weishang.sales import services as sales
from weishang.storefront.share_visits import SESSION_KEY

from .test_cart_and_checkout import place_form

pytestmark = pytest.mark.django_db

LATER = timezone.now() + timedelta(days=10)


@pytest.fixture
def sharer(make_customer):
    return make_customer()


@pytest.fixture
def friend(make_customer):
    return make_customer()


def shared_link(client, sharer, sku) -> str:
    """The sharer taps "Share with friends" and reads his link off the share page."""
    client.force_login(sharer.user)
    product = sku.product
    response = client.post(f"/p/{product.url_key}/share/")
    assert response["Location"] == f"/account/shares/p/{product.url_key}/"
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'value="(http[^"]+\?share=[^"]+)" data-testid="share-link"', page).group(1)
    client.logout()  # forgets every cookie: the page language too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return link.removeprefix("http://testserver").replace("&amp;", "&")


def test_a_signed_in_customer_gets_his_own_link_qr_code_and_poster(client, brand, sharer, sku):
    client.force_login(sharer.user)
    product_page = client.get(f"/p/{sku.product.url_key}/").content.decode()
    assert 'data-testid="share"' in product_page
    client.post(f"/p/{sku.product.url_key}/share/")
    page = client.get(f"/account/shares/p/{sku.product.url_key}/").content.decode()
    assert "?share=" in page and "Save the poster" in page
    for image in ("qr.png", "poster.png"):
        response = client.get(f"/account/shares/p/{sku.product.url_key}/{image}")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "private" in response["Cache-Control"]
    assert client.get(f"/account/shares/p/{sku.product.url_key}/").status_code == 200


def test_a_product_he_never_shared_has_no_share_page(client, brand, sharer, sku):
    client.force_login(sharer.user)
    assert client.get(f"/account/shares/p/{sku.product.url_key}/").status_code == 404
    assert client.get(f"/account/shares/p/{sku.product.url_key}/poster.png").status_code == 404


def test_a_visitor_is_sent_to_sign_in_before_sharing(client, brand, sku):
    page = client.get(f"/p/{sku.product.url_key}/").content.decode()
    assert f"/login/?next=/p/{sku.product.url_key}/" in page


def test_a_friend_arriving_through_the_link_records_the_sharer_on_his_order(
    client, brand, sharer, friend, sku
):
    link = shared_link(client, sharer, sku)
    client.get(link)  # not signed in yet: remembered in his session
    client.force_login(friend.user)
    response = client.post("/checkout/place/", place_form(friend, [(sku, "1")], total=3990))
    assert response.status_code == 302
    order = Order.objects.get(customer=friend)
    assert order.shared_by == sharer
    assert order.distributor is None and not Binding.objects.exists()


def test_the_sharer_buying_through_his_own_link_records_nothing(client, brand, sharer, sku):
    link = shared_link(client, sharer, sku)
    client.force_login(sharer.user)
    client.get(link)
    client.post("/checkout/place/", place_form(sharer, [(sku, "1")], total=3990))
    assert Order.objects.get(customer=sharer).shared_by is None


def test_a_forged_or_stale_link_is_ignored(client, brand, sharer, friend, sku):
    token = make_token(customer_id=sharer.pk, product_id=sku.product_id)
    client.get(f"/p/{sku.product.url_key}/?share={token[:-2]}xx")
    assert SESSION_KEY not in client.session
    client.get(f"/p/{sku.product.url_key}/?share={token}")
    session = client.session
    session[SESSION_KEY] = [sharer.pk, int((timezone.now() - timedelta(days=8)).timestamp())]
    session.save()
    client.force_login(friend.user)
    client.post("/checkout/place/", place_form(friend, [(sku, "1")], total=3990))
    assert Order.objects.get(customer=friend).shared_by is None


def _completed_through(sharer, friend, sku, *, return_one=False):
    order = sales.place_order(
        customer=friend, items={sku.pk: 2}, address=friend.addresses.get(), shared_by=sharer
    )
    deliver(pay(order))
    if return_one:
        rr = orders.request_return(
            order=order, customer=friend, quantities={order.lines.get().pk: 1}
        )
        rr = orders.receive_return(
            actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
        )
        sales.refund_return(return_request=rr)
    orders.complete_orders(now=LATER)
    order.refresh_from_db()
    with transaction.atomic():
        reward_completed_order(order=order, now=LATER)
    return order


def test_my_shares_shows_friends_orders_and_what_they_earned_never_who_they_are(
    client, brand, staff, sharer, friend, make_customer, sku, make_product
):
    save_share_rule(draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=30), actor=staff)
    shared_link(client, sharer, sku)
    _completed_through(sharer, friend, sku)
    _completed_through(sharer, friend, sku, return_one=True)
    sales.place_order(
        customer=friend, items={sku.pk: 1}, address=friend.addresses.get(), shared_by=sharer
    )
    sales.place_order(
        customer=friend,
        items={make_product().pk: 1},
        address=friend.addresses.get(),
        shared_by=sharer,
    )
    client.force_login(sharer.user)
    page = client.get("/account/shares/").content.decode()
    assert page.count('data-testid="share-row"') == 1
    assert page.count('data-testid="friend-order"') == 4
    earned = re.findall(r'data-testid="earned">([^<]+)<', page)
    assert sorted(earned) == sorted(
        [
            "earned 30 points",
            "earned nothing",
            "earns once it completes without return",
            "earns once it completes without return",
        ]
    )
    assert 'data-testid="other-orders"' in page
    assert "30 points earned" in page
    assert friend.mobile not in page and "张三" not in page


def test_my_shares_query_count_does_not_grow_with_orders(
    client, brand, sharer, make_customer, sku, django_assert_max_num_queries
):
    shared_link(client, sharer, sku)
    client.force_login(sharer.user)

    def count():
        with django_assert_max_num_queries(12) as captured:
            assert client.get("/account/shares/").status_code == 200
        return len(captured)

    def bought():
        buyer = make_customer()
        sales.place_order(
            customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), shared_by=sharer
        )

    bought()
    one = count()
    for _ in range(5):
        bought()
    assert count() == one


def test_enough_completed_orders_through_his_shares_invite_him_to_become_a_distributor(
    client, brand, staff, sharer, friend, sku
):
    save_share_rule(draft=RewardRuleDraft(invite_after_orders=2), actor=staff)
    client.force_login(sharer.user)
    _completed_through(sharer, friend, sku)
    assert 'data-testid="distributor-invitation"' not in client.get("/account/").content.decode()
    _completed_through(sharer, friend, sku, return_one=True)  # refunded in part: not counted
    assert 'data-testid="distributor-invitation"' not in client.get("/account/").content.decode()
    _completed_through(sharer, friend, sku)
    page = client.get("/account/").content.decode()
    assert 'data-testid="distributor-invitation"' in page
    assert "2 friends' orders through your share links have completed." in page
    assert 'href="/distributor/apply/" data-testid="distributor-invitation-apply"' in page


def test_the_invitation_defaults_to_three_orders_and_skips_applicants_and_distributors(
    client, brand, sharer, friend, sku, make_distributor
):
    client.force_login(sharer.user)
    for _ in range(3):
        _completed_through(sharer, friend, sku)
    assert 'data-testid="distributor-invitation"' in client.get("/account/").content.decode()
    apply_to_distribute(
        customer=sharer,
        real_name="张三",
        id_number="11010519491231002X",
        mobile=sharer.mobile,
        business_kind="small_trade",
        store_name="三哥的枣铺",
    )
    assert Application.objects.get().status == Application.Status.PENDING
    assert 'data-testid="distributor-invitation"' not in client.get("/account/").content.decode()
    Application.objects.update(status=Application.Status.APPROVED)
    make_distributor(customer=sharer)
    assert 'data-testid="distributor-invitation"' not in client.get("/account/").content.decode()
