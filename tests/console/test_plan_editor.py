"""The plan editor: the verdict is shown before saving, refused plans change nothing, an accepted
plan becomes a new version; staff only."""

import pytest
from django.urls import reverse

from weishang.catalog.services import set_sku_cost
from weishang.commissions.models import CommissionPlan, PlanRate
from weishang.commissions.plans import active_plan, save_plan
from weishang.commissions.rules import Override, PlanDraft

from .conftest import english, messages_of
from .test_access import assert_kept_out

LIST = reverse("console:plan_list")
NEW = reverse("console:plan_new")


def form_data(**fields):
    return {
        "mode": "strict",
        "default_rate": "5",
        "second_level_rate": "",
        "join_fee": "",
        "deposit": "",
        "minimum_purchase": "",
        "recruitment_reward": "",
    } | fields


def snapshot():
    return (
        list(CommissionPlan.objects.order_by("pk").values()),
        list(PlanRate.objects.order_by("pk").values()),
    )


def refusals(response):
    verdict = response.context["verdict"]
    return {f.code: f.message for f in verdict.refusals}


@pytest.fixture
def product(sku):
    return sku.product


@pytest.mark.django_db
def test_anonymous_customers_and_distributors_are_kept_out(client, brand, customer):
    urls = {"get": [LIST, NEW], "post": [NEW]}
    english(client)
    assert_kept_out(client, urls)
    client.force_login(customer.user)
    assert_kept_out(client, urls)
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_the_list_shows_the_plan_in_force_and_its_history(
    console, staff, product, django_assert_max_num_queries
):
    save_plan(draft=PlanDraft(default_rate_bp=500), actor=staff)
    save_plan(
        draft=PlanDraft(
            default_rate_bp=550,
            categories=(Override(key=product.category_id, rate_bp=700),),
            products=(Override(key=product.pk, rate_bp=800),),
        ),
        actor=staff,
    )
    with django_assert_max_num_queries(14):  # 12, and the costed SKUs with their price periods
        response = console.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "In force: version 2" in page
    assert "5.5 %" in page and "7 %" in page and "8 %" in page
    assert product.name in page and product.category.name in page
    assert "v1" in page and "v2" in page
    assert "after coupons and discounts" in page
    assert [p.version for p in response.context["history"]] == [2, 1]


@pytest.mark.django_db
def test_the_list_query_count_does_not_grow_with_history(
    console, staff, make_product, django_assert_max_num_queries
):
    products = [make_product().product for _ in range(5)]
    for version in range(8):
        save_plan(
            draft=PlanDraft(
                default_rate_bp=400 + version,
                products=tuple(Override(key=p.pk, rate_bp=600) for p in products),
            ),
            actor=staff,
        )
    with django_assert_max_num_queries(12):
        assert console.get(LIST).status_code == 200


@pytest.mark.django_db
def test_without_a_plan_the_list_says_so(console):
    response = console.get(LIST)
    assert "No plan is saved yet" in response.content.decode()


@pytest.mark.django_db
def test_the_form_is_prefilled_from_the_plan_in_force_and_states_the_base_rule(
    console, staff, product
):
    save_plan(
        draft=PlanDraft(default_rate_bp=550, products=(Override(key=product.pk, rate_bp=725),)),
        actor=staff,
    )
    response = console.get(NEW)
    page = response.content.decode()
    form = response.context["form"]
    assert form["default_rate"].value() == "5.5"
    assert 'value="5.5"' in page and 'value="7.25"' in page
    assert form["mode"].value() == "strict"
    assert (
        "Commission is calculated on what the customer actually paid for the line, after "
        "coupons and discounts." in page
    )
    assert "Orders keep the plan version that priced them" in page


@pytest.mark.django_db
def test_check_shows_the_verdict_without_saving(console, staff):
    save_plan(draft=PlanDraft(), actor=staff)
    before = snapshot()
    response = console.post(NEW, form_data(action="check", join_fee="99", team_sales_ranks="on"))
    assert response.status_code == 200
    assert snapshot() == before
    found = refusals(response)
    assert "《禁止传销条例》第七条第（二）项" in found["join_fee"]
    assert "《禁止传销条例》第七条第（三）项" in found["team_sales_rank"]
    page = response.content.decode()
    assert "this plan cannot be saved" in page
    assert 'class="refusal" data-code="join_fee"' in page


