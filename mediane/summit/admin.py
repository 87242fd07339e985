"""Administration of the summit: the secretariat edits editions and their programme (rooms,
sessions with speakers, exhibitors) here. Registrations, requests, runs and meetings are read
only: their writes go through the services (permissions, notifications, audit)."""

from django.contrib import admin

from mediane.core.admin import ReadOnlyAdmin as ReadOnly
from mediane.summit.models import (
    Edition,
    Exhibitor,
    Meeting,
    MeetingRequest,
    ProgrammeSession,
    Registration,
    Room,
    ScheduleRun,
    Speaker,
)


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class ExhibitorInline(admin.TabularInline):
    model = Exhibitor
    extra = 0
    raw_id_fields = ("organisation",)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "host_city", "country", "starts_on", "status")
    list_filter = ("status", "country")
    search_fields = ("title", "host_city", "slug")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("host_territory", "organiser")
    readonly_fields = ("published_run", "schedule_published_at")
    inlines = [RoomInline, ExhibitorInline]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    raw_id_fields = ("organisation",)


@admin.register(ProgrammeSession)
class ProgrammeSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "edition", "kind", "starts_at", "room")
    list_filter = ("edition", "kind")
    search_fields = ("title",)
    inlines = [SpeakerInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "user",
        "edition",
        "participant_type",
        "organisation",
        "status",
        "checked_in_at",
    )
    list_filter = ("edition", "status", "participant_type")
    search_fields = ("user__email", "user__full_name", "organisation__name")
    exclude = ("badge_token", "feed_token")


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("sender", "recipient", "edition", "status", "expires_at")
    list_filter = ("edition", "status")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("edition", "status", "solver_status", "scheduled", "requested", "created_at")
    list_filter = ("edition", "status")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("first", "second", "priority", "slot", "table", "run")
    list_filter = ("edition", "priority")
