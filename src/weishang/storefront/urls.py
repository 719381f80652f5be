from django.urls import path

from . import views

app_name = "storefront"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
]
