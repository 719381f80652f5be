"""Django admin: a read-only look at distributors, applications, bindings and the programme
settings for superusers. Every change goes through the services (the brand console is the place
to review and approve)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from weishang.core_errors import DomainError
from weishang.read_only_admin import ReadOnlyAdmin

from . import services
from .models import Application, Binding, BindingEvent, Distributor, ProgrammeSettings


@admin.register(Distributor)
class DistributorAdmin(ReadOnlyAdmin):
    list_display = ["store_name", "slug", "status", "id_number_masked", "invited_by", "approved_at"]
    list_filter = ["status", "business_kind"]
    search_fields = ["store_name", "slug", "customer__mobile"]
    exclude = ["real_name", "id_number"]  # encrypted; shown masked only


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["store_name", "customer", "status", "id_number_masked", "submitted_at"]
    list_filter = ["status"]
    exclude = ["real_name", "id_number"]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected applications"))
    def approve(self, request, queryset):
        for application in queryset.order_by("pk"):
            try:
                services.approve_application(application=application, reviewer=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    def has_change_permission(self, request, obj=None):
        # needed for the approve action; the form itself has no editable fields
        return request.user.is_superuser and obj is None


@admin.register(Binding)
class BindingAdmin(ReadOnlyAdmin):
    list_display = ["customer", "distributor", "source", "bound_at", "expires_at"]


@admin.register(BindingEvent)
class BindingEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "distributor", "previous_distributor", "source"]


admin.site.register(ProgrammeSettings, ReadOnlyAdmin)
