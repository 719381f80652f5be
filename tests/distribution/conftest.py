"""Distribution fixtures: valid real-name data and a distributor approved through the services
(`make_distributor` in tests/conftest.py makes one directly with the ORM)."""

import pytest

from tests.helpers import new_id_number
from weishang.distribution import services

VALID_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91350100M000100Y43"


def application_fields(customer, **overrides):
    fields = {
        "real_name": "张三",
        "id_number": new_id_number(),
        "mobile": customer.mobile,
        "business_kind": "small_trade",
        "credit_code": "",
        "store_name": "三哥的枣铺",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def apply_and_approve(make_customer, staff):
    def make(customer=None, **overrides):
        customer = customer or make_customer()
        application = services.apply_to_distribute(
            customer=customer, **application_fields(customer, **overrides)
        )
        return services.approve_application(application=application, reviewer=staff)

    return make


@pytest.fixture
def distributor(apply_and_approve):
    return apply_and_approve()
