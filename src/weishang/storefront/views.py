from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from weishang.catalog.selectors import published_products
from weishang.orders.models import Order


def product_list(request):
    return render(request, "storefront/product_list.html", {"products": published_products()})


@login_required
def order_detail(request, number):
    order = get_object_or_404(Order, number=number, customer__user=request.user)
    return render(request, "storefront/order_detail.html", {"order": order})
