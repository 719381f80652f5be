from django.urls import path

from . import views

app_name = "payments"  # the provider's addresses, under /payments/
urlpatterns = [
    path("notify/<slug:provider>/", views.notify, name="notify"),
    path("notify/wechatpay/refund/", views.wechatpay_refund_notify, name="wechatpay_refund"),
    path("notify/wechatpay/transfer/", views.wechatpay_transfer_notify, name="wechatpay_transfer"),
    path("sandbox/<str:number>/", views.sandbox_pay, name="sandbox_pay"),
]
