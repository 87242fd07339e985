"""Read-only administration of the market: writes go through the services (see docs/market.md)."""

from django.contrib import admin

from mediane.core.admin import ReadOnlyAdmin as ReadOnly
from mediane.market.models import Answer, Challenge, ChallengeEvent, ChallengeIssuer, Offer


class IssuerInline(ReadOnly, admin.TabularInline):
    model = ChallengeIssuer
    extra = 0
    raw_id_fields = ("organisation",)


class EventInline(ReadOnly, admin.TabularInline):
    model = ChallengeEvent
    extra = 0
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")
    can_delete = False


@admin.register(Challenge)
class ChallengeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "status", "opens_at", "closes_at")
    list_filter = ("status",)
    search_fields = ("title", "slug")
    readonly_fields = ("status", "submitted_at", "published_at", "jury_closed_at", "decided_at")
    inlines = [IssuerInline, EventInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("challenge", "organisation", "status", "shortlisted", "awarded")
    list_filter = ("status",)
    raw_id_fields = ("challenge", "organisation")


@admin.register(Offer)
class OfferAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "organisation", "status", "price_model")
    list_filter = ("status", "price_model")
    search_fields = ("title",)
    raw_id_fields = ("organisation",)
