"""The freight template: its pure arithmetic in integer fen, the freight stored on the order, the
console's audited edits, and freight refunded with a whole-order return only."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import deliver
from weishang.compliance.models import AuditEntry
from weishang.orders import services
from weishang.orders.errors import OrderError, PriceChanged
from weishang.orders.freight import DEFAULT, Rule, freight_fen, freight_refund_fen
from weishang.orders.models import FreightRule, OrderStatus
from weishang.sales import services as sales

from .test_checkout_flow import pay

fen = st.integers(min_value=0, max_value=10**9)
provinces = st.sampled_from(["11", "31", "54", "65", "99", ""])
rules_st = st.dictionaries(
    st.sampled_from([DEFAULT, "31", "54", "65"]),
    st.builds(Rule, fen, st.none() | fen),
    max_size=4,
)


@given(goods=fen, province=provinces, rules=rules_st)
def test_freight_is_never_negative_and_at_most_the_rule_s_fee(goods, province, rules):
    charged = freight_fen(goods_fen=goods, province_code=province, rules=rules)
    assert charged >= 0
    rule = rules.get(province) or rules.get(DEFAULT)
    assert charged == 0 if rule is None else charged in (0, rule.fee_fen)


@given(goods=fen, fee=fen, threshold=fen, province=provinces)
def test_free_from_the_threshold_and_charged_below_it(goods, fee, threshold, province):
    rules = {DEFAULT: Rule(fee, threshold)}
    charged = freight_fen(goods_fen=goods, province_code=province, rules=rules)
    assert charged == (0 if goods >= threshold or goods == 0 else fee)


@given(goods=st.integers(min_value=1, max_value=10**9), own=fen, default=fen)
def test_a_province_s_own_rule_overrides_the_default(goods, own, default):
    rules = {DEFAULT: Rule(default), "65": Rule(own)}
    assert freight_fen(goods_fen=goods, province_code="65", rules=rules) == own
    assert freight_fen(goods_fen=goods, province_code="31", rules=rules) == default


@given(goods=fen, province=provinces)
def test_no_rule_means_free_delivery(goods, province):
    assert freight_fen(goods_fen=goods, province_code=province, rules={}) == 0


@given(
    freight=fen,
    lines=st.lists(
        st.tuples(st.integers(1, 99), st.integers(0, 99), st.integers(0, 99)).filter(
            lambda t: t[1] + t[2] <= t[0]
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_freight_comes_back_only_when_every_item_does(freight, lines):
    refund = freight_refund_fen(freight_fen=freight, lines=lines)
    whole = all(before + now == bought for bought, before, now in lines)
    assert refund == (freight if whole else 0)


# The order ------------------------------------------------------------------------------------


@pytest.fixture
def template(db):
    services.set_freight_rule(actor=None, province_code=DEFAULT, fee_fen=800, free_from_fen=9900)
    services.set_freight_rule(actor=None, province_code="65", fee_fen=2000)


def place(customer, items, **options):
    return sales.place_order(
        customer=customer,
        items={sku.pk: qty for sku, qty in items.items()},
        address=customer.addresses.get(),
        **options,
    )


@pytest.mark.django_db
def test_the_order_stores_its_freight_in_the_total(template, customer, sku):
    order = place(customer, {sku: 1})  # 39.90 to 上海 (the default rule)
    assert (order.freight_fen, order.total_fen) == (800, 3990 + 800)
    assert place(customer, {sku: 3}).freight_fen == 0  # 119.70: free from 99
    customer.addresses.update(province="新疆维吾尔自治区", district_code="650102")
    assert place(customer, {sku: 3}).freight_fen == 2000  # 新疆's own rule has no threshold


@pytest.mark.django_db
def test_the_reviewed_total_includes_the_freight(template, customer, sku):
    with pytest.raises(PriceChanged, match="freight"):
        place(customer, {sku: 1}, expected_total_fen=3990)
    assert place(customer, {sku: 1}, expected_total_fen=4790).total_fen == 4790


@pytest.mark.django_db
def test_a_buyer_note_is_kept_on_one_line_and_not_too_long(customer, sku):
    order = place(customer, {sku: 1}, buyer_note="  请下午\n送到  ")
    assert order.buyer_note == "请下午 送到"
    with pytest.raises(OrderError, match="200"):
        place(customer, {sku: 1}, buyer_note="长" * 201)


def delivered(order):
    return deliver(pay(order))


def refund(order, quantities):
    rr = services.request_return(order=order, customer=order.customer, quantities=quantities)
    services.approve_return(actor=None, return_request=rr)
    services.receive_return(actor=None, return_request=rr)
    rr = sales.refund_return(return_request=rr)
    order.refresh_from_db()
    return rr


@pytest.mark.django_db
def test_a_whole_order_return_refunds_the_freight(template, customer, sku):
    order = delivered(place(customer, {sku: 2}))  # 79.80 + 8.00
    rr = refund(order, {order.lines.get().pk: 2})
    assert rr.refund_fen == 7980 + 800
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.total_fen)


@pytest.mark.django_db
def test_a_partial_return_keeps_the_freight_until_the_last_item_comes_back(template, customer, sku):
    order = delivered(place(customer, {sku: 2}))
    line = order.lines.get()
    first = refund(order, {line.pk: 1})
    assert first.refund_fen == 3990
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    last = refund(order, {line.pk: 1})
    assert last.refund_fen == 3990 + 800
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.total_fen)


@pytest.mark.django_db
def test_setting_and_removing_a_rule_is_audited(staff):
    services.set_freight_rule(actor=staff, province_code="54", fee_fen=1500, free_from_fen=None)
    services.set_freight_rule(actor=staff, province_code="54", fee_fen=1800, free_from_fen=20000)
    rule = FreightRule.objects.get(province_code="54")
    assert (rule.fee_fen, rule.free_from_fen) == (1800, 20000)
    services.delete_freight_rule(actor=staff, province_code="54")
    assert not FreightRule.objects.exists()
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "before"))
    assert entries == [
        ("freight.set", staff.pk, {}),
        ("freight.set", staff.pk, {"fee_fen": 1500, "free_from_fen": None}),
        (
            "freight.delete",
            staff.pk,
            {"province_code": "54", "fee_fen": 1800, "free_from_fen": 20000},
        ),
    ]


@pytest.mark.django_db
def test_an_unknown_province_or_a_missing_rule_is_refused(staff):
    with pytest.raises(OrderError, match="province"):
        services.set_freight_rule(actor=staff, province_code="99", fee_fen=100)
    with pytest.raises(OrderError, match="no such"):
        services.delete_freight_rule(actor=staff, province_code="31")
    assert not AuditEntry.objects.exists()
