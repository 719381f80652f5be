"""An API client speaking JSON, and signed-in customers and distributors with their tokens."""

import json
import uuid

import pytest
from django.test import Client

from weishang.api import keys
from weishang.api.auth import tokens_for


class ApiClient:
    """Django's test client with JSON bodies, a bearer token and a language."""

    def __init__(self, token: str | None = None, language: str = "en"):
        self.client = Client()
        self.token = token
        self.language = language

    def _headers(self, headers) -> dict:
        sent = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.token:
            sent["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        for name, value in (headers or {}).items():
            sent["HTTP_" + name.upper().replace("-", "_")] = value
        return sent

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def put(self, path, body):
        return self.client.put(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self._headers({})
        )

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self._headers({}))

    def post(self, path, body=None, *, key: str | None = None, headers=None):
        headers = dict(headers or {})
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(headers),
        )


def new_key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def as_customer():
    """``as_customer(customer)``: a client signed in as him."""

    def make(customer, language="en"):
        return ApiClient(tokens_for(customer.user)["access"], language)

    return make


@pytest.fixture
def api(customer, as_customer):
    return as_customer(customer)


class StaffKeyClient:
    """A client holding a staff API key."""

    def __init__(self, secret: str, language: str = "en"):
        self.secret = secret
        self.client = ApiClient(language=language)

    def get(self, path, params=None):
        return self.client.get(path, params, headers={"X-Api-Key": self.secret})

    def post(self, path, body=None, *, key: str | None = None):
        return self.client.post(path, body, key=key, headers={"X-Api-Key": self.secret})


@pytest.fixture
def as_role(staff):
    def make(role, language="en"):
        """A client with a new key of ``role``, made by ``staff`` (an owner)."""
        _key, secret = keys.create_api_key(actor=staff, name=role, role=role)
        return StaffKeyClient(secret, language)

    return make


@pytest.fixture
def operator(as_role):
    return as_role("operator")
