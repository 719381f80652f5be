"""The audit log page: every role reads it; filters by action prefix, actor, object and day;
newest first, 50 a page, before/after as the fields that changed; queries do not grow."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

import weishang
from weishang.compliance import audit
from weishang.compliance.models import AuditEntry, BlacklistSubject
from weishang.console.audit_views import changes
from weishang.console.audit_words import ACTIONS
from weishang.customers.data_rights import update_nickname

from .conftest import english

pytestmark = pytest.mark.django_db
URL = "/console/audit/"


def entry(actor, action, *, object_id=1, before=None, after=None, at=None, reason=""):
    if at is not None:  # test data in the past; the table refuses UPDATE on PostgreSQL
        return AuditEntry.objects.create(
            at=at,
            actor=actor,
            actor_label=actor.get_username(),
            action=action,
            object_type="catalog.product",
            object_id=str(object_id),
        )
    return audit.record(
        actor=actor,
        action=action,
        object_type="catalog.product",
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
    )


def rows(response) -> list[str]:
    return [entry.action for entry, _diff in response.context["rows"]]


def test_route_and_every_role_reads_it(client, brand, django_user_model, staff):
    assert reverse("console:audit_log") == URL
    entry(staff, "price.schedule", after={"price_fen": 2990})
    for role in ("owner", "operator", "finance", "customer_service", "auditor"):
        user = django_user_model.objects.create_user(username=f"u-{role}", is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        english(client).force_login(user)
        response = client.get(URL)
        assert response.status_code == 200, role
        assert "price.schedule" in response.content.decode()
        assert client.post(URL).status_code == 403, role


def test_filters_by_action_prefix_actor_object_and_day(console, staff, django_user_model):
    other = django_user_model.objects.create_user(username="finance-li", is_staff=True)
    now = timezone.now()
    entry(staff, "plan.save", at=now - timedelta(days=10))
    entry(staff, "price.schedule", object_id=7)
    entry(other, "withdrawal.approve", object_id=8)
    entry(other, "withdrawal.paid", object_id=8)
    assert rows(console.get(URL)) == [
        "withdrawal.paid",
        "withdrawal.approve",
        "price.schedule",
        "plan.save",
    ]
    assert rows(console.get(URL + "?action=withdrawal.")) == [
        "withdrawal.paid",
        "withdrawal.approve",
    ]
    assert rows(console.get(URL + "?actor=operator")) == ["price.schedule", "plan.save"]
    assert rows(console.get(URL + "?object_type=catalog.product&object_id=7")) == ["price.schedule"]
    today = timezone.localdate()
    assert rows(console.get(URL + f"?start={today:%Y-%m-%d}")) == [
        "withdrawal.paid",
        "withdrawal.approve",
        "price.schedule",
    ]
    old_day = timezone.localdate(now - timedelta(days=10))
    assert rows(console.get(URL + f"?start={old_day:%Y-%m-%d}&end={old_day:%Y-%m-%d}")) == [
        "plan.save"
    ]


def test_a_backwards_date_range_says_so(console, staff):
    entry(staff, "plan.save")
    response = console.get(URL + "?start=2025-02-01&end=2025-01-01", follow=True)
    assert "The first day is after the last day." in response.content.decode()
    assert rows(response) == ["plan.save"]  # the filter is ignored, not the page


def test_shows_only_the_fields_that_changed(console, staff):
    entry(
        staff,
        "product.update",
        before={"name": "灰枣", "price_fen": 3990, "status": "draft"},
        after={"name": "灰枣", "price_fen": 2990, "status": "draft"},
        reason="季末",
    )
    html = console.get(URL).content.decode()
    assert "<strong>price</strong>: <del>¥39.90</del> → <ins>¥29.90</ins>" in html
    assert "<strong>name</strong>" not in html and "price_fen" not in html
    assert "季末" in html


def test_changes_compares_objects_and_whole_values():
    assert changes(None, None) == []
    assert changes(None, {"a": 1}) == [("a", "", "1")]
    assert changes({"a": 1, "b": 2}, {"a": 1}) == [("b", "2", "")]
    assert changes("x", "y") == [("", "x", "y")]
    assert changes({"a": "x" * 200}, {})[0][1].endswith("…")


def test_paginated_by_50_newest_first_in_bounded_queries(
    console, staff, django_assert_max_num_queries
):
    for n in range(120):
        entry(staff, f"test.{n:03d}", before={"n": n}, after={"n": n + 1})
    with django_assert_max_num_queries(6):
        response = console.get(URL)
    assert len(response.context["rows"]) == 50
    assert rows(response)[0] == "test.119"
    with django_assert_max_num_queries(6):
        last = console.get(URL + "?page=3")
    assert rows(last)[-1] == "test.000" and len(rows(last)) == 20


def test_a_customers_own_correction_is_listed_as_his_act_without_his_mobile(console, customer):
    update_nickname(customer=customer, nickname="小枣粉")
    page = console.get(URL).content.decode()
    assert "each customer's own corrections and account closure" in page
    assert f"customer #{customer.pk}" in page
    assert "Customer corrected his nickname" in page and "<ins>nickname</ins>" in page
    assert "customer.correct_nickname" not in page and '"nickname"' not in page
    assert customer.mobile not in page


def test_each_entry_reads_in_words_not_codes(console, staff):
    """The action by its name, the object by its kind, amounts in yuan, statuses by label."""
    audit.record(
        actor=staff,
        action="withdrawal.paid",
        object_type="commissions.withdrawal",
        object_id=8,
        before={"status": "approved"},
        after={"status": "paid", "amount_fen": 1500, "payout_reference": "PAY-1"},
    )
    audit.record(
        actor=staff,
        action="product.update",
        object_type="catalog.product",
        object_id=3,
        before={"status": "draft", "is_food": False, "default_rate_bp": 500},
        after={"status": "published", "is_food": True, "default_rate_bp": 550},
    )
    html = console.get(URL).content.decode()
    for raw in ("withdrawal.paid", "amount_fen", "product.update", "is_food", "_bp"):
        assert raw not in html, raw
    assert "Withdrawal paid out" in html and "Product changed" in html
    assert "<strong>amount</strong>: <ins>¥15.00</ins>" in html
    assert "<del>approved, awaiting payout</del> → <ins>paid</ins>" in html
    assert "<del>5 %</del> → <ins>5.5 %</ins>" in html
    assert "<del>no</del> → <ins>yes</ins>" in html
    console.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    chinese = console.get(URL).content.decode()
    assert "提现已打款" in chinese and "<del>已批准，待打款</del> → <ins>已打款</ins>" in chinese
    assert "<del>草稿</del> → <ins>已上架</ins>" in chinese and "<ins>是</ins>" in chinese


def test_every_audited_action_has_a_name():
    """Each action the code records (the literal ``action="…"`` of every audit call, and the
    complaint and blacklist actions built from their outcome) is named in the map."""
    recorded = set()
    for path in (Path(weishang.__file__).parent).rglob("*.py"):
        recorded |= set(re.findall(r'action="([a-z_]+(?:\.[a-z_]+)+)"', path.read_text()))
    recorded |= {f"complaint.{outcome}" for outcome in ("resolve", "reject")}
    recorded |= {
        f"blacklist.{who}.{act}" for who in BlacklistSubject.values for act in ("add", "lift")
    }
    assert recorded - set(ACTIONS) == set()
    assert set(ACTIONS) - recorded == set(), "names for actions nobody records"
