"""The API keys page, for the owner only: a new key bound to a role with its secret shown once,
the keys listed without their secrets, a key revoked; each act audit-logged, and the key works
in the API until it is revoked."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from weishang.compliance import api_keys
from weishang.compliance.models import AuditEntry, StaffApiKey

from .conftest import english, messages_of
from .test_staff_page import with_role

pytestmark = pytest.mark.django_db
URL = "/console/staff/api-keys/"


def _client():
    return Client()


def test_the_owner_makes_a_key_whose_secret_is_shown_once(console, staff):
    response = console.post(
        reverse("console:api_key_create"), {"name": "仓库ERP", "role": "operator"}
    )
    assert response.status_code == 200
    secret = response.context["made"]["secret"]
    html = response.content.decode()
    assert secret in html and 'data-testid="new-secret"' in html
    assert "Copy its secret now" in " ".join(messages_of(response))
    key = StaffApiKey.objects.get()
    assert (key.name, key.role, key.created_by) == ("仓库ERP", "operator", staff)
    assert _client().get("/api/v1/brand/orders", HTTP_X_API_KEY=secret).status_code == 200
    listed = console.get(URL).content.decode()
    assert "仓库ERP" in listed and f"wsk_{key.prefix}_" in listed and secret not in listed
    entry = AuditEntry.objects.get(action="api_key.create")
    assert (entry.actor, entry.after) == (staff, {"name": "仓库ERP", "role": "operator"})


def test_a_bad_key_request_makes_nothing(console):
    response = console.post(reverse("console:api_key_create"), {"name": "", "role": "operator"})
    assert response.status_code == 200 and messages_of(response)
    assert response.context["made"] is None
    response = console.post(reverse("console:api_key_create"), {"name": "ERP", "role": "king"})
    assert messages_of(response) and not StaffApiKey.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_owner_revokes_a_key_and_the_api_refuses_it(console, staff):
    key, secret = api_keys.create_api_key(actor=staff, name="ERP", role="finance")
    response = console.post(reverse("console:api_key_revoke", args=[key.pk]), follow=True)
    assert "revoked" in " ".join(messages_of(response))
    assert StaffApiKey.objects.get().revoked_at is not None
    assert _client().get("/api/v1/brand/orders", HTTP_X_API_KEY=secret).status_code == 401
    again = console.post(reverse("console:api_key_revoke", args=[key.pk]), follow=True)
    assert "already revoked" in " ".join(messages_of(again))
    assert AuditEntry.objects.filter(action="api_key.revoke").count() == 1


def test_only_the_owner_sees_and_manages_keys(client, brand, django_user_model, staff):
    key, _secret = api_keys.create_api_key(actor=staff, name="ERP", role="finance")
    for role in ("operator", "finance", "customer_service", "auditor"):
        english(client).force_login(with_role(django_user_model, f"u-{role}", role))
        assert client.get(URL).status_code == 403, role
        created = client.post(reverse("console:api_key_create"), {"name": "x", "role": "owner"})
        revoked = client.post(reverse("console:api_key_revoke", args=[key.pk]))
        assert (created.status_code, revoked.status_code) == (403, 403), role
        assert reverse("console:api_key_list") not in client.get("/console/").content.decode()
    assert StaffApiKey.objects.count() == 1 and StaffApiKey.objects.get().revoked_at is None
    assert AuditEntry.objects.filter(action__startswith="api_key.").count() == 1


def test_the_page_is_in_the_owners_menu_and_in_chinese(console):
    assert reverse("console:api_key_list") in console.get("/console/").content.decode()
    console.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = console.get(URL).content.decode()
    assert "API 密钥" in html
