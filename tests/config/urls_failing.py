"""A URLconf whose only view fails, as a bug in production would."""

from django.urls import path


def failing_view(request):
    raise RuntimeError("the stock ledger is inconsistent")


urlpatterns = [path("fail/", failing_view)]
