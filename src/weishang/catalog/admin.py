from django.contrib import admin

from .models import Brand, Category, PricePeriod, Product, ProductImage, Sku


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "status", "return_class", "is_food"]
    list_filter = ["status", "category", "return_class"]
    inlines = [SkuInline, ImageInline]


admin.site.register([Brand, Category, PricePeriod])
