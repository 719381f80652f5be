"""Version 1 of the JSON API, mounted at /api/v1/ with its OpenAPI schema at /api/v1/openapi.json
and the interactive documentation at /api/v1/docs. ``docs/openapi.json`` is this schema checked
in; regenerate it with ``weishang openapi > docs/openapi.json``."""

from ninja import NinjaAPI

from . import (
    brand,
    brand_claims,
    brand_fulfilment,
    brand_money,
    distributor,
    distributor_content,
    distributor_figures,
    distributor_programme,
    errors,
    store,
    store_account,
    store_campaigns,
    store_cases,
    store_coupons,
    store_images,
    store_members,
    store_privacy,
    store_sharing,
)
from .namespace import API_NAMESPACE


class WeishangApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``store_place_order``, ``distributor_orders``, ``brand_ship_order``: the area (the
        first word of the module: store, distributor or brand) and the view, so a client
        generated from the schema keeps its names whichever module holds an endpoint."""
        area = operation.view_func.__module__.rsplit(".", 1)[-1].split("_", 1)[0]
        return f"{area}_{operation.view_func.__name__.removeprefix(area + '_')}"


api = WeishangApi(
    title="Weishang API",
    version="1",
    description="The store and the distributor console for mini-programs and integrations. "
    "Amounts are integer fen. Errors are {code, message, field}, the message in the language "
    "of Accept-Language (zh-hans or en).",
    urls_namespace=API_NAMESPACE,
    docs_url="/docs",
    auth=store.customer_auth,
)
errors.install(api)
api.add_router("/", store.router)
api.add_router("/", store_coupons.router)
api.add_router("/", store_campaigns.router)
api.add_router("/", store_members.router)
api.add_router("/", store_sharing.router)
api.add_router("/", store_images.router)
api.add_router("/", store_account.router)
api.add_router("/", store_cases.router)
api.add_router("/", store_privacy.router)
api.add_router("/distributor", distributor.router)
api.add_router("/distributor", distributor_figures.router)
api.add_router("/distributor", distributor_content.router)
api.add_router("/distributor", distributor_programme.router)
api.add_router("/brand", brand.router)
api.add_router("/brand", brand_fulfilment.router)
api.add_router("/brand", brand_money.router)
api.add_router("/brand", brand_claims.router)
