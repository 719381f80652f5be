from django.contrib import admin

from .models import Address, Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["mobile", "nickname", "created_at"]
    search_fields = ["mobile"]


admin.site.register(Address)
