"""Staff API keys: made and revoked by an owner with an audit entry, stored hashed, bound to a
console role; every brand endpoint is walked for every role and answers as the console's role
matrix says."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.console.test_every_act_audited import World
from tests.helpers import bought
from weishang.api import keys
from weishang.api.brand import CONSOLE_ROUTES
from weishang.api.main import api
from weishang.compliance.api_keys import ApiKeyError
from weishang.compliance.models import AuditEntry, StaffApiKey
from weishang.compliance.staff import ROLES
from weishang.console import roles

from .conftest import ApiClient, new_key

pytestmark = pytest.mark.django_db


def brand_get(secret: str, path: str, params=None):
    return ApiClient().get(path, params, headers={"X-Api-Key": secret})


def test_an_owner_makes_a_key_shown_once_and_stored_hashed(staff):
    key, secret = keys.create_api_key(actor=staff, name="ERP", role="finance")
    assert secret.startswith(f"wsk_{key.prefix}_")
    assert secret not in str(StaffApiKey.objects.values().get())
    entry = AuditEntry.objects.get(action="api_key.create")
    assert (entry.actor, entry.after) == (staff, {"name": "ERP", "role": "finance"})
    assert brand_get(secret, "/brand/orders").status_code == 200


def test_a_revoked_or_wrong_key_is_refused(staff):
    key, secret = keys.create_api_key(actor=staff, name="ERP", role="operator")
    assert brand_get(secret[:-1] + "x", "/brand/orders").status_code == 401
    keys.revoke_api_key(actor=staff, key_id=key.pk)
    assert AuditEntry.objects.filter(action="api_key.revoke").count() == 1
    assert brand_get(secret, "/brand/orders").status_code == 401
    with pytest.raises(ApiKeyError):
        keys.revoke_api_key(actor=staff, key_id=key.pk)


def test_only_an_owner_manages_keys_and_a_refusal_writes_nothing(db):
    finance = get_user_model().objects.create_user(username="fin", is_staff=True)
    finance.groups.add(Group.objects.get_or_create(name="finance")[0])
    with pytest.raises(ApiKeyError):
        keys.create_api_key(actor=finance, name="mine", role="owner")
    assert not StaffApiKey.objects.exists() and not AuditEntry.objects.exists()


def test_the_command_makes_and_revokes_a_key(staff, capsys):
    call_command("api_key", "create", "--by", staff.username, "--name", "ERP", "--role", "auditor")
    key_id, secret, _note = capsys.readouterr().out.split("\t")
    assert brand_get(secret, "/brand/orders").status_code == 200
    call_command("api_key", "revoke", "--by", staff.username, "--id", key_id)
    assert brand_get(secret, "/brand/orders").status_code == 401


def _brand_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/brand/"):
                yield path.removeprefix("/api/v1"), method.upper(), operation["operationId"]


def test_every_brand_endpoint_names_its_console_route():
    named = {operation_id.rsplit("brand_", 1)[-1] for _p, _m, operation_id in _brand_operations()}
    assert named == {name.removeprefix("brand_") for name in CONSOLE_ROUTES}
    assert all(roles.area_of(route) for route in CONSOLE_ROUTES.values())
    # The role check finds the route by the URL's name, which is its one operation's.
    paths = [path for path, _m, _o in _brand_operations()]
    assert len(paths) == len(set(paths))


def test_a_role_that_may_not_act_is_refused_before_its_input_is_read(staff, customer, sku):
    order = bought(customer, sku)
    _key, finance = keys.create_api_key(actor=staff, name="fin", role="finance")
    client = ApiClient(language="zh-hans")
    for body in ({"carrier": "sf"}, {"carrier": 7, "tracking_no": ["x"]}):
        response = client.post(
            f"/brand/orders/{order.number}/ship", body, headers={"X-Api-Key": finance}
        )
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
        assert "订单" in response.json()["message"]


# A body each POST accepts, so that a role the console lets act is not refused for its input.
BODIES = {
    "brand_order_ship": {"carrier": "sf", "tracking_no": "SF1402837465920"},
    "brand_waybill_import": {
        "rows": [{"order_number": "x", "carrier": "sf", "waybill": "SF1402837465920"}]
    },
    "brand_stock_set": {"on_hand": 50},
    "brand_return_reject": {"reason": "已拆封"},
    "brand_withdrawal_reject": {"reason": "资料不全"},
    "brand_withdrawal_pay": {"payout_reference": "BANK-1"},
    "brand_held_commission_reject": {"reason": "自买自卖"},
    "brand_claim_approve": {"remedy": "repair"},
    "brand_claim_reject": {"reason": "人为损坏"},
    "brand_claim_ship": {"carrier": "sf", "tracking_no": "SF1402837465929"},
}


@pytest.fixture
def walk_world(
    brand, make_customer, make_product, make_distributor, customer, sku, settings, tmp_path
):
    """An object for each path parameter of the brand endpoints."""
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = World(make_customer, make_product, make_distributor)
    return {
        "number": bought(customer, sku).number,
        "sku_id": sku.pk,
        "return_number": world.requested_return().number,
        "withdrawal_id": world.withdrawal().pk,
        "commission_id": world.held_commission().pk,
        "claim_number": world.claim("repair").number,
    }


def _filled(path: str, world: dict) -> str:
    if path.startswith("/brand/returns/"):
        path = path.replace("{number}", world["return_number"])
    if path.startswith("/brand/claims/"):
        path = path.replace("{number}", world["claim_number"])
    for name, value in world.items():
        path = path.replace(f"{{{name}}}", str(value))
    return path


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_brand_endpoint_answers_each_role_as_the_console_does(role, staff, walk_world):
    _key, secret = keys.create_api_key(actor=staff, name=role, role=role)
    walked = 0
    for path, method, operation_id in _brand_operations():
        name = "brand_" + operation_id.rsplit("brand_", 1)[-1]
        route = CONSOLE_ROUTES[name]
        url = _filled(path, walk_world)
        before = AuditEntry.objects.count()
        if method == "GET":
            response = brand_get(secret, url)
        else:
            assert method == "POST", path
            response = ApiClient().post(
                url, BODIES.get(name, {}), key=new_key(), headers={"X-Api-Key": secret}
            )
        if roles.can(role, route, method):
            assert response.status_code != 403 and response.status_code < 500, (role, url)
            if method == "GET" and name != "brand_withdrawal_payee":
                assert response.status_code == 200, (role, url, response.json())
        else:
            assert response.status_code == 403, (role, url, response.status_code)
            assert response.json()["code"] == "forbidden"
            assert AuditEntry.objects.count() == before
        walked += 1
    assert walked == len(CONSOLE_ROUTES)


def test_roles_that_do_not_ship_see_customers_masked(
    staff, customer, sku, django_assert_max_num_queries
):
    bought(customer, sku)
    _k, operator = keys.create_api_key(actor=staff, name="ops", role="operator")
    _k, finance = keys.create_api_key(actor=staff, name="fin", role="finance")
    [full] = brand_get(operator, "/brand/orders").json()["items"]
    [masked] = brand_get(finance, "/brand/orders").json()["items"]
    assert (full["mobile"], full["recipient"]) == (customer.mobile, "张三")
    assert masked["mobile"] == customer.mobile[:3] + "****" + customer.mobile[-4:]
    assert masked["recipient"] == "张*"
    for _n in range(5):
        bought(customer, sku)
    with django_assert_max_num_queries(8):
        assert len(brand_get(operator, "/brand/orders", {"status": "paid"}).json()["items"]) == 6


def test_an_order_of_a_customer_who_signed_in_with_wechat_only_lists_without_a_mobile(
    staff, customer, sku
):
    bought(customer, sku)
    customer.mobile = None  # his account came from WeChat sign-in; he gave no number
    customer.save(update_fields=["mobile"])
    _k, operator = keys.create_api_key(actor=staff, name="ops", role="operator")
    _k, finance = keys.create_api_key(actor=staff, name="fin", role="finance")
    assert brand_get(operator, "/brand/orders").json()["items"][0]["mobile"] == ""
    assert brand_get(finance, "/brand/orders").json()["items"][0]["mobile"] == ""
