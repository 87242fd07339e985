"""Admin of the questionnaire for the secretariat: a published version is frozen (read-only);
to change it, duplicate it into a new draft version with the admin action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediane.diagnostic.models import Dimension, Question, QuestionnaireVersion


def _frozen(obj: Any) -> bool:
    version = obj if isinstance(obj, QuestionnaireVersion) else getattr(obj, "version", None)
    return bool(version is not None and version.is_published)


class FrozenWhenPublished(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _frozen(obj):
            return False
        return super().has_delete_permission(request, obj)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["code", "order", "name_fr", "short_fr", "suggested_action_fr"]


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(FrozenWhenPublished):
    list_display = ["code", "title", "is_published", "is_shipped", "created_at"]
    inlines = [DimensionInline]
    actions = ["duplicate"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Publishing is the last change of a version: a published one is frozen.
        return super().has_change_permission(request, obj)

    @admin.action(description=gettext_lazy("Dupliquer en une nouvelle version non publiée"))
    def duplicate(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            copy = _duplicate(version)
            messages.success(
                request,
                _("Version %(copy)s créée à partir de %(version)s.")
                % {"copy": copy.code, "version": version.code},
            )


@transaction.atomic
def _duplicate(version: QuestionnaireVersion) -> QuestionnaireVersion:
    base = f"{version.code}-copie"
    code, n = base, 1
    while QuestionnaireVersion.objects.filter(code=code).exists():
        n += 1
        code = f"{base}{n}"
    copy = QuestionnaireVersion.objects.create(
        code=code[:20], title=version.title, notes=version.notes, is_published=False
    )
    dims = {}
    for dim in version.dimensions.all():
        old_pk = dim.pk
        dim.pk = None
        dim.version = copy
        dim.save()
        dims[old_pk] = dim
    for question in version.questions.all():
        question.pk = None
        question.version = copy
        question.dimension = dims[question.dimension_id]  # type: ignore[attr-defined]
        question.save()
    return copy


@admin.register(Dimension)
class DimensionAdmin(FrozenWhenPublished):
    list_display = ["code", "name_fr", "version"]
    list_filter = ["version"]


@admin.register(Question)
class QuestionAdmin(FrozenWhenPublished):
    list_display = ["code", "kind", "text_fr", "version"]
    list_filter = ["version", "kind", "dimension__code"]
    search_fields = ["code", "text_fr", "text_en", "source"]
