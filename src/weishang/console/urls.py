from django.urls import path

from . import (
    audit_views,
    complaints,
    compliance_export,
    distribution_views,
    licences,
    plans,
    staff_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/ship/", views.order_ship, name="order_ship"),
    path("orders/<str:number>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
    path("returns/", views.return_list, name="return_list"),
    path(
        "returns/<str:number>/approve/",
        views.return_action,
        {"action": "approve"},
        name="return_approve",
    ),
    path(
        "returns/<str:number>/reject/",
        views.return_action,
        {"action": "reject"},
        name="return_reject",
    ),
    path(
        "returns/<str:number>/receive/",
        views.return_action,
        {"action": "receive"},
        name="return_receive",
    ),
    path(
        "returns/<str:number>/refund/",
        views.return_action,
        {"action": "refund"},
        name="return_refund",
    ),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/skus/", views.sku_add, name="sku_add"),
    path("products/<int:product_id>/images/", views.image_add, name="image_add"),
    path(
        "products/<int:product_id>/images/<int:image_id>/remove/",
        views.image_remove,
        name="image_remove",
    ),
    path("categories/", views.category_add, name="category_add"),
    path("products/<int:product_id>/publish/", views.product_publish, name="product_publish"),
    path("products/<int:product_id>/unpublish/", views.product_unpublish, name="product_unpublish"),
    path("products/<int:product_id>/prices/", views.price_periods, name="price_periods"),
    path(
        "products/<int:product_id>/prices/<int:period_id>/delete/",
        views.price_period_delete,
        name="price_period_delete",
    ),
    path("skus/<int:sku_id>/stock/", views.stock_set, name="stock_set"),
    path("skus/<int:sku_id>/edit/", views.sku_edit, name="sku_edit"),
    path("skus/<int:sku_id>/cost/", views.sku_cost, name="sku_cost"),
    path(
        "skus/<int:sku_id>/activate/", views.sku_set_active, {"active": True}, name="sku_activate"
    ),
    path(
        "skus/<int:sku_id>/deactivate/",
        views.sku_set_active,
        {"active": False},
        name="sku_deactivate",
    ),
    # Complaints and the customer blacklist
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/<str:number>/", complaints.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<str:number>/photos/<int:photo_id>/",
        complaints.complaint_photo,
        name="complaint_photo",
    ),
    path(
        "complaints/<str:number>/answer/",
        complaints.complaint_act,
        {"action": "answer"},
        name="complaint_answer",
    ),
    path(
        "complaints/<str:number>/resolve/",
        complaints.complaint_act,
        {"action": "resolve"},
        name="complaint_resolve",
    ),
    path(
        "complaints/<str:number>/reject/",
        complaints.complaint_act,
        {"action": "reject"},
        name="complaint_reject",
    ),
    path("blacklist/", complaints.blacklist, name="blacklist"),
    path("blacklist/add/", complaints.blacklist_add, name="blacklist_add"),
    path("blacklist/lift/", complaints.blacklist_lift, name="blacklist_lift"),
    # Commission plan: the plan in force, its history and the editor with the compliance verdict
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    # Compliance: licences and the regulator export
    path("licences/", licences.licence_list, name="licence_list"),
    path("licences/<int:licence_id>/", licences.licence_edit, name="licence_edit"),
    path("licences/<int:licence_id>/retire/", licences.licence_retire, name="licence_retire"),
    path("export/", compliance_export.export_page, name="export"),
    path("export/download/", compliance_export.export_download, name="export_download"),
    # Distribution: distributors and their KPIs, the review queues, the programme settings
    path("distributors/", distribution_views.distributor_list, name="distributor_list"),
    path(
        "distributors/<int:distributor_id>/",
        distribution_views.distributor_detail,
        name="distributor_detail",
    ),
    path(
        "distributors/<int:distributor_id>/reassign-customer/",
        distribution_views.customer_reassign,
        name="customer_reassign",
    ),
    path(
        "distributors/<int:distributor_id>/<str:action>/",
        distribution_views.distributor_status,
        name="distributor_status",
    ),
    path("applications/", distribution_views.application_list, name="application_list"),
    path(
        "applications/<int:application_id>/<str:action>/",
        distribution_views.application_act,
        name="application_act",
    ),
    path("withdrawals/", distribution_views.withdrawal_list, name="withdrawal_list"),
    path(
        "withdrawals/<int:withdrawal_id>/payee/",
        distribution_views.withdrawal_payee,
        name="withdrawal_payee",
    ),
    path("withholding/", distribution_views.withholding_rule, name="withholding_rule"),
    path(
        "withdrawals/<int:withdrawal_id>/<str:action>/",
        distribution_views.withdrawal_act,
        name="withdrawal_act",
    ),
    path("commissions/held/", distribution_views.held_commission_list, name="held_commission_list"),
    path(
        "commissions/held/<int:commission_id>/<str:action>/",
        distribution_views.held_commission_act,
        name="held_commission_act",
    ),
    path("programme/", distribution_views.programme, name="programme"),
    # Compliance centre: the audit log (every role reads it) and staff roles (the owner only)
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/<int:user_id>/role/", staff_views.staff_role, name="staff_role"),
    path("staff/<int:user_id>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
]
