"""The OpenAPI schema served at /api/v1/ is the one checked in, and its docs page is served."""

import json
from pathlib import Path

from weishang.api.main import api

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_checked_in_schema_is_current():
    served = json.loads(json.dumps(api.get_openapi_schema()))
    assert json.loads(CHECKED_IN.read_text()) == served, (
        "docs/openapi.json is not the API's schema; regenerate it with "
        "`weishang openapi > docs/openapi.json` and commit it"
    )


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Weishang API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Served by the app itself (the CSP allows no other origin), never from a CDN.
    assert b'src="/static/ninja/swagger-ui-bundle.js"' in docs.content
    assert b"https://" not in docs.content


def test_each_operation_is_named_once_after_its_area_and_view():
    """A client generated from the schema names its functions after the operation ids."""
    ids = [
        operation["operationId"]
        for operations in api.get_openapi_schema()["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids))
    assert {name.split("_", 1)[0] for name in ids} == {"store", "distributor", "brand"}
    assert "store_place_order" in ids and "distributor_orders" in ids
