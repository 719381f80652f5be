"""Read-only admin: plan versions, commissions and ledger records are never edited by hand.

Plans change only through ``save_plan`` (the console's plan editor), which runs the compliance
check; ledger records change only through the ledger's services."""

from django.contrib import admin

from weishang.read_only_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Account, Commission, CommissionPlan, PlanRate, Transfer, Withdrawal


class PlanRateInline(ReadOnlyInline):
    model = PlanRate
    fields = ["category", "product", "rate_bp"]
    readonly_fields = fields


@admin.register(CommissionPlan)
class CommissionPlanAdmin(ReadOnlyAdmin):
    list_display = [
        "version",
        "mode",
        "default_rate_bp",
        "second_level_rate_bp",
        "risk_acknowledged_by",
        "risk_acknowledged_at",
        "created_by",
        "created_at",
    ]
    inlines = [PlanRateInline]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["order", "distributor", "level", "rate_bp", "amount_fen", "status"]
    list_filter = ["status", "level"]
    list_select_related = ["order", "distributor"]
    search_fields = ["order__number"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "distributor", "kind"]
    list_select_related = ["distributor"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "kind", "debit", "credit", "amount_fen", "created_at"]
    list_filter = ["kind"]
    search_fields = ["idempotency_key"]


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["distributor", "amount_fen", "status", "requested_at", "paid_at"]
    list_filter = ["status"]
    list_select_related = ["distributor"]
