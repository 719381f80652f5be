"""A signed-in request reads its user and his customer in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_a_signed_in_customers_page_reads_user_and_customer_in_one_query(client, customer):
    client.force_login(customer.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/account/")
    assert response.status_code == 200 and response.context["request"].customer == customer
    users = [q["sql"] for q in queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1 and '"customers_customer"' in users[0]
    assert not any(q["sql"].startswith('SELECT "customers_customer"') for q in queries)


def test_staff_without_a_customer_and_deactivated_users(client, staff, customer):
    client.force_login(staff)
    assert client.get("/console/").status_code == 200
    client.force_login(customer.user)
    customer.user.is_active = False
    customer.user.save()
    assert client.get("/account/").status_code == 302  # signed out: to the login page
