"""Administration of the label: the secretariat edits the criteria (data: kind from the fixed
registry of evaluators, parameters, order, active); evaluations and labels are read-only here
(writes go through the services, see docs/labels.md)."""

from django.contrib import admin

from mediane.core.admin import ReadOnlyAdmin as ReadOnly
from mediane.labels.models import Label, LabelCriterion, LabelEvaluation


@admin.register(LabelCriterion)
class LabelCriterionAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "title_fr", "kind", "active")
    list_display_links = ("code", "title_fr")
    list_editable = ("order", "active")
    list_filter = ("active", "kind")
    search_fields = ("code", "title_fr", "title_en")


@admin.register(LabelEvaluation)
class LabelEvaluationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("organisation", "evaluated_at", "status", "passed_count", "criteria_count")
    list_filter = ("status",)
    raw_id_fields = ("organisation",)


@admin.register(Label)
class LabelAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("organisation", "valid_from", "valid_until", "status", "reminder_sent_at")
    list_filter = ("status",)
    raw_id_fields = ("organisation",)
