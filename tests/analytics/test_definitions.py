"""Each figure's definition on small hand-built data with known answers: GMV is what orders paid
in the period paid less every refund (partial returns included), an order refunded in full is no
order, buyers and people reached are counted once, the four GMV factors multiply back to GMV
exactly, and the funnel counts each step when it was taken."""

from datetime import timedelta
from fractions import Fraction
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import bought, deliver, returned
from weishang.analytics import selectors
from weishang.analytics.fold import fold
from weishang.analytics.periods import Period, preset
from weishang.analytics.rules import Factors
from weishang.distribution import binding, reach
from weishang.distribution.models import ShareSource
from weishang.sales import services as sales

TODAY = timezone.localdate()
DAY = Period(TODAY, TODAY)


@pytest.fixture
def shop(make_customer, make_product, make_distributor):
    """Two buyers of a distributor (one also opened his link), a third on his own, a visitor who
    never bought; 10.00 a unit, free delivery."""
    seller = make_distributor()
    ann, bob, cat = make_customer(), make_customer(), make_customer()
    for buyer in (ann, bob):
        binding.bind_customer(customer=buyer, distributor=seller, source=ShareSource.STORE_LINK)
    sku = make_product(price_fen=1_000, stock=100)
    for person in (ann.pk, reach.person_of(customer_id=None, device_id="a-visitors-phone-0001")):
        binding.record_share_visit(
            distributor=seller, source=ShareSource.QR, product_id=None, person=person
        )
    ann_first = deliver(bought(ann, sku, 3))
    bought(ann, sku, 1)
    returned(ann_first, 1)  # 10.00 back: ann kept 30.00 of 40.00 over two orders
    sales.cancel_order(order=bought(bob, sku, 2), by_brand=False)  # refunded in full
    bought(cat, sku, 5)
    fold()
    return {"seller": seller, "ann": ann, "bob": bob, "cat": cat, "sku": sku}


@pytest.mark.django_db
def test_gmv_is_paid_less_refunds_and_an_order_refunded_in_full_is_no_order(shop):
    brand = selectors.factors(DAY)
    assert (brand.gmv_fen, brand.orders, brand.buyers) == (30_00 + 50_00, 3, 2)
    # Reached: ann, bob and cat (buyers), and the visitor's phone.
    assert brand.reached == 4
    theirs = selectors.factors(DAY, selectors.distributor_slice(shop["seller"].pk))
    assert (theirs.gmv_fen, theirs.orders, theirs.buyers, theirs.reached) == (30_00, 2, 1, 3)
    assert selectors.sales_by_day(DAY) == {TODAY: (80_00, 3)}


@pytest.mark.django_db
def test_the_four_factors_multiply_back_to_the_periods_gmv_in_whole_fen(shop):
    for who in (selectors.BRAND, selectors.distributor_slice(shop["seller"].pk)):
        figures = selectors.factors(DAY, who)
        assert figures.product_fen() == figures.gmv_fen
    brand = selectors.factors(DAY)
    assert brand.conversion == Fraction(2, 4)
    assert brand.frequency == Fraction(3, 2)
    assert brand.aov_fen == Fraction(80_00, 3)


@given(
    reached=st.integers(0, 10**6),
    buyers=st.integers(0, 10**6),
    orders=st.integers(0, 10**7),
    gmv=st.integers(0, 10**12),
)
def test_the_identity_holds_for_any_counts_that_can_happen(reached, buyers, orders, gmv):
    # What the rollups guarantee: every buyer is reached, a buyer has an order, money needs one.
    buyers = min(buyers, reached)
    orders = max(orders, buyers) if buyers else 0
    gmv = gmv if orders else 0
    figures = Factors(reached=reached, buyers=buyers, orders=orders, gmv_fen=gmv)
    assert figures.product_fen() == gmv


@pytest.mark.django_db
def test_a_city_stations_figures_are_its_distributors(shop, make_distributor):
    from weishang.community.models import Station, StationMembership

    station = Station.objects.create(name="郑州站", city="郑州", created_at=timezone.now())
    StationMembership.objects.create(
        customer=shop["seller"].customer, station=station, source="brand", joined_at=timezone.now()
    )
    other = Station.objects.create(name="洛阳站", city="洛阳", created_at=timezone.now())
    assert selectors.factors(DAY, selectors.station_slice(station.pk)).gmv_fen == 30_00
    assert selectors.factors(DAY, selectors.station_slice(other.pk)) == Factors(0, 0, 0, 0)


@pytest.mark.django_db
def test_the_previous_period_is_as_long_or_the_whole_month_before():
    assert preset("7d", TODAY).previous().days == 7
    march = Period(TODAY.replace(month=3, day=1), TODAY.replace(month=3, day=31))
    assert march.previous() == Period(TODAY.replace(month=2, day=1), march.first - timedelta(1))


@pytest.mark.django_db
def test_the_funnel_counts_each_step_in_the_period_it_was_taken(shop, make_customer):
    later = timezone.now() + timedelta(days=12)
    with mock.patch("django.utils.timezone.now", return_value=later):
        sales.complete_orders(now=later)
    # Only ann's first order was delivered: it completes and she becomes a small C.
    completed_day = Period(timezone.localdate(later), timezone.localdate(later))
    steps = selectors.funnel(completed_day)
    assert (steps.small_c, steps.big_c) == (1, 0)
    today = selectors.funnel(DAY)
    # Two people opened a link today (ann signed in, a phone); the distributor was approved.
    assert (today.visitors, today.small_c, today.small_b, today.big_b) == (2, 0, 1, 0)
