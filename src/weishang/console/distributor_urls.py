"""The distributor console, mounted at /d/. No route names a distributor: each page shows the
signed-in distributor's own rows only."""

from django.urls import path

from . import (
    content_library,
    distributor_care,
    distributor_planner,
    distributor_reseller,
    distributor_team,
)
from . import distributor_courses as training
from . import distributor_posts as posts
from . import distributor_views as views

app_name = "distributor"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.orders, name="orders"),
    path("customers/", views.customers, name="customers"),
    path("earnings/", views.earnings, name="earnings"),
    path("analytics/", views.analytics, name="analytics"),
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
    # The material library and his personal posts
    path("library/", posts.library, name="library"),
    path("library/<int:theme_id>/use/", posts.use_theme, name="use_theme"),
    path("posts/", posts.post_list, name="posts"),
    path("posts/<str:key>/", posts.post_detail, name="post"),
    path("posts/<str:key>/delete/", posts.delete_post, name="delete_post"),
    path("posts/<str:key>/images/<int:number>.png", posts.post_picture, name="post_picture"),
    path("posts/<str:key>/images.zip", posts.post_pictures_zip, name="post_pictures_zip"),
    path(
        "library/media/<int:media_id>/",
        content_library.distributor_theme_media,
        name="theme_media",
    ),
    path("courses/", training.course_list, name="courses"),
    path("courses/<int:course_id>/", training.course_detail, name="course"),
    path("courses/<int:course_id>/lessons/<int:lesson_id>/", training.lesson_detail, name="lesson"),
    path("planner/", distributor_planner.planner_page, name="planner"),
    path("care/", distributor_care.care_list, name="care"),
    path("care/<int:task_id>/done/", distributor_care.care_done, name="care_done"),
    path("reseller/", distributor_reseller.reseller_page, name="reseller"),
    path("team/", distributor_team.team, name="team"),
]
