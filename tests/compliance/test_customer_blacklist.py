"""The blacklist: an author and a reason for every entry and every lifting; a blacklisted
customer's checkout is refused with nothing reserved."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from weishang.compliance import blacklist
from weishang.compliance.blacklist import BlacklistError
from weishang.compliance.models import AuditEntry, BlacklistEntry
from weishang.distribution.models import Distributor
from weishang.inventory.models import Stock
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.orders.models import CartItem, Order
from weishang.sales import services as sales

from ..concurrency import run_in_parallel


def place(customer, sku, quantity=2):
    return sales.place_order(
        customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
    )


@pytest.mark.django_db
def test_a_blacklisted_customer_cannot_order_and_nothing_is_reserved(customer, staff, sku):
    orders.add_to_cart(customer=customer, sku_id=sku.pk, quantity=2)
    entry = blacklist.blacklist_customer(customer=customer, actor=staff, reason="恶意刷单")
    assert blacklist.blacklist_entry_for(customer) == entry
    with pytest.raises(OrderError, match="blacklisted") as refused:
        place(customer, sku)
    assert refused.value.code == "customer_blacklisted"
    assert not Order.objects.exists()
    assert Stock.objects.get(sku=sku).reserved == 0
    assert CartItem.objects.filter(customer=customer).count() == 1  # the cart is kept

    blacklist.lift_customer_blacklist(customer=customer, actor=staff, reason="核实后误判")
    assert blacklist.blacklist_entry_for(customer) is None
    assert place(customer, sku).total_fen == 2 * 3990
    assert Stock.objects.get(sku=sku).reserved == 2


@pytest.mark.django_db
def test_other_customers_are_not_affected(customer, make_customer, staff, sku):
    blacklist.blacklist_customer(customer=make_customer(), actor=staff, reason="恶意刷单")
    assert place(customer, sku).customer == customer


@pytest.mark.django_db
def test_every_entry_and_lifting_has_an_author_and_a_reason_in_the_audit_log(customer, staff):
    entry = blacklist.blacklist_customer(customer=customer, actor=staff, reason="  恶意  刷单 ")
    assert (entry.reason, entry.created_by, entry.lifted_at) == ("恶意 刷单", staff, None)
    lifted = blacklist.lift_customer_blacklist(customer=customer, actor=staff, reason="已核实")
    assert lifted.pk == entry.pk
    entry.refresh_from_db()
    assert (entry.lifted_by, entry.lift_reason) == (staff, "已核实")
    assert entry.lifted_at is not None
    log = list(AuditEntry.objects.order_by("pk").values_list("action", "object_id", "reason"))
    assert log == [
        ("blacklist.customer.add", str(customer.pk), "恶意 刷单"),
        ("blacklist.customer.lift", str(customer.pk), "已核实"),
    ]
    # Blacklisted again later: a new entry, the old one kept.
    blacklist.blacklist_customer(customer=customer, actor=staff, reason="再次刷单")
    assert BlacklistEntry.objects.count() == 2
    assert BlacklistEntry.objects.filter(lifted_at__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("act", "message"),
    [
        ("add_no_reason", "Give a reason for blacklisting."),
        ("add_twice", "already on the blacklist"),
        ("lift_no_reason", "Give a reason for lifting"),
        ("lift_not_listed", "not on the blacklist"),
        ("add_no_author", "needs an author"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(customer, make_customer, staff, act, message):
    listed = make_customer()
    blacklist.blacklist_customer(customer=listed, actor=staff, reason="恶意刷单")
    before = (
        list(BlacklistEntry.objects.values()),
        AuditEntry.objects.count(),
    )
    calls = {
        "add_no_reason": lambda: blacklist.blacklist_customer(
            customer=customer, actor=staff, reason=" "
        ),
        "add_twice": lambda: blacklist.blacklist_customer(
            customer=listed, actor=staff, reason="again"
        ),
        "lift_no_reason": lambda: blacklist.lift_customer_blacklist(
            customer=listed, actor=staff, reason=""
        ),
        "lift_not_listed": lambda: blacklist.lift_customer_blacklist(
            customer=customer, actor=staff, reason="ok"
        ),
        "add_no_author": lambda: blacklist.blacklist_customer(
            customer=customer, actor=None, reason="ok"
        ),
    }
    with pytest.raises(BlacklistError, match=message):
        calls[act]()
    assert (list(BlacklistEntry.objects.values()), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_the_database_allows_one_active_entry_per_subject(customer, staff):
    blacklist.blacklist_customer(customer=customer, actor=staff, reason="恶意刷单")
    with pytest.raises(IntegrityError), transaction.atomic():
        BlacklistEntry.objects.create(
            subject_type="customer",
            subject_id=customer.pk,
            reason="x",
            created_by=staff,
            created_at=timezone.now(),
        )


@pytest.mark.django_db
def test_the_same_entries_serve_distributors(customer, make_customer, staff):
    distributor = Distributor.objects.create(
        customer=make_customer(),
        slug="li",
        store_name="李四的小店",
        real_name="李四",
        id_number="11010519491231002X",
        id_number_masked="1101**********002X",
        business_kind="small_trade",
        approved_at=timezone.now(),
    )
    # A distributor and a customer may share a primary key value; they are different subjects.
    entry = blacklist.add_entry(subject=distributor, actor=staff, reason="夸大宣传")
    assert entry.subject_type == "distributor"
    assert blacklist.blacklist_entry_for(distributor) == entry
    assert not blacklist.customer_is_blacklisted(distributor.pk)
    blacklist.lift_entry(subject=distributor, actor=staff, reason="已整改")
    assert blacklist.blacklist_entry_for(distributor) is None
    assert AuditEntry.objects.filter(action__startswith="blacklist.distributor.").count() == 2


@pytest.mark.postgres
def test_two_staff_blacklisting_at_once_make_one_entry(postgres_only, customer, staff):
    def act(i):
        return blacklist.blacklist_customer(customer=customer, actor=staff, reason=f"reason {i}")

    results = run_in_parallel(act, 4)
    assert sum(isinstance(r, BlacklistEntry) for r in results) == 1
    assert all(isinstance(r, (BlacklistEntry, BlacklistError)) for r in results), results
    assert BlacklistEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="blacklist.customer.add").count() == 1
