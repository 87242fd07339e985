"""Shared base models and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def url_or_empty(name: str, **kwargs: object) -> str:
    """The URL of page `name` when the pages exist (they are written on top of the models),
    else ""."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class Currency(models.TextChoices):
    """Budgets and amounts are in euros (France) or Canadian dollars (Québec)."""

    EUR = "EUR", _("euro (EUR)")
    CAD = "CAD", _("dollar canadien (CAD)")


class Visibility(models.TextChoices):
    """Who may read an object: everyone, members of the network, or its own organisation."""

    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Membres du réseau")
    PRIVATE = "private", _("Privé (membres de l'organisation)")


class AuditEntry(models.Model):
    """Who changed what and when; written by services, shown to administrators."""

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=64)
    object_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    changes = models.JSONField(_("modifications"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


_CHOICE_LABELS: dict[tuple[type, str], dict[str, str]] = {}


def choice_label(choices: type[models.Choices], value: str) -> str:
    """The translated label of `value` among `choices` (the value itself when unknown).

    Same result as `get_FOO_display()`, which hashes every lazy label of the field's choices
    on each call (a translation lookup per choice): this builds the map once per language.
    """
    from django.utils.translation import get_language

    key = (choices, get_language() or "")
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = {str(v): str(label) for v, label in choices.choices}
        _CHOICE_LABELS[key] = labels
    return labels.get(value, value)


class PeriodicRun(models.Model):
    """When a periodic job (see core/periodic.py) may next be enqueued. Workers claim a due job
    with one conditional UPDATE, so several workers never enqueue the same run twice."""

    name = models.CharField(_("tâche"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("prochaine exécution"))
    last_run_at = models.DateTimeField(_("dernière exécution"), null=True, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """The last sign of life of each running `mediane worker` (one row per process), written
    every HEARTBEAT_SECONDS by its heartbeat thread; `/readyz` reads the most recent one."""

    worker_id = models.CharField(_("worker"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("démarré le"))
    last_seen_at = models.DateTimeField(_("dernier signe de vie"), db_index=True)

    class Meta:
        verbose_name = _("signe de vie d'un worker")
        verbose_name_plural = _("signes de vie des workers")

    def __str__(self) -> str:
        return self.worker_id
