"""The API's one error shape, ``{code, message, field}``, with the message in the language the
client asked for (Accept-Language, through Django's LocaleMiddleware). Every error a client can
cause is answered here, in one place: a domain error a service raised, input the schemas refused,
a missing or bad token, a missing resource, a reused Idempotency-Key."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from weishang.core_errors import DomainError
from weishang.throttle import Throttled


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class ApiError(DomainError):
    """An error the API itself raises, with its HTTP status and the field it is about."""

    def __init__(self, message, *, code: str, status: int = 400, field: str | None = None):
        super().__init__(message, code=code)
        self.status = status
        self.field = field


def not_found() -> ApiError:
    return ApiError(_("Not found."), code="not_found", status=404)


# Every status an operation may answer with an Error; each operation documents them all, so a
# client (and schemathesis) knows the shape of every refusal.
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)
ERRORS = dict.fromkeys(ERROR_STATUSES, Error)

_INPUT_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_too_long": gettext_lazy("This text is too long."),
    "string_too_short": gettext_lazy("This text is too short."),
    "string_pattern_mismatch": gettext_lazy("This value has characters that are not allowed."),
    "greater_than": gettext_lazy("This number is too small."),
    "greater_than_equal": gettext_lazy("This number is too small."),
    "less_than": gettext_lazy("This number is too large."),
    "less_than_equal": gettext_lazy("This number is too large."),
    "int_parsing": gettext_lazy("Enter a whole number with the digits 0 to 9."),
    "int_type": gettext_lazy("Enter a whole number with the digits 0 to 9."),
    "int_from_float": gettext_lazy("Enter a whole number with the digits 0 to 9."),
    "too_long": gettext_lazy("This list has too many items."),
    "too_short": gettext_lazy("This list has too few items."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "extra_forbidden": gettext_lazy("This field is not expected here."),
}
# Where a value came from is not part of the field's name.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _field(loc) -> str | None:
    parts = [str(part) for part in loc if str(part) not in _SOURCES]
    return ".".join(parts) or None


def _body(code: str, message, field: str | None = None) -> dict:
    return {"code": code, "message": str(message), "field": field}


def status_of(exc: DomainError) -> int:
    return getattr(exc, "status", 429 if isinstance(exc, Throttled) else 400)


def body_of(exc: DomainError) -> dict:
    return _body(exc.code, exc.message, getattr(exc, "field", None))


def install(api) -> None:
    """Sets the handlers on the NinjaAPI; an exception not listed here is a bug, and a 500."""

    def domain_error(request, exc: DomainError):
        return api.create_response(request, body_of(exc), status=status_of(exc))

    def validation_error(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        message = _INPUT_MESSAGES.get(first.get("type"), gettext_lazy("This value is not valid."))
        return api.create_response(
            request, _body("invalid_input", message, _field(first.get("loc", ()))), status=422
        )

    def authentication_error(request, exc):
        return api.create_response(
            request,
            _body("unauthenticated", _("Sign in first, or sign in again: the token is not valid.")),
            status=401,
        )

    def authorization_error(request, exc):
        return api.create_response(
            request, _body("forbidden", _("You may not do this.")), status=403
        )

    def http_error(request, exc: HttpError):
        status = exc.status_code if 400 <= exc.status_code < 500 else 400
        return api.create_response(
            request, _body("bad_request", _("The request is not valid.")), status=status
        )

    def missing(request, exc):
        return api.create_response(request, _body("not_found", _("Not found.")), status=404)

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(AuthorizationError, authorization_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, missing)
