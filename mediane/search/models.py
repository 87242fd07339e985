"""The search index: one row per indexed object, whatever its kind.

The table is portable; each database backend adds its own full-text index in migrations
(an FTS5 table on SQLite, a generated `tsvector` column with a GIN index on PostgreSQL).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mediane.core.models import Visibility


class SearchEntry(models.Model):
    """The searchable text of one object (`kind`, `object_id`), written by `index_document`."""

    kind = models.CharField(_("type"), max_length=32)
    object_id = models.BigIntegerField(_("identifiant de l'objet"))
    title = models.CharField(_("titre"), max_length=500)
    body = models.TextField(_("texte"), blank=True)
    keywords = models.TextField(_("mots-clés"), blank=True)
    visibility = models.CharField(
        _("visibilité"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner_id = models.BigIntegerField(_("organisation propriétaire"), null=True, blank=True)
    url = models.CharField(_("adresse"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("entrée de l'index de recherche")
        verbose_name_plural = _("index de recherche")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_entry_unique_object"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=[v.value for v in Visibility]),
                name="search_entry_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
