"""Django admin that only shows: money, stock and the audited tables change through their
services (which take the actor and write the audit log), never by hand, even for a superuser."""

from django.contrib import admin


class _NoWrites:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False
