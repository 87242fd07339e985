"""Incubator twinning and soft landing: tables and invariants only.

Every write goes through `mediane.incubation.services`, every permission-aware read through
`mediane.incubation.selectors`; see docs/incubation.md.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel
from mediane.directory.models import OrganisationKind

#: Kinds of organisation that may sign a twinning agreement and host start-ups.
INCUBATOR_KINDS = frozenset(
    {OrganisationKind.INCUBATOR, OrganisationKind.ACCELERATOR, OrganisationKind.TIERS_LIEU}
)
#: Kinds of organisation that may ask for a soft landing.
STARTUP_KINDS = frozenset({OrganisationKind.STARTUP, OrganisationKind.PME})


def _url(name: str, **kwargs: object) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    SIGNED = "signed", _("Signé")
    ENDED = "ended", _("Terminé")


class TwinningAgreement(TimeStampedModel):
    """A twinning agreement between two incubators, accelerators or tiers-lieux.

    `first` is the side that proposed it; it is signed when an admin of `second` accepts.
    """

    first = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation qui propose"),
        on_delete=models.PROTECT,
        related_name="twinning_agreements_as_first",
    )
    second = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation partenaire"),
        on_delete=models.PROTECT,
        related_name="twinning_agreements_as_second",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"), null=True, blank=True, help_text=_("Vide : sans terme."))
    scope = models.TextField(_("périmètre"), blank=True)
    programme = models.TextField(_("programme d'échanges"), blank=True)
    first_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact de l'organisation qui propose"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    second_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact de l'organisation partenaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signé le"), null=True, blank=True)
    ended_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    end_note = models.TextField(_("motif de la fin"), blank=True)

    class Meta:
        verbose_name = _("accord de jumelage")
        verbose_name_plural = _("accords de jumelage")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first=F("second")), name="twinning_agreement_two_sides"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="twinning_agreement_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values),
                name="twinning_agreement_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "start", "end"], name="twinning_agr_in_force")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url("incubation:agreement", pk=self.pk)

    def side_ids(self) -> tuple[int, int]:
        return (self.first_id, self.second_id)  # type: ignore[attr-defined]

    def other_side(self, organisation_id: int):  # type: ignore[no-untyped-def]
        return self.second if organisation_id == self.first_id else self.first  # type: ignore[attr-defined]

    def in_force_on(self, day: date) -> bool:
        return (
            self.status == AgreementStatus.SIGNED
            and self.start <= day
            and (self.end is None or day <= self.end)
        )


class HostCapacity(TimeStampedModel):
    """How many start-ups a host incubator can receive at the same time during a period."""

    host = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("structure d'accueil"),
        on_delete=models.CASCADE,
        related_name="soft_landing_capacities",
    )
    start = models.DateField(_("début de la période"))
    end = models.DateField(_("fin de la période"))
    places = models.PositiveSmallIntegerField(_("places simultanées"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("capacité d'accueil")
        verbose_name_plural = _("capacités d'accueil")
        ordering = ["host", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="host_capacity_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} : {self.places} ({self.start} – {self.end})"


class Need(models.TextChoices):
    DESK = "desk", _("Poste de travail")
    MENTORING = "mentoring", _("Mentorat")
    INTRODUCTIONS = "introductions", _("Mises en relation")
    MARKET = "market", _("Informations sur le marché")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandé")
    DATES_PROPOSED = "dates_proposed", _("Autres dates proposées")
    ACCEPTED = "accepted", _("Accepté")
    DECLINED = "declined", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminé")


#: Statuses that hold a place of the host's capacity.
HOLDING_STATUSES = frozenset({RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS})
#: Statuses waiting for a decision of the host or an answer of the start-up.
OPEN_STATUSES = frozenset({RequestStatus.REQUESTED, RequestStatus.DATES_PROPOSED})


class SoftLandingRequest(TimeStampedModel):
    """A start-up asks a twinned incubator of the other side to host it; then the stay."""

    startup = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("start-up"),
        on_delete=models.PROTECT,
        related_name="soft_landing_requests",
    )
    agreement = models.ForeignKey(
        TwinningAgreement,
        verbose_name=_("accord de jumelage"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    home = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("incubateur d'origine"),
        on_delete=models.PROTECT,
        related_name="soft_landing_sent",
    )
    host = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("incubateur d'accueil"),
        on_delete=models.PROTECT,
        related_name="soft_landing_received",
    )
    start = models.DateField(_("arrivée"))
    end = models.DateField(_("départ"))
    requested_start = models.DateField(_("arrivée demandée"))
    requested_end = models.DateField(_("départ demandé"))
    proposed_start = models.DateField(_("arrivée proposée"), null=True, blank=True)
    proposed_end = models.DateField(_("départ proposé"), null=True, blank=True)
    needs = models.JSONField(_("besoins"), default=list, blank=True)
    needs_other = models.TextField(_("autres besoins"), blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.REQUESTED,
        db_index=True,
    )
    decision_note = models.TextField(_("motif ou message de l'accueil"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    started_at = models.DateTimeField(_("séjour commencé le"), null=True, blank=True)
    completed_at = models.DateTimeField(_("séjour terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'atterrissage en douceur")
        verbose_name_plural = _("demandes d'atterrissage en douceur")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="soft_landing_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(proposed_start__isnull=True)
                | Q(proposed_end__isnull=True)
                | Q(proposed_end__gte=F("proposed_start")),
                name="soft_landing_proposed_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(home=F("host")), name="soft_landing_home_is_not_host"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="soft_landing_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["host", "status", "start", "end"], name="soft_landing_host_days")
        ]

    def __str__(self) -> str:
        return f"{self.startup} → {self.host} ({self.start} – {self.end})"

    def get_absolute_url(self) -> str:
        return _url("incubation:request", pk=self.pk)

    @property
    def needs_labels(self) -> list[str]:
        return [str(Need(code).label) for code in self.needs if code in Need.values]

    @property
    def nights(self) -> int:
        return (self.end - self.start).days + 1


class StayNote(models.Model):
    """A journal entry on a stay, written by the home or the host incubator."""

    request = models.ForeignKey(
        SoftLandingRequest, on_delete=models.CASCADE, related_name="journal"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("date"), db_index=True)
    body = models.TextField(_("note"))

    class Meta:
        verbose_name = _("note de suivi")
        verbose_name_plural = _("notes de suivi")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} @ {self.at:%Y-%m-%d}"  # type: ignore[attr-defined]


class StayOutcome(TimeStampedModel):
    """The results of a stay as recorded by one of the two incubators (one row per side)."""

    request = models.ForeignKey(
        SoftLandingRequest, on_delete=models.CASCADE, related_name="outcomes"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("incubateur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts_made = models.PositiveIntegerField(_("contacts établis"), default=0)
    contracts_signed = models.PositiveIntegerField(_("contrats signés"), default=0)
    contracts_amount = models.DecimalField(
        _("montant des contrats"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("devise"),
        max_length=3,
        choices=[("EUR", _("euro (EUR)")), ("CAD", _("dollar canadien (CAD)"))],
        default="EUR",
    )
    jobs_created = models.PositiveIntegerField(_("emplois créés"), default=0)
    notes = models.TextField(_("commentaires"), blank=True)

    class Meta:
        verbose_name = _("résultats d'un séjour")
        verbose_name_plural = _("résultats de séjours")
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="stay_outcome_one_per_side"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=["EUR", "CAD"]), name="stay_outcome_currency_valid"
            ),
            models.CheckConstraint(
                condition=Q(contracts_amount__isnull=True) | Q(contracts_amount__gte=0),
                name="stay_outcome_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} / {self.organisation_id}"  # type: ignore[attr-defined]
