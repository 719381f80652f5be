"""Version 1 of the JSON API, mounted at /api/v1/ with its OpenAPI schema at /api/v1/openapi.json
and the interactive documentation at /api/v1/docs. ``docs/openapi.json`` is this schema checked
in; regenerate it with ``weishang openapi > docs/openapi.json``."""

from ninja import NinjaAPI

from . import brand, distributor, errors, store, store_account, store_cases, store_privacy
from .namespace import API_NAMESPACE

api = NinjaAPI(
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
api.add_router("/", store_account.router)
api.add_router("/", store_cases.router)
api.add_router("/", store_privacy.router)
api.add_router("/distributor", distributor.router)
api.add_router("/brand", brand.router)
