"""Read-only admin for the catalogue: products, SKUs, prices, images and categories change in the
brand console, whose services write the audit log. The brand's own details stay editable here."""

from django.contrib import admin

from weishang.read_only_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Brand, Category, PricePeriod, Product, ProductImage, Sku


class SkuInline(ReadOnlyInline):
    model = Sku


class ImageInline(ReadOnlyInline):
    model = ProductImage


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "category", "status", "return_class", "is_food"]
    list_filter = ["status", "category", "return_class"]
    inlines = [SkuInline, ImageInline]


admin.site.register([Category, PricePeriod], ReadOnlyAdmin)
admin.site.register(Brand)
