"""Cooperation: pooled and co-built projects between cities, and pooling of similar needs.

Tables and invariants only. Every write goes through `mediane.cooperation.services`, every read of
non-public rows through `mediane.cooperation.selectors`; see docs/cooperation.md.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediane.core.models import Currency, TimeStampedModel, url_or_empty
from mediane.market.models import private_storage


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SETUP = "setup", _("En montage")
    ACTIVE = "active", _("En cours")
    SUSPENDED = "suspended", _("Suspendu")
    COMPLETED = "completed", _("Terminé")
    ABANDONED = "abandoned", _("Abandonné")


class ProjectVisibility(models.TextChoices):
    """Who reads the public page once the project left the draft state."""

    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Membres du réseau")


class Project(TimeStampedModel):
    """A project pooled or co-built by several organisations: a lead and partners."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    goals = models.TextField(_("objectifs"), blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=ProjectStatus.choices,
        default=ProjectStatus.DRAFT,
        db_index=True,
    )
    visibility = models.CharField(
        _("visibilité de la page publique"),
        max_length=8,
        choices=ProjectVisibility.choices,
        default=ProjectVisibility.PUBLIC,
    )
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name=_("secteurs"), blank=True, related_name="projects"
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoires concernés"),
        blank=True,
        related_name="projects",
    )
    partners = models.ManyToManyField(
        "directory.Organisation",
        through="ProjectPartner",
        verbose_name=_("partenaires"),
        related_name="cooperation_projects",
    )
    currency = models.CharField(
        _("devise de référence"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    budget_total = models.DecimalField(
        _("budget total"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_demo = models.BooleanField(_("fictif (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("projet")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=ProjectVisibility.values),
                name="project_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="project_currency_valid"
            ),
            models.CheckConstraint(
                condition=Q(budget_total__isnull=True) | Q(budget_total__gte=0),
                name="project_budget_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_or_empty("cooperation:project", slug=self.slug)

    def get_workspace_url(self) -> str:
        return url_or_empty("cooperation:workspace", slug=self.slug)

    @property
    def is_draft(self) -> bool:
        return self.status == ProjectStatus.DRAFT

    @property
    def lead(self):  # type: ignore[no-untyped-def]
        link = next(
            (p for p in self.partner_links.all() if p.role == PartnerRole.LEAD),  # type: ignore[attr-defined]
            None,
        )
        return link.organisation if link is not None else None


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Chef de file")
    PARTNER = "partner", _("Partenaire")


class ProjectPartner(models.Model):
    """A partner organisation (city or other) of a project: exactly one lead."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partner_links")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="project_links"
    )
    role = models.CharField(_("rôle"), max_length=8, choices=PartnerRole.choices)
    joined_on = models.DateField(_("date d'adhésion"))

    class Meta:
        verbose_name = _("partenaire d'un projet")
        ordering = ["role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="project_partner_unique"
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="lead"), name="project_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartnerRole.values), name="project_partner_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"  # type: ignore[attr-defined]


class Phase(models.Model):
    """An ordered phase of a project, with its dates and milestones."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=models.F("ends_on")),
                name="phase_starts_before_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("intitulé"), max_length=200)
    due_on = models.DateField(_("échéance"))
    done = models.BooleanField(_("atteint"), default=False)
    done_at = models.DateTimeField(_("atteint le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jalon")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class BudgetShare(models.Model):
    """A partner's share of the budget, in its currency, with the rate to the project's currency.

    The converted amount is `amount × rate`; the services keep the sum of converted shares equal to
    the project's total when the total is set.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_shares")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="project_budget_shares"
    )
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, choices=Currency.choices)
    rate = models.DecimalField(
        _("taux vers la devise du projet"), max_digits=12, decimal_places=6, default=Decimal("1")
    )
    rate_date = models.DateField(_("date du taux"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("part du budget")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="budget_share_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_share_positive"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="budget_share_rate_positive"),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="budget_share_currency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount} {self.currency}"

    @property
    def converted(self) -> Decimal:
        return (self.amount * self.rate).quantize(Decimal("0.01"))


def document_path(instance: models.Model, filename: str) -> str:
    return f"cooperation/{uuid.uuid4().hex}/{filename}"


class ProjectDocument(models.Model):
    """A document of the workspace, checked by content like the market's attachments."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(
        _("fichier"), upload_to=document_path, storage=private_storage, max_length=300
    )
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document d'un projet")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """An entry of the decision log."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="decisions")
    decided_on = models.DateField(_("date"))
    decision = models.TextField(_("décision"))
    made_by = models.CharField(
        _("prise par"), max_length=200, help_text=_("Instance ou personnes qui ont décidé.")
    )
    context = models.TextField(_("contexte"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("décision")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.decision[:80]


class Thread(models.Model):
    """A discussion thread of the workspace."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("sujet"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("dernier message"), null=True, blank=True)

    class Meta:
        verbose_name = _("fil de discussion")
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class Task(models.Model):
    """A task of the workspace, owned by a member of a partner organisation."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("tâche"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cooperation_tasks",
    )
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    done = models.BooleanField(_("faite"), default=False)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("tâche")
        ordering = ["done", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")


class PoolingProposal(TimeStampedModel):
    """A proposal to pool a need with a similar need (challenge or project) of another city.

    `target_*` is the other city's need (exactly one of the two); `source_project` is the
    proposer's own project when there is one. Accepting makes the proposer a partner of the target
    project, or the other city a partner of the source project.
    """

    from_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="pooling_sent"
    )
    to_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="pooling_received"
    )
    target_project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pooling_proposals_received",
    )
    target_challenge = models.ForeignKey(
        "market.Challenge",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pooling_proposals",
    )
    source_project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pooling_proposals_sent",
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposition de mutualisation")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="pooling_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(target_project__isnull=False) & Q(target_challenge__isnull=True))
                | (Q(target_project__isnull=True) & Q(target_challenge__isnull=False)),
                name="pooling_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")),
                name="pooling_other_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation}"

    @property
    def target(self):  # type: ignore[no-untyped-def]
        return self.target_project or self.target_challenge
