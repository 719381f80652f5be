"""Who is calling: customers and distributors sign in with a code sent to their mobile and get a
short-lived access token and a refresh token (django-ninja-jwt). A refresh token is used once:
refreshing blacklists it and hands out a new pair, and signing out blacklists it, so a stolen
or abandoned one stops working. Each access token's calls are counted against a per-token limit."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, HttpBearer
from ninja_jwt.exceptions import TokenError
from ninja_jwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ninja_jwt.tokens import AccessToken, RefreshToken

from weishang import throttle
from weishang.distribution import selectors as distribution_reads
from weishang.distribution.models import Distributor

from .errors import ApiError
from .keys import key_for

API_CALLS_PER_TOKEN = throttle.Limit(
    "api-token", hits=600, window=throttle.MINUTE, lockout=throttle.MINUTE
)
REFRESHES_PER_CLIENT = throttle.Limit(
    "api-refresh-client", hits=60, window=throttle.HOUR, lockout=throttle.HOUR
)


# What signing in over the API records against a user: it does not stop his WeChat-only account
# from being joined to the one that has his mobile number (its tokens stop with it).
SIGN_IN_RECORDS = (OutstandingToken,)


def tokens_for(user) -> dict:
    refresh = RefreshToken.for_user(user)
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(refresh.access_token.lifetime.total_seconds()),
    }


def _invalid_refresh() -> ApiError:
    return ApiError(
        _("This refresh token is not valid any more; sign in again."),
        code="invalid_refresh_token",
        status=401,
        field="refresh",
    )


def _use_up(token: RefreshToken) -> None:
    """Blacklists the refresh token once: of two requests racing with one token, the blacklist's
    unique row lets only the first through."""
    outstanding = OutstandingToken.objects.filter(jti=token["jti"]).first()
    if outstanding is None:
        raise _invalid_refresh()
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError as exc:
        raise _invalid_refresh() from exc


def refresh(*, token: str, client: str) -> dict:
    """A new pair for a refresh token that was neither used nor revoked; the old one is
    blacklisted."""
    throttle.take((REFRESHES_PER_CLIENT, client))
    try:
        old = RefreshToken(token)
    except TokenError as exc:
        raise _invalid_refresh() from exc
    user = get_user_model().objects.filter(pk=old["user_id"], is_active=True).first()
    if user is None:
        raise _invalid_refresh()
    _use_up(old)
    return tokens_for(user)


def revoke(*, token: str, user) -> None:
    """Signs out: the refresh token (his own) can no longer be used."""
    try:
        old = RefreshToken(token)
    except TokenError as exc:
        raise _invalid_refresh() from exc
    if old["user_id"] != user.pk:
        raise _invalid_refresh()
    _use_up(old)


class CustomerAuth(HttpBearer):
    """A signed-in customer (an access token whose user is a customer)."""

    def authenticate(self, request, token):
        try:
            access = AccessToken(token)
        except TokenError:
            return None
        throttle.take((API_CALLS_PER_TOKEN, access["jti"]))
        user = (
            get_user_model()
            .objects.select_related("customer")
            .filter(pk=access["user_id"], is_active=True)
            .first()
        )
        customer = getattr(user, "customer", None) if user else None
        if customer is not None:
            request.customer = customer
        return customer


class CustomerOrAnonymousAuth(CustomerAuth):
    """A signed-in customer, or a visitor who sends no token (``request.customer`` is None):
    what the store shows both, priced for whoever asks. A token sent that is not valid is
    refused as anywhere else, never taken for a visitor."""

    def __call__(self, request):
        request.customer = None
        if not request.headers.get(self.header):
            return "anonymous"
        return super().__call__(request)


class DistributorAuth(CustomerAuth):
    """A signed-in distributor, as the distributor console lets him in: a customer who is not
    a distributor, or a blacklisted one, is refused; a frozen one may read but not write."""

    def authenticate(self, request, token):
        customer = super().authenticate(request, token)
        if customer is None:
            return None
        distributor = distribution_reads.distributor_for_customer(customer)
        if distributor is None:
            raise ApiError(_("Only distributors can do this."), code="not_distributor", status=403)
        if distributor.status == Distributor.Status.BLACKLISTED:
            raise ApiError(
                _("Your distributor account is closed."), code="distributor_closed", status=403
            )
        if request.method not in {"GET", "HEAD"} and not distributor.can_sell:
            raise ApiError(
                _("Your distributor account is frozen: %(reason)s")
                % {"reason": distributor.status_reason},
                code="distributor_frozen",
                status=403,
            )
        request.distributor = distributor
        return distributor


class StaffKeyAuth(APIKeyHeader):
    """A staff API key (header X-Api-Key), with the console role it is bound to."""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        found = key_for(key)
        if found is not None:
            throttle.take((API_CALLS_PER_TOKEN, f"key:{found.pk}"))
        return found
