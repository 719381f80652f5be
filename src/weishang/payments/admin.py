"""Read-only admin: payments and refunds change only through the payment services and the
provider's notifications."""

from django.contrib import admin

from weishang.read_only_admin import ReadOnlyAdmin

from .models import Payment, Refund


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
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
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["number", "payment", "amount_fen", "return_number", "created_at"]
