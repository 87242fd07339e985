"""Label « ville numérique engagée »: criteria (data), evaluations (snapshots) and labels."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.labels.evaluation import KIND_LABELS, check_parameters

KIND_CHOICES = [(kind, label) for kind, label in KIND_LABELS.items()]


class LabelCriterion(models.Model):
    """One criterion of the label, edited by the secretariat in the admin: which evaluator of
    `evaluation.EVALUATORS` runs it, with which parameters."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title_fr = models.CharField(_("intitulé (français)"), max_length=200)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type d'évaluation"), max_length=40, choices=KIND_CHOICES)
    parameters = models.JSONField(_("paramètres"), default=dict, blank=True)
    active = models.BooleanField(_("actif"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("critère du label")
        verbose_name_plural = _("critères du label")

    def __str__(self) -> str:
        return self.title_fr

    def clean(self) -> None:
        try:
            check_parameters(self.kind, self.parameters)
        except ValueError as error:
            raise ValidationError({"parameters": str(error)}) from error

    def title_for(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_fr


class EvaluationStatus(models.TextChoices):
    PENDING = "pending", _("À confirmer par le secrétariat")
    CONFIRMED = "confirmed", _("Label attribué")
    REFUSED = "refused", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")


class LabelEvaluation(models.Model):
    """A city's request for the label, with the automatic evaluation stored as a snapshot: the
    results and evidence of every active criterion at that moment (`results`)."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ville"),
        on_delete=models.CASCADE,
        related_name="label_evaluations",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=EvaluationStatus.choices, default=EvaluationStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("évaluée le"))
    results = models.JSONField(_("résultats et preuves"), default=list)
    passed_count = models.PositiveSmallIntegerField(_("critères remplis"), default=0)
    criteria_count = models.PositiveSmallIntegerField(_("critères"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        verbose_name = _("évaluation pour le label")
        verbose_name_plural = _("évaluations pour le label")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="pending"),
                name="labels_one_pending_evaluation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EvaluationStatus]),
                name="labels_evaluation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(passed_count__lte=models.F("criteria_count")),
                name="labels_evaluation_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.evaluated_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("labels:evaluation", args=[self.pk])

    @property
    def all_passed(self) -> bool:
        return self.criteria_count > 0 and self.passed_count == self.criteria_count


class LabelStatus(models.TextChoices):
    ACTIVE = "active", _("Valide")
    EXPIRED = "expired", _("Expiré")
    SUPERSEDED = "superseded", _("Renouvelé")


class Label(models.Model):
    """The label awarded to a city for one year, from a confirmed evaluation."""

    reference = models.UUIDField(_("référence"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ville"),
        on_delete=models.CASCADE,
        related_name="labels",
    )
    evaluation = models.OneToOneField(
        LabelEvaluation,
        verbose_name=_("évaluation"),
        on_delete=models.PROTECT,
        related_name="label",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=LabelStatus.choices, default=LabelStatus.ACTIVE
    )
    valid_from = models.DateField(_("valide du"))
    valid_until = models.DateField(_("valide jusqu'au"))
    awarded_at = models.DateTimeField(_("attribué le"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attribué par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(_("rappel d'échéance envoyé le"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expiré le"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="active"),
                name="labels_one_active_label",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_until")),
                name="labels_label_dates_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in LabelStatus]),
                name="labels_label_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.valid_from:%Y})"

    def get_absolute_url(self) -> str:
        return reverse("labels:verify", args=[self.reference])
