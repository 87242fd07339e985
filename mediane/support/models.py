"""Expert support: requests filed by a city or a company, their offers to experts, the news
exchanged, the timeline of their states and the follow-up reminders already sent.

A request is offered to experts (`SupportOffer`, one row per expert and request); one expert takes
it (the database refuses a second taken offer), the others' offers are withdrawn. Nothing here
is public: see `rules.py` for who reads a request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediane.core.models import TimeStampedModel


class SupportStatus(models.TextChoices):
    NEW = "new", _("Nouvelle")
    ROUTED = "routed", _("Orientée")
    TAKEN = "taken", _("Prise en charge")
    CLOSED = "closed", _("Clôturée")
    CANCELLED = "cancelled", pgettext_lazy("demande", "Sans suite")


#: States in which the request is still alive (messages, reminders).
OPEN_STATUSES = frozenset({SupportStatus.NEW, SupportStatus.ROUTED, SupportStatus.TAKEN})
#: States in which no expert has taken the request yet.
UNTAKEN_STATUSES = frozenset({SupportStatus.NEW, SupportStatus.ROUTED})


class SupportLanguage(models.TextChoices):
    FRENCH = "fr", _("Français")
    ENGLISH = "en", _("Anglais")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normale")
    HIGH = "high", _("Urgente")


class SupportRequest(TimeStampedModel):
    """A request for expert support, filed by a person on behalf of their organisation."""

    subject = models.CharField(pgettext_lazy("sujet", "objet"), max_length=200)
    description = models.TextField(_("description"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandeur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation demandeuse"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    language = models.CharField(
        _("langue"), max_length=2, choices=SupportLanguage.choices, default=SupportLanguage.FRENCH
    )
    skills = models.ManyToManyField(
        "directory.Skill", verbose_name=_("compétences recherchées"), blank=True, related_name="+"
    )
    sectors = models.ManyToManyField(
        "directory.Sector", verbose_name=_("secteurs"), blank=True, related_name="+"
    )
    urgency = models.CharField(
        _("urgence"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("état"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.NEW
    )
    filed_at = models.DateTimeField(pgettext_lazy("demande", "déposée le"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("dernières nouvelles le"), default=timezone.now)
    expert = models.ForeignKey(
        "directory.Expert",
        verbose_name=_("expert en charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests_taken",
    )
    taken_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    outcome = models.TextField(_("résultat"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 à 5)"), null=True, blank=True
    )
    satisfaction_comment = models.TextField(_("commentaire du demandeur"), blank=True)
    cancel_reason = models.TextField(_("motif de l'abandon"), blank=True)
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)

    class Meta:
        verbose_name = _("demande d'accompagnement")
        verbose_name_plural = _("demandes d'accompagnement")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "routed", "taken", "closed", "cancelled"]),
                name="support_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["fr", "en"]), name="support_request_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="support_request_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="taken") | Q(expert__isnull=False, taken_at__isnull=False),
                name="support_request_taken_has_expert",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(satisfaction__isnull=False),
                name="support_request_closed_has_satisfaction",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "filed_at"], name="support_status_filed"),
            models.Index(fields=["status", "last_activity_at"], name="support_status_activity"),
            models.Index(fields=["organisation", "status"], name="support_org_status"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("support:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Proposée")
    DECLINED = "declined", _("Déclinée")
    TAKEN = "taken", _("Acceptée")
    WITHDRAWN = "withdrawn", _("Retirée")


class SupportOffer(models.Model):
    """The request offered to one expert, with the routing score and its reasons."""

    request = models.ForeignKey(
        SupportRequest, verbose_name=_("demande"), on_delete=models.CASCADE, related_name="offers"
    )
    expert = models.ForeignKey(
        "directory.Expert",
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        related_name="support_offers",
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("raisons"), default=list, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    is_manual = models.BooleanField(_("orientée par le secrétariat"), default=False)
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    offered_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proposition à un expert")
        verbose_name_plural = _("propositions à des experts")
        ordering = ["-score", "offered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "expert"], name="support_offer_once"),
            # At most one expert takes a request, whatever two workers do at the same time.
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="taken"), name="support_offer_one_taken"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["offered", "declined", "taken", "withdrawn"]),
                name="support_offer_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="support_offer_declined_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["expert", "status"], name="support_offer_expert")]

    def __str__(self) -> str:
        return f"{self.request} → {self.expert}"


class SupportMessage(models.Model):
    """News about a request: a message of the requester, an expert or the secretariat."""

    request = models.ForeignKey(
        SupportRequest,
        verbose_name=_("demande"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_role = models.CharField(_("en tant que"), max_length=12, default="requester")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("message d'accompagnement")
        verbose_name_plural = _("messages d'accompagnement")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request}: {self.body[:40]}"


class SupportEvent(models.Model):
    """One step of the request's timeline (state change, offer, decline, reminder)."""

    request = models.ForeignKey(
        SupportRequest, verbose_name=_("demande"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("étape"), max_length=16)
    status = models.CharField(_("état après"), max_length=10, choices=SupportStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("étape d'une demande")
        verbose_name_plural = _("étapes des demandes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"

    @property
    def kind_label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.get_status_display()))  # type: ignore[attr-defined]


#: Words of the timeline's steps.
EVENT_LABELS = {
    "filed": _("Déposée"),
    "routed": _("Orientée"),
    "unrouted": _("À orienter par le secrétariat"),
    "taken": _("Prise en charge"),
    "declined": _("Déclinée par un expert"),
    "reminded": _("Relance"),
    "overdue": _("En retard"),
    "closed": _("Clôturée"),
    "cancelled": _("Classée sans suite"),
}


class ReminderKind(models.TextChoices):
    UNTAKEN = "untaken", _("Non prise en charge")
    STALE = "stale", _("Sans nouvelles")


class SupportReminder(models.Model):
    """A follow-up reminder already sent: once per request, kind and starting point (`since`:
    the filing for an untaken request, the last news for a silent one)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    since = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "since"], name="support_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.kind} {self.since:%Y-%m-%d}"
