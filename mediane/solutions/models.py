"""Replicable solutions: what a city deployed (problem, solution, supplier, cost, results with
indicators, lessons) and where other cities replicated it.

Tables and invariants only. Every write goes through `mediane.solutions.services`, every read
of rows that are not public by nature through `mediane.solutions.selectors`; see
docs/solutions.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.cooperation.models import ProjectStatus, ProjectVisibility
from mediane.core.models import Currency, TimeStampedModel, Visibility


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")


class SolutionSheet(TimeStampedModel):
    """What one city (an organisation of kind `collectivite`) deployed, and what came of it."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ville"),
        on_delete=models.PROTECT,
        related_name="solution_sheets",
    )
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    problem = models.TextField(_("problème de départ"))
    solution = models.TextField(_("solution déployée"))
    supplier_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("fournisseur (organisation)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplied_solutions",
    )
    supplier_offer = models.ForeignKey(
        "market.Offer",
        verbose_name=_("offre du fournisseur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solution_sheets",
    )
    supplier_name = models.CharField(_("fournisseur (hors annuaire)"), max_length=200, blank=True)
    cost_amount = models.PositiveIntegerField(_("coût"), null=True, blank=True)
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    duration_months = models.PositiveSmallIntegerField(
        _("durée du déploiement (mois)"), null=True, blank=True
    )
    deployed_on = models.DateField(_("mise en service"), null=True, blank=True)
    results = models.TextField(_("résultats"), blank=True)
    lessons = models.TextField(_("enseignements"), blank=True)
    contact_role = models.CharField(
        _("contact (fonction)"),
        max_length=150,
        blank=True,
        help_text=_("Une fonction ou un service, pas le nom d'une personne."),
    )
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name=_("secteurs"), blank=True, related_name="solution_sheets"
    )
    visibility = models.CharField(
        _("visibilité"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=SolutionStatus.choices,
        default=SolutionStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("fiche solution")
        verbose_name_plural = _("fiches solutions")
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SolutionStatus.values), name="solution_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="solution_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="solution_currency_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="solution_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("solutions:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == SolutionStatus.PUBLISHED


class SolutionIndicator(models.Model):
    """One measured result of a solution: a value before and after, in a unit, at a date."""

    sheet = models.ForeignKey(SolutionSheet, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    value_before = models.DecimalField(
        _("valeur avant"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_after = models.DecimalField(
        _("valeur après"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    measured_on = models.DateField(_("mesuré le"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicateur de résultat")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="solution_indicator_named"),
            models.CheckConstraint(
                condition=Q(value_before__isnull=False) | Q(value_after__isnull=False),
                name="solution_indicator_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def change(self):  # type: ignore[no-untyped-def]
        """After minus before, when both are known."""
        if self.value_before is None or self.value_after is None:
            return None
        return self.value_after - self.value_before


class TargetKind(models.TextChoices):
    CHALLENGE = "challenge", _("Défi (brouillon)")
    PROJECT = "project", _("Projet de coopération (brouillon)")


class Replication(models.Model):
    """A city took up a solution of another city: the draft challenge or project it created
    from the sheet. Its state is the state of that target."""

    solution = models.ForeignKey(
        SolutionSheet,
        verbose_name=_("solution"),
        on_delete=models.PROTECT,
        related_name="replications",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ville qui reproduit"),
        on_delete=models.PROTECT,
        related_name="solution_replications",
    )
    kind = models.CharField(_("reproduite en"), max_length=16, choices=TargetKind.choices)
    challenge = models.ForeignKey(
        "market.Challenge",
        verbose_name=_("défi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solution_replications",
    )
    project = models.ForeignKey(
        "cooperation.Project",
        verbose_name=_("projet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solution_replications",
    )
    outcome_note = models.TextField(_("où en est la reproduction"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("reproduction")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values), name="replication_kind_valid"
            ),
            # At most one target, the one its kind names (a deleted draft leaves both empty).
            models.CheckConstraint(
                condition=Q(kind=TargetKind.CHALLENGE, project__isnull=True)
                | Q(kind=TargetKind.PROJECT, challenge__isnull=True),
                name="replication_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution} → {self.organisation}"

    @property
    def target(self):  # type: ignore[no-untyped-def]
        if self.kind == TargetKind.CHALLENGE:
            return self.challenge
        return self.project

    @property
    def status_label(self) -> str:
        """The state of the replication: the state of its challenge or project."""
        target = self.target
        if target is None:
            return str(_("Brouillon supprimé"))
        display = getattr(target, "get_status_display", None)
        return str(display()) if display else ""

    @property
    def target_is_public(self) -> bool:
        """True once anybody may read the target: a challenge in a public state, a project out
        of draft whose page is public."""
        if self.kind == TargetKind.CHALLENGE:
            return bool(self.challenge is not None and self.challenge.is_public)
        project = self.project
        return bool(
            project is not None
            and project.status != ProjectStatus.DRAFT
            and project.visibility == ProjectVisibility.PUBLIC
        )
