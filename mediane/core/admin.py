"""The audit log in the technical administration: read-only."""

from __future__ import annotations

from django.contrib import admin

from mediane.core.models import AuditEntry


class ReadOnlyAdmin:
    """Mixin for admin classes and inlines whose objects are written only by the services
    (permissions, timeline, audit, notifications, index): the admin shows, never edits."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "organisation"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__email", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor", "organisation"]