@pytest.mark.django_db
def test_check_of_a_good_plan_says_it_can_be_saved_and_still_saves_nothing(console):
    response = console.post(NEW, form_data(action="check", default_rate="6"))
    assert response.context["verdict"].ok
    assert "this plan can be saved" in response.content.decode()
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_a_rate_above_30_percent_shows_a_warning_with_the_direct_selling_cap(console):
    response = console.post(NEW, form_data(action="check", default_rate="35"))
    verdict = response.context["verdict"]
    assert verdict.ok
    assert "《直销管理条例》第二十四条" in verdict.warnings[0].message
    assert 'class="warning" data-code="rate_above_30pc"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code", "article"),
    [
        ({"join_fee": "99"}, "join_fee", "第七条第（二）项"),
        ({"deposit": "500"}, "deposit", "第七条第（二）项"),
        ({"starter_pack": "on"}, "starter_pack", "第七条第（二）项"),
        ({"minimum_purchase": "1000"}, "minimum_purchase", "第七条第（二）项"),
        ({"recruitment_reward": "20"}, "recruitment_reward", "第七条第（一）项"),
        ({"team_size_ranks": "on"}, "team_size_rank", "第七条第（一）项"),
        ({"team_sales_ranks": "on"}, "team_sales_rank", "第七条第（三）项"),
        ({"stock_purchase_required": "on"}, "stock_purchase", "不压货"),
        ({"second_level_rate": "2"}, "second_level_in_strict_mode", "第七条第（三）项"),
        (
            {"mode": "advisory", "second_level_rate": "2"},
            "second_level_not_acknowledged",
            "第七条第（三）项",
        ),
        ({"default_rate": "101"}, "rate_out_of_range", "100 %"),
        ({"default_rate": "-1"}, "invalid_number", "zero or more"),
    ],
)
def test_saving_a_refused_plan_changes_nothing(console, staff, fields, code, article):
    save_plan(draft=PlanDraft(), actor=staff)
    before = snapshot()
    response = console.post(NEW, form_data(action="save", **fields))
    assert response.status_code == 200
    assert snapshot() == before
    assert article in refusals(response)[code]
    assert any("This plan cannot be saved" in m and article in m for m in messages_of(response))


@pytest.mark.django_db
def test_a_rate_above_the_margin_derived_from_the_cost_is_refused_on_save(console, product):
    set_sku_cost(sku=product.skus.get(), actor=None, cost_fen=3591)  # ¥39.90 − ¥35.91 = 10 %
    page = console.get(NEW).content.decode()
    assert "10 %" in page and f"product_{product.pk}_margin" not in page
    response = console.post(NEW, form_data(action="save", **{f"product_{product.pk}_rate": "12"}))
    refusal = refusals(response)["rate_above_margin"]
    assert product.name in refusal and "12 %" in refusal and "10 %" in refusal
    assert "第二条" in refusal
    assert any("This plan cannot be saved" in m for m in messages_of(response))
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_an_inherited_default_rate_above_the_margin_is_refused_too(console, product):
    set_sku_cost(sku=product.skus.get(), actor=None, cost_fen=3800)  # a 4.76 % margin
    response = console.post(NEW, form_data(action="save", default_rate="5"))
    assert "第二条" in refusals(response)["rate_above_margin"]
    assert CommissionPlan.objects.count() == 0
    response = console.post(NEW, form_data(action="save", default_rate="4.5"))
    assert response.status_code == 302 and CommissionPlan.objects.count() == 1


