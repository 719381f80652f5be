"""Refuses requests carrying control characters in one place, before any view or query sees them.

PostgreSQL cannot store a NUL in text and answers every query containing one with an error, and
the other C0 controls (tab, line feed and carriage return apart) have no business in a form, an
address or a search; they would also break the spreadsheets and exports built from stored text.
Paths, query strings and form fields (multipart included; Django already strips uploaded file names
and file contents may hold any byte) are checked; a tampered cookie gets the same answer and is
deleted so the next request works. Views exempt from CSRF read their own raw body (a provider's
signed notification), which parsing the form first would make unreadable, so their bodies are left
to them.
"""

import re

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

# The JSON API answers in its own error shape (weishang.api.errors).
API_PREFIX = "/api/"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control(values) -> bool:
    return any(CONTROL_CHARACTERS.search(value) for value in values)


def _fields(querydict) -> list[str]:
    return [text for key, values in querydict.lists() for text in (key, *values)]


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad_cookies = [
            name for name, value in request.COOKIES.items() if _has_control((name, value))
        ]
        if bad_cookies or _has_control((request.path, *_fields(request.GET))):
            return self._refuse(request, bad_cookies)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "csrf_exempt", False) or request.method != "POST":
            return None
        return self._refuse(request, []) if _has_control(_fields(request.POST)) else None

    @staticmethod
    def _refuse(request, bad_cookies):
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith(API_PREFIX):
                response = JsonResponse(
                    {
                        "code": "control_characters",
                        "message": _(
                            "The request contained invisible control characters, which we "
                            "cannot accept."
                        ),
                        "field": None,
                    },
                    status=400,
                )
            else:
                response = HttpResponseBadRequest(render_to_string("input_rejected.html"))
        for name in bad_cookies:
            response.delete_cookie(name)
        return response
