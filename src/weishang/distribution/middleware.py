"""Share links: the device cookie every visitor gets, and ``?ref=<token>`` on a store page.

Runs after the session and authentication middleware. A request without ``ref`` costs no query.
A forged or stale token, or a link of a frozen or blacklisted distributor, is ignored silently:
the visitor sees the page he asked for, unbound.
"""

import re
import secrets

from django.utils import timezone

from . import binding
from .tokens import PARAM

DEVICE_COOKIE = "ws_device"
DEVICE_COOKIE_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Share links point at the store; the consoles, the payment callbacks and files never bind.
# The API opens share links itself (POST /api/v1/share-links/open).
NOT_STOREFRONT = (
    "/console/",
    "/admin/",
    "/payments/",
    "/static/",
    "/media/",
    "/i18n/",
    "/api/",
)


def _customer_of(user):
    return getattr(user, "customer", None) if user.is_authenticated else None


class ShareLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        device_id = request.COOKIES.get(DEVICE_COOKIE, "")
        new_device = not _DEVICE_ID.match(device_id)
        if new_device:
            device_id = secrets.token_urlsafe(24)
        request.device_id = device_id

        ref_cookie = claim = None
        if (
            request.method == "GET"
            and PARAM in request.GET
            and not request.path_info.startswith(NOT_STOREFRONT)
        ):
            ref_cookie = self.open_share_link(request)
        elif binding.REF_COOKIE in request.COOKIES and request.user.is_authenticated:
            # Signed in some other way than the store's login page: the cookie binds now.
            claim = _customer_of(request.user)
            if claim is not None:
                binding.claim_cookie_binding(
                    customer=claim, cookie_value=request.COOKIES[binding.REF_COOKIE]
                )

        response = self.get_response(request)

        secure = request.is_secure()
        if new_device:
            response.set_cookie(
                DEVICE_COOKIE,
                device_id,
                max_age=DEVICE_COOKIE_MAX_AGE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=secure,
            )
        if ref_cookie:
            response.set_cookie(
                binding.REF_COOKIE,
                ref_cookie,
                max_age=binding.REF_COOKIE_MAX_AGE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=secure,
            )
        elif claim is not None:
            response.delete_cookie(binding.REF_COOKIE, samesite="Lax")
        return response

    def open_share_link(self, request) -> str | None:
        return binding.open_share_link(
            raw=request.GET.get(PARAM),
            customer=_customer_of(request.user),
            signed_in=request.user.is_authenticated,
            device_id=request.device_id,
            now=timezone.now(),
        )