@pytest.mark.django_db
def test_saving_an_ok_plan_makes_a_new_version(console, staff, product):
    first = save_plan(draft=PlanDraft(), actor=staff)
    before_first = CommissionPlan.objects.filter(pk=first.pk).values().get()
    category = product.category
    response = console.post(
        NEW,
        form_data(
            action="save",
            default_rate="5.5",
            **{
                f"category_{category.pk}_rate": "6",
                f"product_{product.pk}_rate": "7.25",
            },
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == LIST
    assert "Plan version 2 saved" in " ".join(messages_of(response))
    plan = active_plan()
    assert plan.version == 2 and plan.default_rate_bp == 550 and plan.created_by == staff
    assert {(r.category_id, r.product_id, r.rate_bp) for r in plan.rates.all()} == {
        (category.pk, None, 600),
        (None, product.pk, 725),
    }
    assert CommissionPlan.objects.filter(pk=first.pk).values().get() == before_first


@pytest.mark.django_db
def test_an_acknowledged_second_level_is_saved_with_who_and_when(console, staff):
    response = console.post(
        NEW,
        form_data(action="save", mode="advisory", second_level_rate="1.5", acknowledge="on"),
    )
    assert response.status_code == 302
    plan = active_plan()
    assert plan.mode == "advisory" and plan.second_level_rate_bp == 150
    assert plan.risk_acknowledged_by == staff and plan.risk_acknowledged_at is not None
    # The next edit starts with the box unticked: each version is acknowledged again.
    form = console.get(NEW).context["form"]
    assert form["second_level_rate"].value() == "1.5"
    assert not form["acknowledge"].value()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5.555", "Use at most two decimals."),
        ("five", "Enter a percentage"),
        ("", "This field is required."),
    ],
)
def test_a_badly_typed_rate_is_explained_and_nothing_is_saved(console, value, message):
    response = console.post(NEW, form_data(action="save", default_rate=value))
    assert response.status_code == 200
    assert response.context["verdict"] is None
    assert any(message in m for m in messages_of(response))
    assert CommissionPlan.objects.count() == 0


@pytest.mark.django_db
def test_the_console_nav_links_to_the_plan(console):
    page = console.get(reverse("console:dashboard")).content.decode()
    assert f'href="{LIST}"' in page


@pytest.mark.django_db
def test_levels_by_own_sales_are_saved_with_the_version_audited_and_prefilled(console, staff):
    from weishang.commissions.rules import SalesLevel
    from weishang.compliance.models import AuditEntry

    levels = {
        "level_0_name": "银牌",
        "level_0_threshold": "1000",
        "level_0_extra": "1",
        "level_1_name": "金牌",
        "level_1_threshold": "5,000.50",
        "level_1_extra": "2.5",
    }
    response = console.post(NEW, form_data(action="save", **levels))
    assert response.status_code == 302
    plan = active_plan()
    assert plan.levels() == (SalesLevel("银牌", 100_000, 100), SalesLevel("金牌", 500_050, 250))
    assert AuditEntry.objects.get(action="plan.save").after["sales_levels"][1]["name"] == "金牌"
    page = console.get(LIST).content.decode()
    assert "金牌" in page and "¥5,000.50" in page and "2.5 %" in page
    editor = console.get(NEW)
    assert editor.context["form"].initial["level_1_threshold"] == "5000.50"
    assert 'value="5000.50"' in editor.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("levels", "code"),
    [
        (
            {
                "level_0_name": "金牌",
                "level_0_threshold": "5000",
                "level_1_name": "银牌",
                "level_1_threshold": "1000",
            },
            "sales_levels_not_increasing",
        ),
        (
            {"level_0_name": "银牌", "level_0_threshold": "1000", "level_0_extra": "-1"},
            "invalid_number",
        ),
    ],
)
def test_levels_out_of_order_or_a_negative_extra_rate_are_refused(console, levels, code):
    before = snapshot()
    response = console.post(NEW, form_data(action="save", **levels))
    assert code in refusals(response)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_level_row_without_a_name_is_a_form_error_and_saves_nothing(console):
    response = console.post(NEW, form_data(action="save", level_0_threshold="1000"))
    assert response.status_code == 200
    assert any("Name this level" in m for m in messages_of(response))
    assert CommissionPlan.objects.count() == 0
