"""Share rewards: a friend's order through a customer's link records him as its sharer; once it
completes without any return or refund he gets the brand's reward, once; otherwise nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver, pay
from weishang.commissions import ledger
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import Binding
from weishang.loyalty import points, reward_rules, wallet
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.models import PointsLot, ShareReward, ShareRewardRule
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_rewards import reward_completed_order, save_share_rule
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

LATER = timezone.now() + timedelta(days=10)  # the 7-day return window has closed


def rule(staff, reward=reward_rules.POINTS_FIXED, amount=100):
    return save_share_rule(draft=RewardRuleDraft(reward=reward, amount=amount), actor=staff)


def place(customer, sku, *, shared_by=None, quantity=1):
    return sales.place_order(
        customer=customer,
        items={sku.pk: quantity},
        address=customer.addresses.get(),
        shared_by=shared_by,
    )


def completed(order):
    deliver(pay(order))
    orders.complete_orders(now=LATER)
    order.refresh_from_db()
    return order


def reward(order):
    with transaction.atomic():
        return reward_completed_order(order=order, now=LATER)


@pytest.fixture
def sharer(make_customer):
    return make_customer()


@pytest.fixture
def friend(make_customer):
    return make_customer()


def test_a_friends_order_records_the_sharer_and_binds_nobody(friend, sharer, sku):
    order = place(friend, sku, shared_by=sharer)
    assert order.shared_by == sharer
    assert order.distributor is None
    assert not Binding.objects.exists()


def test_buying_through_his_own_link_records_nothing(sharer, sku):
    assert place(sharer, sku, shared_by=sharer).shared_by is None


def test_completion_grants_the_points_once_under_the_orders_key(staff, friend, sharer, sku):
    in_force = rule(staff, amount=100)
    order = completed(place(friend, sku, shared_by=sharer))
    first = reward(order)
    again = reward(order)
    assert again == first
    assert (first.sharer, first.rule, first.points, first.cashback_fen) == (
        sharer,
        in_force,
        100,
        0,
    )
    assert first.key == f"share:{order.number}"
    assert PointsLot.objects.get(customer=sharer).key == f"share:{order.number}"
    assert points.points_balance(sharer.pk) == 100
    assert ShareReward.objects.count() == 1
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_cash_back_is_a_share_of_what_the_friend_paid_for_the_goods_rounded_down(
    staff, friend, sharer, make_product
):
    rule(staff, reward=reward_rules.CASHBACK_BP, amount=333)  # 3.33 %
    order = completed(place(friend, make_product(price_fen=3990), shared_by=sharer, quantity=2))
    granted = reward(order)
    assert granted.cashback_fen == 7980 * 333 // 10_000 == 265
    assert wallet.wallet_balance(sharer.pk) == 265


def test_points_per_yuan_count_whole_yuan(staff, friend, sharer, make_product):
    rule(staff, reward=reward_rules.POINTS_PER_YUAN, amount=2)
    order = completed(place(friend, make_product(price_fen=3990), shared_by=sharer))
    assert reward(order).points == 78
    assert points.points_balance(sharer.pk) == 78


def test_an_order_not_yet_completed_earns_nothing_yet(staff, friend, sharer, sku):
    rule(staff)
    order = deliver(pay(place(friend, sku, shared_by=sharer)))
    assert reward(order) is None
    assert points.points_balance(sharer.pk) == 0


def test_a_partly_returned_order_completes_but_earns_nothing(staff, friend, sharer, sku):
    rule(staff)
    order = deliver(pay(place(friend, sku, shared_by=sharer, quantity=2)))
    line = order.lines.get()
    rr = orders.request_return(order=order, customer=friend, quantities={line.pk: 1})
    rr = orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    sales.refund_return(return_request=rr)
    orders.complete_orders(now=LATER)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.refunded_fen > 0
    assert reward(order) is None
    assert points.points_balance(sharer.pk) == 0 and not ShareReward.objects.exists()


def test_a_refunded_order_earns_nothing(staff, friend, sharer, sku):
    rule(staff)
    order = pay(place(friend, sku, shared_by=sharer))
    sales.cancel_order(order=order, by_brand=False)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert reward(order) is None
    assert points.points_balance(sharer.pk) == 0


def test_no_sharer_or_no_reward_in_the_rule_earns_nothing(staff, friend, sharer, sku):
    assert reward(completed(place(friend, sku, shared_by=sharer))) is None  # no rule saved
    rule(staff, reward=reward_rules.NONE, amount=0)
    assert reward(completed(place(friend, sku, shared_by=sharer))) is None
    rule(staff)
    assert reward(completed(place(friend, sku))) is None
    assert not ShareReward.objects.exists()


def test_saving_a_rule_makes_an_audited_version(staff):
    first = rule(staff, amount=50)
    second = rule(staff, reward=reward_rules.CASHBACK_FIXED, amount=500)
    assert (first.version, second.version) == (1, 2)
    assert ShareRewardRule.current() == second
    entries = AuditEntry.objects.filter(action="share_rule.save").order_by("pk")
    assert [(e.actor_id, e.after["reward"], e.after["amount"]) for e in entries] == [
        (staff.pk, "points_fixed", 50),
        (staff.pk, "cashback_fixed", 500),
    ]


@pytest.mark.parametrize("trigger", ["share", "likes", "sign_up", "help", "bargain"])
def test_a_rule_paying_for_sharing_is_refused_and_saves_nothing(staff, trigger):
    draft = RewardRuleDraft(trigger=trigger, reward=reward_rules.POINTS_FIXED, amount=10)
    with pytest.raises(LoyaltyError, match="微信外部链接内容管理规范"):
        save_share_rule(draft=draft, actor=staff)
    assert not ShareRewardRule.objects.exists()
    assert not AuditEntry.objects.filter(action="share_rule.save").exists()


@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_grant_the_reward_once(postgres_only, staff, friend, sharer, sku):
    rule(staff)
    order = completed(place(friend, sku, shared_by=sharer))
    results = run_in_parallel(lambda i: reward(order), 3)
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r.pk for r in results}) == 1
    assert points.points_balance(sharer.pk) == 100
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db(transaction=True)
def test_two_rules_saved_at_once_make_one_version_each_or_a_message(postgres_only, staff):
    def save(i):
        return save_share_rule(
            draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=10 + i), actor=staff
        )

    results = run_in_parallel(save, 2)
    saved = [r for r in results if isinstance(r, ShareRewardRule)]
    refused = [r for r in results if isinstance(r, LoyaltyError)]
    assert len(saved) + len(refused) == 2 and saved
    assert sorted(r.version for r in ShareRewardRule.objects.all()) == list(
        range(1, len(saved) + 1)
    )
    assert AuditEntry.objects.filter(action="share_rule.save").count() == len(saved)
