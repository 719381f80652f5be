import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from weishang.api.main import api
from weishang.throttle import ThrottledLoginForm


class AdminLoginForm(ThrottledLoginForm, AdminAuthenticationForm):
    """The admin's sign-in, throttled like the console's."""


admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("console/", include("weishang.console.urls")),
    path("d/", include("weishang.console.distributor_urls")),
    path("payments/", include("weishang.sales.urls")),
    path("api/v1/", api.urls),
    path("", include("weishang.storefront.urls")),
]


PRIVATE_MEDIA = ("complaints/",)


def media(request, path):
    """Uploaded product images, for a single-machine deployment without a separate file server.
    Private uploads (complaint photos) live outside MEDIA_ROOT (``uploads.PrivateStorage``) and are
    only served by views that check who is asking; the path is normalised before the check, so
    ``//complaints``, ``./complaints`` or ``%2Fcomplaints`` cannot reach one left behind."""
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith(PRIVATE_MEDIA):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media)]
