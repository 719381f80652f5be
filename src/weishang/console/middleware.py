"""Staff roles enforced in one place for the whole brand console (see ``roles``): the views need
not check roles themselves, and a route nobody mapped is shut."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from . import roles


class ConsoleRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespaces[:1] != ["console"]:
            return None
        user = request.user
        request.perms_area, request.perms_read = roles.area_flags(user)
        if match.url_name in roles.OPEN_ROUTES:
            return None
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if roles.user_can(user, match.url_name, request.method):
            return None
        return forbidden(request, match.url_name)


def forbidden(request, url_name: str):
    area = roles.area_of(url_name)
    return render(
        request,
        "console/staff/forbidden.html",
        {
            "area": area,
            "needed": roles.role_labels(roles.allowed_roles(url_name, request.method)),
            "yours": roles.role_labels(roles.roles_of(request.user)),
            "reading": request.method in roles.SAFE_METHODS,
        },
        status=403,
    )
