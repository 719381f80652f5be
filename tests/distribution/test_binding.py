"""Binding rules with a moving clock, the append-only event log, reassignment, self-binding."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from weishang.distribution import binding
from weishang.distribution.binding import (
    BindingError,
    attributed_distributor,
    bind_customer,
    claim_cookie_binding,
    reassign_customer,
)
from weishang.distribution.models import Binding, BindingEvent, ProgrammeSettings, ShareSource
from weishang.distribution.tokens import make_token

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def rule(db):
    def set_rule(binding_rule, *, days=30, self_purchase_earns=False):
        ProgrammeSettings.objects.update_or_create(
            pk=1,
            defaults={
                "binding_rule": binding_rule,
                "binding_window_days": days,
                "self_purchase_earns": self_purchase_earns,
            },
        )

    return set_rule


@pytest.fixture
def alice(make_distributor):
    return make_distributor(store_name="Alice")


@pytest.fixture
def bob(make_distributor):
    return make_distributor(store_name="Bob")


def click(customer, distributor, at, source=ShareSource.STORE_LINK):
    bind_customer(customer=customer, distributor=distributor, source=source, at=at)
    return attributed_distributor(customer, at)


def events(customer):
    return list(
        BindingEvent.objects.filter(customer=customer).values_list(
            "distributor__store_name", "previous_distributor__store_name", "source"
        )
    )


def test_lock_keeps_the_first_binding_for_good(rule, customer, alice, bob):
    rule("lock")
    assert click(customer, alice, T0) == alice
    assert click(customer, bob, T0 + DAY) == alice
    assert click(customer, bob, T0 + 1000 * DAY) == alice
    assert events(customer) == [("Alice", None, "store_link")]


def test_window_rebinds_only_after_expiry(rule, customer, alice, bob):
    rule("window", days=30)
    assert click(customer, alice, T0, ShareSource.QR) == alice
    assert click(customer, bob, T0 + 29 * DAY) == alice  # still inside Alice's window
    assert attributed_distributor(customer, T0 + 30 * DAY) is None  # lapsed, nobody's
    assert click(customer, bob, T0 + 31 * DAY, ShareSource.POSTER) == bob
    assert events(customer) == [("Alice", None, "qr"), ("Bob", "Alice", "poster")]


def test_window_extends_on_the_same_distributors_link(rule, customer, alice, bob):
    rule("window", days=30)
    click(customer, alice, T0)
    click(customer, alice, T0 + 20 * DAY)
    assert Binding.objects.get(customer=customer).expires_at == T0 + 50 * DAY
    assert click(customer, bob, T0 + 40 * DAY) == alice  # the extension holds
    assert attributed_distributor(customer, T0 + 49 * DAY) == alice
    assert click(customer, bob, T0 + 51 * DAY) == bob
    # The extension is no new binding; only the two bindings are in the log.
    assert events(customer) == [("Alice", None, "store_link"), ("Bob", "Alice", "store_link")]


def test_window_length_is_the_brands(rule, customer, alice, bob):
    rule("window", days=7)
    click(customer, alice, T0)
    assert click(customer, bob, T0 + 6 * DAY) == alice
    assert click(customer, bob, T0 + 8 * DAY) == bob


def test_last_click_rebinds_on_every_new_link(rule, customer, alice, bob):
    rule("last_click")
    assert click(customer, alice, T0) == alice
    assert click(customer, bob, T0 + timedelta(minutes=1)) == bob
    assert click(customer, bob, T0 + timedelta(minutes=2)) == bob  # same one: no change logged
    assert click(customer, alice, T0 + timedelta(minutes=3)) == alice
    assert events(customer) == [
        ("Alice", None, "store_link"),
        ("Bob", "Alice", "store_link"),
        ("Alice", "Bob", "store_link"),
    ]


def test_an_older_click_never_overrides_a_newer_binding(rule, customer, alice, bob):
    rule("last_click")
    click(customer, bob, T0 + DAY)
    assert click(customer, alice, T0) == bob


def test_default_rule_is_a_30_day_window_without_a_settings_row(customer, alice, bob):
    assert not ProgrammeSettings.objects.exists()
    click(customer, alice, T0)
    assert click(customer, bob, T0 + 29 * DAY) == alice
    assert click(customer, bob, T0 + 31 * DAY) == bob


def test_a_distributor_never_binds_himself(rule, make_distributor):
    rule("last_click")
    me = make_distributor()
    assert bind_customer(customer=me.customer, distributor=me, source="qr", at=T0) is None
    assert not Binding.objects.filter(customer=me.customer).exists()
    assert not BindingEvent.objects.exists()


@pytest.mark.parametrize("status", ["frozen", "blacklisted"])
def test_a_closed_stores_links_do_not_bind(rule, customer, make_distributor, status):
    rule("last_click")
    closed = make_distributor(status=status)
    assert bind_customer(customer=customer, distributor=closed, source="qr", at=T0) is None
    assert not Binding.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("status", ["frozen", "blacklisted"])
def test_a_closed_distributor_earns_nothing_and_loses_the_lock(rule, customer, alice, bob, status):
    rule("lock")
    click(customer, alice, T0)
    type(alice).objects.filter(pk=alice.pk).update(status=status)
    assert attributed_distributor(customer, T0 + DAY) is None
    assert click(customer, bob, T0 + 2 * DAY) == bob
    assert events(customer)[-1] == ("Bob", "Alice", "store_link")


def test_brand_reassignment_needs_a_reason_and_logs_who_did_it(rule, customer, alice, bob, staff):
    rule("lock")
    click(customer, alice, T0)
    with pytest.raises(BindingError, match="Say why"):
        reassign_customer(customer=customer, distributor=bob, actor=staff, reason="  ")
    assert attributed_distributor(customer, T0 + DAY) == alice
    reassign_customer(
        customer=customer, distributor=bob, actor=staff, reason="客户要求更换", now=T0 + DAY
    )
    assert attributed_distributor(customer, T0 + 2 * DAY) == bob
    last = BindingEvent.objects.filter(customer=customer).last()
    assert (last.source, last.actor, last.reason, last.previous_distributor) == (
        ShareSource.BRAND,
        staff,
        "客户要求更换",
        alice,
    )
    # The lock now holds for the brand's choice.
    assert click(customer, alice, T0 + 3 * DAY) == bob


def test_reassignment_refuses_self_and_closed_stores(customer, make_distributor, staff):
    me = make_distributor()
    with pytest.raises(BindingError, match="himself"):
        reassign_customer(customer=me.customer, distributor=me, actor=staff, reason="x")
    frozen = make_distributor(status="frozen")
    with pytest.raises(BindingError, match="closed"):
        reassign_customer(customer=customer, distributor=frozen, actor=staff, reason="x")
    assert not BindingEvent.objects.exists()


def test_reassigning_an_unbound_customer_binds_him(customer, alice, staff):
    reassign_customer(customer=customer, distributor=alice, actor=staff, reason="线下介绍")
    assert events(customer) == [("Alice", None, "brand")]


def test_binding_leaves_the_team_relationship_alone(rule, customer, make_distributor):
    rule("last_click")
    inviter = make_distributor()
    member = make_distributor(invited_by=inviter)
    click(member.customer, inviter, T0)  # the member is also the inviter's customer
    click(customer, member, T0)
    member.refresh_from_db()
    assert member.invited_by == inviter
    assert attributed_distributor(customer, T0) == member


@pytest.mark.parametrize("earns", [False, True])
def test_self_purchase_attribution_follows_the_setting(rule, make_distributor, earns):
    rule("last_click", self_purchase_earns=earns)
    upline = make_distributor()
    me = make_distributor()
    click(me.customer, upline, T0)  # he was upline's customer before becoming a distributor
    assert attributed_distributor(me.customer, T0 + DAY) == (me if earns else None)


def test_a_frozen_distributor_buying_earns_nothing(rule, make_distributor):
    rule("lock", self_purchase_earns=True)
    me = make_distributor(status="frozen")
    assert attributed_distributor(me.customer, T0) is None


def test_claiming_the_anonymous_cookie(rule, customer, alice):
    rule("window", days=30)
    token = make_token(distributor_id=alice.pk, source=ShareSource.POSTER)
    cookie = binding.ref_cookie_value(token=token, at=T0)
    claim_cookie_binding(customer=customer, cookie_value=cookie, now=T0 + DAY)
    bound = Binding.objects.get(customer=customer)
    assert (bound.distributor, bound.source, bound.bound_at) == (alice, "poster", T0)


@pytest.mark.parametrize("cookie", ["", "nonsense", "W10:1abc:forged"])
def test_a_bad_cookie_binds_nobody(customer, alice, cookie):
    assert claim_cookie_binding(customer=customer, cookie_value=cookie) is None
    assert not Binding.objects.exists()


@pytest.mark.postgres
def test_simultaneous_links_bind_once_and_log_every_change(
    postgres_only, rule, customer, make_distributor
):
    """Eight links opened at once (last click): one binding row, and the log's chain of previous
    distributors is unbroken, because one customer's changes are serialised."""
    from tests.concurrency import run_in_parallel

    rule("last_click")
    distributors = [make_distributor() for _ in range(8)]
    results = run_in_parallel(
        lambda i: bind_customer(
            customer=customer, distributor=distributors[i], source="qr", at=T0 + DAY
        ),
        8,
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert Binding.objects.filter(customer=customer).count() == 1
    log = list(BindingEvent.objects.filter(customer=customer).order_by("pk"))
    assert len(log) == 8 and log[0].previous_distributor is None
    assert all(
        later.previous_distributor == earlier.distributor for earlier, later in pairwise(log)
    )
    assert Binding.objects.get(customer=customer).distributor == log[-1].distributor
