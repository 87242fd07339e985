"""The diagnostic's tables: the versioned questionnaire (versions, dimensions, questions with
their level anchors, indicator bands and personalisation effects), a city's diagnostic of a year,
its answers and the reviewer's decisions.

The questionnaire ships as data (`diagnostic/data/questionnaire-*.json`), synced into these
tables after every `migrate` (`services.questionnaire_sync_shipped`). A published version is
frozen: changing it means creating a new version. Writes go through `diagnostic.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel


def in_language(french: str, english: str) -> str:
    """The English text when English is active and the text exists, else the French one."""
    return english if english and (get_language() or "fr").startswith("en") else french


class QuestionnaireVersion(TimeStampedModel):
    """One version of the questionnaire; diagnostics point to the version they answer."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    notes = models.TextField(_("notes de version"), blank=True)
    is_published = models.BooleanField(
        _("publiée"),
        default=False,
        help_text=_(
            "Une version publiée est figée : pour la modifier, créez une nouvelle version."
        ),
    )
    is_shipped = models.BooleanField(_("livrée avec Médiane"), default=False, editable=False)

    class Meta:
        verbose_name = _("version du questionnaire")
        verbose_name_plural = _("versions du questionnaire")
        ordering = ["-code"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Dimension(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="dimensions",
    )
    code = models.CharField(_("code"), max_length=8)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200)
    short_fr = models.CharField(_("nom court (français)"), max_length=60)
    short_en = models.CharField(_("nom court (anglais)"), max_length=60)
    sectors = models.JSONField(
        _("secteurs liés"),
        default=list,
        blank=True,
        help_text=_("Identifiants d'URL des secteurs de l'annuaire (recommandations)."),
    )
    keywords = models.JSONField(
        _("mots-clés"),
        default=list,
        blank=True,
        help_text=_("Mots recherchés dans les fiches, offres et défis (recommandations)."),
    )
    suggested_action_fr = models.CharField(_("action suggérée (français)"), max_length=300)
    suggested_action_en = models.CharField(_("action suggérée (anglais)"), max_length=300)

    class Meta:
        verbose_name = _("dimension")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="diagnostic_dimension_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name_fr}"

    @property
    def name(self) -> str:
        return in_language(self.name_fr, self.name_en)

    @property
    def short(self) -> str:
        return in_language(self.short_fr, self.short_en)

    @property
    def suggested_action(self) -> str:
        return in_language(self.suggested_action_fr, self.suggested_action_en)


class QuestionKind(models.TextChoices):
    LEVEL = "level", _("Niveau de maturité")
    INDICATOR = "indicator", _("Niveau ou indicateur chiffré")
    PERSONALISATION = "personalisation", _("Personnalisation")


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(_("code"), max_length=8)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    kind = models.CharField(
        _("type"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.LEVEL
    )
    text_fr = models.TextField(_("question (français)"))
    text_en = models.TextField(_("question (anglais)"))
    source = models.TextField(_("référentiels sources"), blank=True)
    anchors = models.JSONField(
        _("ancres des niveaux"),
        default=list,
        blank=True,
        help_text=_('Cinq objets {"fr": …, "en": …}, du niveau 1 au niveau 5.'),
    )
    indicator_unit = models.CharField(_("unité de l'indicateur"), max_length=60, blank=True)
    indicator_label_fr = models.CharField(_("indicateur (français)"), max_length=200, blank=True)
    indicator_label_en = models.CharField(_("indicateur (anglais)"), max_length=200, blank=True)
    indicator_bands = models.JSONField(
        _("seuils de l'indicateur"),
        default=dict,
        blank=True,
        help_text=_(
            '{"higher_is_better": true, "bands": {"lt20k": [s2, s3, s4, s5], …}} : '
            "valeur minimale des niveaux 2 à 5 par tranche de population."
        ),
    )
    personalisation = models.JSONField(
        _("personnalisation"),
        default=dict,
        blank=True,
        help_text=_(
            '{"choices": [{"value": "oui", "fr": …, "en": …}, …], '
            '"not_applicable": {"non": ["2.2", "2.4"]}}'
        ),
    )

    class Meta:
        verbose_name = _("question")
        ordering = ["version", "dimension__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="diagnostic_question_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_fr[:80]}"

    @property
    def is_scored(self) -> bool:
        return self.kind != QuestionKind.PERSONALISATION

    @property
    def text(self) -> str:
        return in_language(self.text_fr, self.text_en)

    @property
    def indicator_label(self) -> str:
        return in_language(self.indicator_label_fr, self.indicator_label_en)


class DiagnosticStatus(models.TextChoices):
    DRAFT = "draft", _("En cours")
    SUBMITTED = "submitted", _("Soumis")
    VALIDATED = "validated", _("Validé")


class Diagnostic(TimeStampedModel):
    """A city's self-assessment for one year."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ville"),
        on_delete=models.CASCADE,
        related_name="diagnostics",
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("version du questionnaire"),
        on_delete=models.PROTECT,
        related_name="diagnostics",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=DiagnosticStatus.choices, default=DiagnosticStatus.DRAFT
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("Population du territoire au moment du diagnostic (tranche de comparaison)."),
    )
    share_name = models.BooleanField(
        _("montrer le nom de la ville aux autres villes"),
        default=False,
        help_text=_("Sinon, la ville n'apparaît que dans les chiffres anonymes du réseau."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("diagnostic")
        ordering = ["organisation__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="diagnostic_one_per_city_year"
            ),
            models.CheckConstraint(
                condition=Q(status="validated", validated_at__isnull=False)
                | ~Q(status="validated"),
                name="diagnostic_validated_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostic:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == DiagnosticStatus.DRAFT


class Answer(models.Model):
    """One answer; each change is saved at once (autosave) with who and when."""

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name=_("diagnostic"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    level = models.PositiveSmallIntegerField(
        _("niveau"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    value = models.DecimalField(
        _("valeur de l'indicateur"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    choice = models.CharField(_("choix"), max_length=40, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("répondu le"))

    class Meta:
        verbose_name = _("réponse")
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "question"], name="diagnostic_one_answer"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=5),
                name="diagnostic_answer_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic} {self.question.code}"


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("Soumis pour validation")
    VALIDATED = "validated", _("Validé")
    SENT_BACK = "sent_back", _("Renvoyé pour compléments")
    REOPENED = "reopened", _("Rouvert")


class ReviewEvent(models.Model):
    """The diagnostic's history: submissions, validations and send-backs with their comment."""

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name=_("diagnostic"), on_delete=models.CASCADE, related_name="events"
    )
    decision = models.CharField(_("décision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("étape de validation")
        verbose_name_plural = _("étapes de validation")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.diagnostic} {self.decision}"
