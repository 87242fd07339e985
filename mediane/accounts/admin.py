"""Technical administration of people, memberships, invitations and API tokens.

Day-to-day management goes through the site's pages (and their services); the admin is for
the technical team. API token digests and invitation tokens are never editable here; TOTP secrets
are never shown (a device is only deleted, for a person who lost both phone and recovery codes).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from mediane.accounts.models import ApiToken, Invitation, Membership, TOTPDevice, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organisation"]


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_secretariat",
        "email_verified",
        "is_active",
        "date_joined",
    ]
    list_filter = [
        "is_secretariat",
        "email_verified",
        "is_active",
        "is_staff",
        "preferred_language",
    ]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profil"),
            {"fields": ("full_name", "preferred_language", "time_zone", "email_verified")},
        ),
        (
            _("Rôles"),
            {"fields": ("is_active", "is_secretariat", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ["groups"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["token", "invited_by", "accepted_at", "accepted_by", "created_at"]
    raw_id_fields = ["organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False  # tokens are created from the profile page, which shows the raw value once


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Read-only; deleting a device removes the person's two-factor authentication."""

    list_display = ["user", "confirmed", "confirmed_at", "last_used_at", "locked_until"]
    list_filter = ["confirmed"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = (
        "user",
        "confirmed",
        "confirmed_at",
        "last_used_at",
        "failed_attempts",
        "locked_until",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def, override]
        return False
