"""Customers (CRM) in the brand console: the list finds a customer by the last digits of his
mobile, his name or an order number, shows him masked to every role and pages in bounded
queries; his page shows his orders, returns, complaints and binding, in full (and audited) only
to the roles that handle orders, returns and complaints."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.compliance import complaints
from weishang.compliance.models import AuditEntry
from weishang.console import menu, roles
from weishang.customers.models import Customer
from weishang.distribution import binding
from weishang.distribution.models import Binding, BindingEvent
from weishang.orders import services as orders
from weishang.sales import services as sales

from .conftest import english
from .test_roles import member

pytestmark = pytest.mark.django_db

LIST = reverse("console:customer_list")


def detail(customer) -> str:
    return reverse("console:customer_detail", args=[customer.pk])


def sign_in(client, django_user_model, role):
    user = member(django_user_model, role)
    english(client).force_login(user)
    return user


def place(customer, sku):
    return sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())


@pytest.fixture
def wang(make_customer):
    customer = make_customer("13912345678")
    Customer.objects.filter(pk=customer.pk).update(nickname="枣粉小王")
    customer.addresses.update(recipient="王小枣", detail="世纪大道100号18楼")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def history(wang, sku, make_distributor, django_user_model):
    """Wang bound to one store, then reassigned by the brand to another; one order delivered and
    returned in part, one complained about."""
    first = make_distributor(store_name="小李枣铺")
    second = make_distributor(store_name="阿红的枣")
    Binding.objects.create(customer=wang, distributor=first, source="qr", bound_at=timezone.now())
    BindingEvent.objects.create(
        customer=wang, distributor=first, source="qr", created_at=timezone.now()
    )
    binding.reassign_customer(
        customer=wang,
        distributor=second,
        actor=member(django_user_model, roles.OWNER),
        reason="客户要求",
    )
    delivered = deliver(pay(place(wang, sku)))
    returned = orders.request_return(
        order=delivered, customer=wang, quantities={delivered.lines.get().pk: 1}
    )
    complained = pay(place(wang, sku))
    complaint = complaints.file_complaint(
        customer=wang, order=complained, category="quality", text="坏了"
    )
    return {
        "orders": [delivered, complained],
        "return": returned,
        "complaint": complaint,
        "stores": (first, second),
    }


@pytest.mark.parametrize(
    "query", ["5678", "345678", "13912345678", "小王", "王小枣", "order-number"]
)
def test_the_list_finds_a_customer_by_mobile_digits_name_or_order_number(
    client, django_user_model, wang, make_customer, sku, query
):
    other = make_customer("13800009999")
    order = place(wang, sku)
    place(other, sku)
    sign_in(client, django_user_model, roles.OWNER)
    query = order.number if query == "order-number" else query
    found = list(client.get(LIST, {"q": query}).context["page"])
    assert [customer.pk for customer in found] == [wang.pk]


def test_too_few_digits_or_an_unknown_order_find_nobody(client, django_user_model, wang):
    sign_in(client, django_user_model, roles.OWNER)
    for query in ["78", "999999999999999999"]:
        response = client.get(LIST, {"q": query})
        assert list(response.context["page"]) == []
        assert "No customers match." in response.content.decode()


@pytest.mark.parametrize("role", sorted(roles.ALL_ROLES))
def test_the_list_is_masked_for_every_role(client, django_user_model, wang, role):
    sign_in(client, django_user_model, role)
    html = client.get(LIST).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert "枣*" in html and "枣粉小王" not in html
    assert AuditEntry.objects.filter(action="customer.view_personal_data").count() == 0


def test_the_list_pages_in_bounded_queries(
    client, django_user_model, make_customer, make_distributor, sku, django_assert_max_num_queries
):
    store = make_distributor()
    for i in range(55):
        customer = make_customer()
        Binding.objects.create(
            customer=customer, distributor=store, source="qr", bound_at=timezone.now()
        )
        if i % 3 == 0:
            place(customer, sku)
    sign_in(client, django_user_model, roles.AUDITOR)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    page = response.context["page"]
    assert len(page) == 50 and page.paginator.num_pages == 2
    assert all(
        row.distributor_name == store.store_name for row in page if row.pk != store.customer_id
    )
    second = client.get(LIST, {"page": 2}).context["page"]
    assert len(second) == 56 - 50  # the distributor is a customer too


def test_a_customers_page_shows_orders_returns_complaints_and_binding(
    client, django_user_model, wang, history, django_assert_max_num_queries
):
    sign_in(client, django_user_model, roles.OPERATOR)
    # 16, the membership (his tier, points and wallet balances, spendable points, history) and
    # his coupons, his station and his tags (each with every choice)
    with django_assert_max_num_queries(23):
        response = client.get(detail(wang))
    html = response.content.decode()
    for order in history["orders"]:
        assert order.number in html
    assert history["return"].number in html
    assert history["complaint"].number in html
    first, second = history["stores"]
    assert response.context["binding"].distributor == second
    assert [event.distributor for event in response.context["binding_history"]] == [first, second]
    assert "客户要求" in html and f"{first.store_name} → {second.store_name}" in html


@pytest.mark.parametrize("role", sorted(roles.FULL_CUSTOMER_DATA))
def test_roles_that_need_it_see_the_full_data_and_each_view_is_audited(
    client, django_user_model, wang, role
):
    user = sign_in(client, django_user_model, role)
    html = client.get(detail(wang)).content.decode()
    assert "13912345678" in html and "枣粉小王" in html
    assert "王小枣" in html and "世纪大道100号18楼" in html
    entry = AuditEntry.objects.get(action="customer.view_personal_data")
    assert (entry.actor_id, entry.object_id) == (user.pk, str(wang.pk))
    # The log names whose data was seen, never the data itself.
    assert "13912345678" not in str(entry.before) + str(entry.after)


@pytest.mark.parametrize("role", sorted(roles.ALL_ROLES - roles.FULL_CUSTOMER_DATA))
def test_other_roles_see_the_customer_masked_and_nothing_is_audited(
    client, django_user_model, wang, history, role
):
    sign_in(client, django_user_model, role)
    html = client.get(detail(wang)).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert "王*" in html and "王小枣" not in html and "世纪大道" not in html
    assert "枣粉小王" not in html
    assert history["complaint"].number in html  # what happened is still shown
    assert not AuditEntry.objects.filter(action="customer.view_personal_data").exists()


def test_an_unknown_customer_is_a_404_and_audits_nothing(client, django_user_model):
    sign_in(client, django_user_model, roles.OWNER)
    assert client.get(reverse("console:customer_detail", args=[999_999])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_the_menu_lists_only_routes_the_role_may_open(django_user_model):
    for role in sorted(roles.ALL_ROLES):
        user = member(django_user_model, role)
        shown = {link.url for group in menu.menu_for(user, nav="customers") for link in group.links}
        for _key, _label, entries in menu.GROUPS:
            for entry in entries:
                url = reverse(f"console:{entry.route}")
                assert (url in shown) == roles.can(role, entry.route, "GET"), (role, entry.route)
    groups = menu.menu_for(member(django_user_model, roles.OWNER), nav="customers")
    assert [group.key for group in groups] == [
        "analytics",
        "orders",
        "products",
        "distribution",
        "members",
        "community",
        "content",
        "compliance",
        "settings",
    ]
    assert [group.current for group in groups] == [False, True] + [False] * 7


def test_an_order_links_to_its_customers_page(client, django_user_model, wang, sku):
    order = place(wang, sku)
    sign_in(client, django_user_model, roles.OPERATOR)
    html = client.get(reverse("console:order_detail", args=[order.number])).content.decode()
    assert f'href="{detail(wang)}"' in html


def test_a_customer_known_by_wechat_alone_shows_no_number(client, django_user_model):
    from weishang.customers.wechat_accounts import sign_in_with_wechat

    shell = sign_in_with_wechat(appid="wx1111111111111111", openid="o-wechat-only", nickname="小枣")
    sign_in(client, django_user_model, roles.OWNER)
    html = client.get(detail(shell)).content.decode()
    assert '<span data-testid="customer-mobile">—</span>' in html and "None" not in html
    listed = client.get(LIST).content.decode()
    assert "****" in listed and "None" not in listed
