"""The yearly summit: editions, programme, registration, meeting wishes and requests, the
scheduler's runs and the meetings they place, and what came of each meeting.

Meetings are rebuilt by each scheduler run from the accepted requests (required) and the wishes
(optional, "must meet" before "would like to meet"); the edition points to the run whose schedule
is published, and everyone's agenda is read from it. Writes go through `summit.services`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel
from mediane.territories.models import Country


def new_badge_token() -> str:
    return secrets.token_urlsafe(18)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")


class Edition(TimeStampedModel):
    """One yearly summit, past (figures only) or to come (programme, registration, meetings)."""

    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    year = models.PositiveSmallIntegerField(_("année"))
    title = models.CharField(_("titre"), max_length=200)
    host_city = models.CharField(_("ville hôte"), max_length=120)
    host_territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire hôte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="summit_editions",
    )
    country = models.CharField(_("pays"), max_length=2, choices=Country.choices)
    organiser = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation hôte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="summit_editions",
        help_text=_("Ses éditeurs et administrateurs organisent l'édition avec le secrétariat."),
    )
    starts_on = models.DateField(_("premier jour"))
    ends_on = models.DateField(_("dernier jour"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=40, default="Europe/Paris")
    venue_name = models.CharField(_("lieu"), max_length=200, blank=True)
    venue_address = models.CharField(_("adresse du lieu"), max_length=300, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    # Figures of a past edition (the demo's 2024 and 2025 editions have only these).
    participants_count = models.PositiveIntegerField(
        _("participants (chiffre publié)"), null=True, blank=True
    )
    figures = models.TextField(_("chiffres clés"), blank=True)
    # Registration and meetings of an edition to come.
    registration_open = models.BooleanField(_("inscriptions ouvertes"), default=False)
    approval_required = models.BooleanField(
        _("inscriptions validées par les organisateurs"), default=True
    )
    meetings_open = models.BooleanField(_("rendez-vous d'affaires ouverts"), default=False)
    request_days = models.PositiveSmallIntegerField(
        _("délai de réponse aux demandes (jours)"), default=7
    )
    fairness = models.PositiveSmallIntegerField(
        _("écart maximal de pauses entre participants"), default=2
    )
    published_run = models.ForeignKey(
        "ScheduleRun",
        verbose_name=_("planning publié"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    schedule_published_at = models.DateTimeField(_("planning publié le"), null=True, blank=True)
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("édition du sommet")
        verbose_name_plural = _("éditions du sommet")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="summit_edition_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("summit:edition", args=[self.slug])


class Room(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("salle"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacité"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="summit_room_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MeetingTable(models.Model):
    """A table where business meetings take place; at most one meeting per table and slot."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField(_("numéro"))
    room = models.ForeignKey(
        Room, verbose_name=_("salle"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("table de rendez-vous")
        verbose_name_plural = _("tables de rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="summit_table_unique")
        ]

    def __str__(self) -> str:
        return str(_("Table %(number)s") % {"number": self.number})


class HalfDay(models.TextChoices):
    MORNING = "am", _("Matin")
    AFTERNOON = "pm", _("Après-midi")


class MeetingSlot(models.Model):
    """A time slot for business meetings, numbered from 1 in time order."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("numéro"))
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    half_day = models.CharField(_("demi-journée"), max_length=2, choices=HalfDay.choices)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("créneau de rendez-vous")
        verbose_name_plural = _("créneaux de rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="summit_slot_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="summit_slot_times"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.starts_at:%Y-%m-%d %H:%M}"


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plénière")
    PANEL = "panel", _("Table ronde")
    DUO = "duo", _("Duo collectivité + entreprise")
    DEMO = "demo", _("Démonstration")
    WORKSHOP = "workshop", _("Atelier")
    VISIT = "visit", _("Visite")
    SOCIAL = "social", _("Moment convivial")


class ProgrammeSession(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("format"), max_length=10, choices=SessionKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    room = models.ForeignKey(
        Room, verbose_name=_("salle"), null=True, blank=True, on_delete=models.SET_NULL
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["starts_at", "title"]
        verbose_name = _("session du programme")
        verbose_name_plural = _("sessions du programme")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="summit_session_times"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("intervenant")
        verbose_name_plural = _("intervenants")

    def __str__(self) -> str:
        return self.name


class Exhibitor(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="exhibitors")
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    stand = models.CharField(_("stand"), max_length=40, blank=True)
    description = models.CharField(_("ce qui est présenté"), max_length=300, blank=True)

    class Meta:
        ordering = ["stand", "organisation__name"]
        verbose_name = _("exposant")
        verbose_name_plural = _("exposants")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "organisation"], name="summit_exhibitor_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ParticipantType(models.TextChoices):
    CITY = "city", _("Délégation d'une ville")
    COMPANY = "company", _("Entreprise")
    INCUBATOR = "incubator", _("Incubateur ou tiers-lieu")
    EXPERT = "expert", _("Expert")
    PRESS = "press", _("Presse")
    ORGANISER = "organiser", _("Organisateur")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    APPROVED = "approved", _("Validée")
    DECLINED = "declined", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")


class HalfDayPreference(models.TextChoices):
    ANY = "", _("Matin ou après-midi")
    MORNING = "am", _("Le matin seulement")
    AFTERNOON = "pm", _("L'après-midi seulement")


class Registration(TimeStampedModel):
    """A person registered to an edition, for an organisation, with their meeting availability."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="summit_registrations",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation représentée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="summit_registrations",
    )
    participant_type = models.CharField(
        _("type de participant"), max_length=10, choices=ParticipantType.choices
    )
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.CharField(_("motif"), max_length=300, blank=True)
    # Business meetings.
    wants_meetings = models.BooleanField(_("participe aux rendez-vous d'affaires"), default=True)
    offers = models.TextField(_("ce que j'apporte"), blank=True)
    seeks = models.TextField(_("ce que je cherche"), blank=True)
    arrives_at = models.DateTimeField(_("arrivée"), null=True, blank=True)
    departs_at = models.DateTimeField(_("départ"), null=True, blank=True)
    half_day = models.CharField(
        _("rendez-vous"),
        max_length=2,
        choices=HalfDayPreference.choices,
        default=HalfDayPreference.ANY,
        blank=True,
    )
    unavailable_slots = models.ManyToManyField(
        MeetingSlot, verbose_name=_("créneaux indisponibles"), blank=True, related_name="+"
    )
    attended_sessions = models.ManyToManyField(
        ProgrammeSession, verbose_name=_("sessions suivies"), blank=True, related_name="attendees"
    )
    # Badge and check-in.
    badge_token = models.CharField(max_length=40, unique=True, default=new_badge_token)
    feed_token = models.CharField(max_length=40, unique=True, default=new_feed_token)
    checked_in_at = models.DateTimeField(_("arrivé le"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["user__full_name", "pk"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="summit_registration_unique")
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name()

    @property
    def is_approved(self) -> bool:
        return self.status == RegistrationStatus.APPROVED


class WishLevel(models.TextChoices):
    MUST = "must", _("À rencontrer absolument")
    WOULD = "would", _("Aimerait rencontrer")
    NO = "no", _("Pas intéressé")


class MeetingWish(models.Model):
    """What one participant thinks of meeting another; scheduled as an optional meeting."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="wishes")
    author = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="wishes_made")
    target = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="wishes_received"
    )
    level = models.CharField(_("souhait"), max_length=5, choices=WishLevel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("souhait de rendez-vous")
        verbose_name_plural = _("souhaits de rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["author", "target"], name="summit_wish_unique"),
            models.CheckConstraint(
                condition=~Q(author=models.F("target")), name="summit_wish_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} → {self.target_id}: {self.level}"  # type: ignore[attr-defined]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    EXPIRED = "expired", _("Expirée sans réponse")
    CANCELLED = "cancelled", _("Annulée")


class MeetingRequest(TimeStampedModel):
    """A direct request for a meeting; once accepted, the meeting is required in the schedule."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="requests")
    sender = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    expires_at = models.DateTimeField(_("expire le"))
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answer_note = models.CharField(_("mot de réponse"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de rendez-vous")
        verbose_name_plural = _("demandes de rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="summit_request_not_self"
            ),
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status__in=["pending", "accepted"]),
                name="summit_request_open_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class ScheduleRun(TimeStampedModel):
    """One run of the scheduler for an edition: its progress, its outcome, its meetings."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    time_limit = models.PositiveIntegerField(_("temps maximal (s)"), default=60)
    fairness = models.PositiveSmallIntegerField(_("écart maximal de pauses"), default=2)
    progress = models.FloatField(_("avancement"), default=0.0)
    phase = models.CharField(_("étape"), max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    solver_status = models.CharField(_("résultat du solveur"), max_length=12, blank=True)
    requested = models.PositiveIntegerField(_("rendez-vous demandés"), default=0)
    scheduled = models.PositiveIntegerField(_("rendez-vous placés"), default=0)
    required_unscheduled = models.PositiveIntegerField(default=0)
    breaks = models.PositiveIntegerField(_("pauses"), null=True, blank=True)
    bound = models.FloatField(_("borne"), null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    explanation = models.TextField(_("explication"), blank=True)
    error = models.TextField(_("erreur"), blank=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calcul du planning")
        verbose_name_plural = _("calculs du planning")

    def __str__(self) -> str:
        return f"{self.edition} #{self.pk}"


class MeetingPriority(models.TextChoices):
    REQUIRED = "required", _("Demande acceptée")
    MUST = "must", _("À rencontrer absolument")
    WOULD = "would", _("Aimerait rencontrer")


class Meeting(models.Model):
    """A meeting between two participants, placed (or not) by a scheduler run."""

    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="meetings")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="meetings")
    first = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priorité"), max_length=8, choices=MeetingPriority.choices)
    request = models.ForeignKey(
        MeetingRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slot = models.ForeignKey(
        MeetingSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    table = models.ForeignKey(
        MeetingTable, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    fixed = models.BooleanField(_("fixé"), default=False)
    moved_at = models.DateTimeField(_("déplacé le"), null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "table__number", "pk"]
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        constraints = [
            models.UniqueConstraint(fields=["run", "first", "second"], name="summit_meeting_pair"),
            models.UniqueConstraint(
                fields=["run", "slot", "table"],
                condition=Q(slot__isnull=False, table__isnull=False),
                name="summit_meeting_table_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first} ↔ {self.second}"

    def other(self, registration_id: int) -> Registration:
        return self.second if self.first_id == registration_id else self.first  # type: ignore[attr-defined]


class OutcomeResult(models.TextChoices):
    NOTHING = "nothing", _("Rien de concret")
    CONTACT = "contact", _("Contact à poursuivre")
    QUOTE = "quote", _("Devis demandé")
    PILOT = "pilot", _("Expérimentation")
    CONTRACT = "contract", _("Contrat")


class MeetingOutcome(TimeStampedModel):
    """What one side says of a meeting after the event."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    took_place = models.BooleanField(_("le rendez-vous a eu lieu"))
    result = models.CharField(
        _("ce qui en est sorti"),
        max_length=10,
        choices=OutcomeResult.choices,
        default=OutcomeResult.NOTHING,
    )
    amount = models.DecimalField(
        _("montant (contrat ou devis)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("commentaire"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("suite d'un rendez-vous")
        verbose_name_plural = _("suites des rendez-vous")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "registration"], name="summit_outcome_unique"
            )
        ]
