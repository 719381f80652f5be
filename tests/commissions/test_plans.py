"""Saving plan versions through the compliance check; the rate each product gets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.catalog.models import Category, Sku
from weishang.catalog.services import schedule_price_period, set_sku_cost, update_sku
from weishang.commissions.models import CommissionPlan, PlanRate
from weishang.commissions.plans import (
    PlanRefused,
    above_margin_in_force,
    active_plan,
    draft_from_plan,
    plan_history,
    product_margins,
    rates_for,
    save_plan,
)
from weishang.commissions.rules import ADVISORY, Override, PlanDraft
from weishang.compliance.models import AuditEntry


def snapshot():
    return (
        list(CommissionPlan.objects.order_by("pk").values()),
        list(PlanRate.objects.order_by("pk").values()),
    )


@pytest.fixture
def product(sku):
    return sku.product


@pytest.fixture
def other_category(db):
    return Category.objects.create(name="坚果", slug="nuts")


@pytest.mark.django_db
def test_no_plan_until_one_is_saved():
    assert active_plan() is None
    assert plan_history() == []
    assert draft_from_plan(None) == PlanDraft()


@pytest.mark.django_db
def test_save_plan_creates_versions_and_never_touches_old_ones(staff, product):
    first = save_plan(draft=PlanDraft(default_rate_bp=500), actor=staff)
    before = snapshot()
    second = save_plan(
        draft=PlanDraft(
            default_rate_bp=600,
            categories=(Override(key=product.category_id, rate_bp=700),),
            products=(Override(key=product.pk, rate_bp=800),),
        ),
        actor=staff,
    )
    assert (first.version, second.version) == (1, 2)
    assert active_plan() == second
    assert [p.version for p in plan_history()] == [2, 1]
    plans_before, rates_before = before
    plans_after, rates_after = snapshot()
    assert plans_after[: len(plans_before)] == plans_before
    assert rates_after[: len(rates_before)] == rates_before
    assert first.rates.count() == 0
    assert sorted(second.rates.values_list("rate_bp", flat=True)) == [700, 800]
    assert second.created_by == staff and second.mode == "strict"
    assert second.risk_acknowledged_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "draft",
    [
        PlanDraft(join_fee_fen=9900),
        PlanDraft(recruitment_reward_fen=100),
        PlanDraft(team_size_ranks=True),
        PlanDraft(stock_purchase_required=True),
        PlanDraft(upline_rates_bp=(200,)),
        PlanDraft(mode=ADVISORY, upline_rates_bp=(200,)),
        PlanDraft(mode=ADVISORY, upline_rates_bp=(200, 100), second_level_acknowledged=True),
        PlanDraft(default_rate_bp=10_001),
    ],
)
def test_a_refused_plan_saves_nothing_and_says_why(staff, draft):
    save_plan(draft=PlanDraft(), actor=staff)
    before = snapshot()
    with pytest.raises(PlanRefused) as caught:
        save_plan(draft=draft, actor=staff)
    assert snapshot() == before
    assert "This plan cannot be saved" in caught.value.message
    assert "《禁止传销条例》" in caught.value.message or "100 %" in caught.value.message
    assert not caught.value.verdict.ok


@pytest.mark.django_db
def test_a_rate_above_the_margin_left_by_the_cost_is_not_saved(staff, product):
    set_sku_cost(sku=product.skus.get(), actor=staff, cost_fen=3591)  # a 10 % margin on ¥39.90
    with pytest.raises(PlanRefused) as caught:
        save_plan(draft=PlanDraft(products=(Override(key=product.pk, rate_bp=1100),)), actor=staff)
    assert product.name in caught.value.message and "第二条" in caught.value.message
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_the_margin_is_the_smallest_over_the_active_skus_and_the_prices_ahead(staff, product):
    sku = product.skus.get()
    assert product_margins() == {}  # no cost recorded: nothing to check against
    set_sku_cost(sku=sku, actor=staff, cost_fen=2000)
    assert product_margins()[product.pk].margin_bp == 4987  # (3990 − 2000) / 3990
    now = timezone.now()
    schedule_price_period(
        sku=sku,
        actor=staff,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=10),
        price_fen=2500,
    )
    assert product_margins()[product.pk].margin_bp == 2000  # the lower price ahead counts
    cheap = Sku.objects.create(product=product, code="CHEAP", name="1kg", list_price_fen=1000)
    set_sku_cost(sku=cheap, actor=staff, cost_fen=1200)  # sold below cost
    assert product_margins()[product.pk].margin_bp == 0
    update_sku(sku=cheap, actor=staff, is_active=False)
    assert product_margins()[product.pk].margin_bp == 2000


@pytest.mark.django_db
def test_a_cost_change_shows_what_the_plan_in_force_pays_above_margin(staff, product):
    save_plan(draft=PlanDraft(default_rate_bp=800), actor=staff)
    assert above_margin_in_force() == []
    set_sku_cost(sku=product.skus.get(), actor=staff, cost_fen=3800)
    [finding] = above_margin_in_force()
    assert product.name in finding.message and "第二条" in finding.message
    assert active_plan().version == 1  # told, never changed


@pytest.mark.django_db
def test_the_second_level_acknowledgment_is_recorded_with_who_and_when(staff):
    plan = save_plan(
        draft=PlanDraft(mode=ADVISORY, upline_rates_bp=(200,), second_level_acknowledged=True),
        actor=staff,
    )
    assert plan.second_level_rate_bp == 200
    assert plan.risk_acknowledged_by == staff
    assert plan.risk_acknowledged_at == plan.created_at
    saved, acknowledged = AuditEntry.objects.order_by("pk")
    assert (saved.action, saved.actor, saved.object_id) == ("plan.save", staff, str(plan.pk))
    assert saved.before is None and saved.after["second_level_rate_bp"] == 200
    assert acknowledged.action == "plan.acknowledge_second_level_risk"
    assert acknowledged.actor_label == "operator"
    assert acknowledged.reason == "《禁止传销条例》第七条第（三）项 团队计酬"


@pytest.mark.django_db
def test_a_refused_plan_leaves_no_audit_record_and_a_new_version_records_the_old_one(staff):
    with pytest.raises(PlanRefused):
        save_plan(draft=PlanDraft(upline_rates_bp=(200,)), actor=staff)
    assert not AuditEntry.objects.exists()
    save_plan(draft=PlanDraft(default_rate_bp=500), actor=staff)
    save_plan(draft=PlanDraft(default_rate_bp=600), actor=staff)
    latest = AuditEntry.objects.order_by("-pk").first()
    assert (latest.before["default_rate_bp"], latest.after["default_rate_bp"]) == (500, 600)


@pytest.mark.django_db
def test_unknown_or_duplicate_targets_are_refused(staff, product):
    with pytest.raises(PlanRefused):
        save_plan(draft=PlanDraft(products=(Override(key=10**9, rate_bp=100),)), actor=staff)
    with pytest.raises(PlanRefused):
        save_plan(
            draft=PlanDraft(
                products=(
                    Override(key=product.pk, rate_bp=100),
                    Override(key=product.pk, rate_bp=200),
                )
            ),
            actor=staff,
        )
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_rates_for_picks_product_then_category_then_default(staff, make_product, other_category):
    with_own_rate = make_product().product
    in_category = make_product().product
    elsewhere = make_product()
    elsewhere.product.category = other_category
    elsewhere.product.save(update_fields=["category"])
    plan = save_plan(
        draft=PlanDraft(
            default_rate_bp=500,
            categories=(Override(key=with_own_rate.category_id, rate_bp=700),),
            products=(Override(key=with_own_rate.pk, rate_bp=900),),
        ),
        actor=staff,
    )
    assert rates_for(active_plan(), [with_own_rate, in_category, elsewhere.product]) == {
        with_own_rate.pk: (900, f"v{plan.version}:product"),
        in_category.pk: (700, f"v{plan.version}:category"),
        elsewhere.product.pk: (500, f"v{plan.version}:default"),
    }


@pytest.mark.django_db
def test_an_old_version_still_prices_as_it_did(staff, product):
    old = save_plan(draft=PlanDraft(default_rate_bp=500), actor=staff)
    save_plan(draft=PlanDraft(default_rate_bp=800), actor=staff)
    old.refresh_from_db()
    assert rates_for(old, [product])[product.pk] == (500, "v1:default")
    assert rates_for(active_plan(), [product])[product.pk] == (800, "v2:default")


@pytest.mark.django_db
def test_draft_from_plan_round_trips(staff, product):
    draft = PlanDraft(
        mode=ADVISORY,
        default_rate_bp=550,
        categories=(Override(key=product.category_id, label=product.category.name, rate_bp=650),),
        products=(
            Override(
                key=product.pk, label=product.name, rate_bp=750, category_key=product.category_id
            ),
        ),
        upline_rates_bp=(100,),
        second_level_acknowledged=True,
    )
    plan = save_plan(draft=draft, actor=staff)
    assert draft_from_plan(active_plan()) == draft
    assert draft_from_plan(plan_history()[0]) == draft
    assert plan.version == 1


@pytest.mark.postgres
def test_concurrent_saves_make_distinct_versions_or_ask_to_try_again(postgres_only, staff):
    from tests.concurrency import run_in_parallel

    save_plan(draft=PlanDraft(default_rate_bp=500), actor=staff)
    results = run_in_parallel(
        lambda i: save_plan(draft=PlanDraft(default_rate_bp=600 + i), actor=staff), 6
    )
    saved = [r for r in results if isinstance(r, CommissionPlan)]
    refused = [r for r in results if not isinstance(r, CommissionPlan)]
    assert saved, results
    assert all(isinstance(r, PlanRefused) and r.code == "plan_conflict" for r in refused), refused
    versions = sorted(CommissionPlan.objects.values_list("version", flat=True))
    assert versions == list(range(1, len(saved) + 2))
    assert CommissionPlan.objects.get(version=1).default_rate_bp == 500
