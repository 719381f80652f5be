"""schemathesis sends what the OpenAPI schema allows (and what it does not) to every operation of
the live application, signed in where the operation needs it: no answer may be a server error,
and every answer must match the schema (an error included: the one {code, message, field}
shape). Examples are bounded so that the run stays well under a minute."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.helpers import bought, deliver
from weishang.api import keys
from weishang.api.auth import tokens_for
from weishang.api.main import api

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
application = WSGIHandler()


@pytest.fixture
def test_connection_kept():
    """As Django's test client does: a request's start and end must not close the connection
    that holds the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def signed_in(
    test_connection_kept, db, brand, staff, make_product, make_customer, make_distributor
):
    """A distributor (a customer too) with a delivered order, a product with stock, his access
    token and an owner's staff API key: every operation is open to them."""
    sku = make_product(stock=1000)
    distributor = make_distributor()
    deliver(bought(distributor.customer, sku))
    bought(make_customer(), sku)
    _key, secret = keys.create_api_key(actor=staff, name="fuzz", role="owner")
    return {
        "Authorization": f"Bearer {tokens_for(distributor.customer.user)['access']}",
        "X-Api-Key": secret,
    }


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_answers_any_input_within_its_schema(case, signed_in):
    case.call_and_validate(
        app=application,
        headers=signed_in,
        checks=[not_a_server_error, response_schema_conformance],
    )
