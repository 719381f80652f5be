from django.urls import path

from . import views

app_name = "payments"  # the provider's addresses, under /payments/
urlpatterns = [
    path("notify/<slug:provider>/", views.notify, name="notify"),
    path("sandbox/<str:number>/", views.sandbox_pay, name="sandbox_pay"),
]
