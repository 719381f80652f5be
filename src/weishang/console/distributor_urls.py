"""The distributor console, mounted at /d/. No route names a distributor: each page shows the
signed-in distributor's own rows only."""

from django.urls import path

from . import distributor_care, distributor_planner
from . import distributor_views as views

app_name = "distributor"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.orders, name="orders"),
    path("customers/", views.customers, name="customers"),
    path("earnings/", views.earnings, name="earnings"),
    path("withdrawals/", views.withdrawals, name="withdrawals"),
    path("payout-accounts/", views.payout_account_list, name="payout_accounts"),
    path("statements/", views.statement_list, name="statements"),
    path(
        "statements/<int:year>-<int:month>.<str:extension>",
        views.statement_file,
        name="statement_file",
    ),
    path("share/", views.share, name="share"),
    path("share/p/<str:product_slug>/qr.svg", views.product_qr_svg, name="product_qr_svg"),
    path("store/", views.store, name="store"),
    path("planner/", distributor_planner.planner_page, name="planner"),
    path("care/", distributor_care.care_list, name="care"),
    path("care/<int:task_id>/done/", distributor_care.care_done, name="care_done"),
]
