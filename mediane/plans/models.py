"""Strategic plans of cities: a tree of axes and numbered actions, with budgets, funding sources,
pilots, partners, indicators and values over time, and links to projects, challenges, datasets and
questionnaire items of the diagnostic.

Tables and invariants only. Every write goes through `mediane.plans.services`, every read of
non-public rows through `mediane.plans.selectors`; see docs/plans.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel, Visibility


def _url(name: str, **kwargs: object) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ACTIVE = "active", _("Actif")
    ARCHIVED = "archived", _("Archivé")


class ActionStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisé")
    PAUSED = "paused", _("En pause")
    ABANDONED = "abandoned", _("Abandonné")


class Priority(models.TextChoices):
    HIGH = "high", _("Prioritaire")
    NORMAL = "normal", _("Normale")
    LOW = "low", _("Basse")


class Currency(models.TextChoices):
    EUR = "EUR", _("euro (EUR)")
    CAD = "CAD", _("dollar canadien (CAD)")


class Plan(TimeStampedModel):
    """The strategic plan of a city (organisation): title, period, status and page visibility."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="strategic_plans",
        verbose_name=_("ville"),
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    start_year = models.PositiveSmallIntegerField(
        _("année de début"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("année de fin"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
        db_index=True,
    )
    visibility = models.CharField(
        _("visibilité de la page de redevabilité"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    is_demo = models.BooleanField(_("fictif (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("plan stratégique")
        verbose_name_plural = _("plans stratégiques")
        ordering = ["-start_year", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="plan_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="plan_currency_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url("plans:plan", slug=self.slug)

    def get_public_url(self) -> str:
        return _url("plans:public", slug=self.slug)


class Axis(models.Model):
    """A strategic axis of a plan, numbered from 1."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("poids"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=7,
        decimal_places=2,
    )
    is_example = models.BooleanField(_("exemple (démonstration)"), default=False)

    class Meta:
        verbose_name = _("axe")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_axis_number_unique"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0), name="plan_axis_weight_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Action(TimeStampedModel):
    """A numbered action of a plan (the number is unique within the plan), under one axis."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=12,
        choices=ActionStatus.choices,
        default=ActionStatus.UPCOMING,
        db_index=True,
    )
    priority = models.CharField(
        _("priorité"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    budget_planned = models.DecimalField(
        _("budget prévu"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=14,
        decimal_places=2,
    )
    budget_spent = models.DecimalField(
        _("budget dépensé"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=14,
        decimal_places=2,
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    weight = models.DecimalField(
        _("poids"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=7,
        decimal_places=2,
    )
    pilots = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="piloted_plan_actions",
        verbose_name=_("pilotes"),
    )
    pilot_roles = models.CharField(_("services ou fonctions pilotes"), max_length=300, blank=True)
    partners = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="plan_actions_as_partner",
        verbose_name=_("partenaires"),
    )
    projects = models.ManyToManyField(
        "cooperation.Project",
        blank=True,
        related_name="plan_actions",
        verbose_name=_("projets liés"),
    )
    challenges = models.ManyToManyField(
        "market.Challenge", blank=True, related_name="plan_actions", verbose_name=_("défis liés")
    )
    datasets = models.ManyToManyField(
        "datahub.Dataset",
        blank=True,
        related_name="plan_actions",
        verbose_name=_("jeux de données liés"),
    )
    is_example = models.BooleanField(_("exemple (démonstration)"), default=False)

    class Meta:
        verbose_name = _("action")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_action_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="plan_action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="plan_action_priority_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="plan_action_progress"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="plan_action_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget_planned__isnull=True) | Q(budget_planned__gte=0),
                name="plan_action_budget_planned_pos",
            ),
            models.CheckConstraint(
                condition=Q(budget_spent__isnull=True) | Q(budget_spent__gte=0),
                name="plan_action_budget_spent_pos",
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0),
                name="plan_action_weight_pos",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return _url("plans:action", slug=self.plan.slug, number=self.number)


class ActionQuestion(models.Model):
    """A questionnaire item of the diagnostic (code such as "3.2") that an action answers.

    Stored as a text code so plans do not depend on the diagnostic app's models.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code de la question"), max_length=16)

    class Meta:
        verbose_name = _("question du diagnostic liée")
        ordering = ["action_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["action", "code"], name="plan_action_question_unique")
        ]

    def __str__(self) -> str:
        return self.code


class FundingSource(models.Model):
    """Who funds an action, and how much."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(_("financeur"), max_length=200)
    amount = models.DecimalField(
        _("montant"), validators=[MinValueValidator(Decimal("0"))], max_digits=14, decimal_places=2
    )
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )

    class Meta:
        verbose_name = _("source de financement")
        ordering = ["action_id", "-amount", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_funding_amount_pos"),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="plan_funding_currency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} ({self.amount} {self.currency})"


class ActionIndicator(models.Model):
    """An indicator followed by an action: name, unit, target, and values over time."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("nom"), max_length=200)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    target = models.DecimalField(_("cible"), max_digits=16, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("indicateur")
        ordering = ["action_id", "id"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """One measure of an indicator at a date (one per date)."""

    indicator = models.ForeignKey(ActionIndicator, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("valeur d'indicateur")
        ordering = ["indicator_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "date"], name="plan_indicator_value_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"
