"""Read-only admin: stock changes only through the inventory services, which lock, re-check and
record each movement (and audit a count)."""

from django.contrib import admin

from weishang.read_only_admin import ReadOnlyAdmin

from .models import Stock, StockMovement


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ["sku", "on_hand", "reserved"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["sku", "kind", "quantity", "reference", "created_at"]
