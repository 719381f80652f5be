"""Staff API keys live in ``compliance.api_keys`` (the console's page makes and revokes them too,
and the console sits below the API); the API and its command use them from here."""

from weishang.compliance.api_keys import (  # noqa: F401 - the API's names for them
    ApiKeyError,
    create_api_key,
    key_for,
    revoke_api_key,
)
