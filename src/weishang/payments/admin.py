from django.contrib import admin

from .models import Payment, Refund


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "order",
        "provider",
        "amount_fen",
        "status",
        "provider_txn_id",
        "paid_at",
    ]
    search_fields = ["number", "provider_txn_id", "order__number"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["number", "payment", "amount_fen", "return_number", "created_at"]
