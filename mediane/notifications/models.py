"""Follows, in-app notifications, e-mail preferences and the record of e-mails sent.

A notification belongs to one person. E-mails are sent either one per notification
(`immediate`) or as a digest (`daily`, `weekly`); every e-mail is an `EmailDelivery` row, and a
notification points to the delivery that carried it, so nothing is e-mailed twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """Known topics; `notify()` accepts any short slug, unknown ones are grouped as "Autres"."""

    CHALLENGE = "challenge", _("Défis")
    ANSWER = "answer", _("Réponses")
    QUESTION = "question", _("Questions")
    DECISION = "decision", _("Décisions")
    EVALUATION = "evaluation", _("Évaluation")
    INVITATION = "invitation", _("Invitations")
    OFFER = "offer", _("Offres")
    SUMMIT = "summit", _("Sommet")
    NETWORK = "network", _("Réseau")
    DATA = "data", _("Données")
    PROJECT = "project", _("Projets")
    SOLUTION = "solution", _("Solutions")
    INCUBATION = "incubation", _("Jumelages et accueil")
    BOOKING = "booking", _("Réservations")
    SUPPORT = "support", _("Accompagnement")
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    PLAN = "plan", _("Plans stratégiques")
    LABEL = "label", _("Label")


def topic_label(topic: str) -> str:
    """The French (or active language) label of a topic; "Autres" for unknown ones."""
    if topic in Topic.values:
        return str(Topic(topic).label)
    return str(_("Autres"))


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immédiatement, un e-mail par notification")
    DAILY = "daily", _("Un résumé par jour")
    WEEKLY = "weekly", _("Un résumé par semaine")


class NotificationPreference(models.Model):
    """How a person wants e-mails; no row means the defaults (daily digest, every topic)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    frequency = models.CharField(
        _("fréquence des e-mails"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    muted_topics = models.JSONField(
        _("sujets sans e-mail"),
        default=list,
        blank=True,
        help_text=_("Ces sujets restent dans le centre de notifications mais ne sont pas envoyés."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["immediate", "daily", "weekly"]),
                name="notification_preference_frequency_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.frequency})"


class EmailDelivery(models.Model):
    """One e-mail sent (or being sent) to a person: a single notification or a digest.

    `period` is unique per person and frequency: the day (`2025-06-03`) or ISO week
    (`2025-W23`) of a digest, `n<id>` for an immediate e-mail; a rerun finds it and sends nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notification_emails",
    )
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices)
    period = models.CharField(_("période"), max_length=32)
    created_at = models.DateTimeField(_("préparé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    count = models.PositiveIntegerField(_("notifications"), default=0)

    class Meta:
        verbose_name = _("e-mail de notification")
        verbose_name_plural = _("e-mails de notification")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="email_delivery_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.frequency} {self.period}"


class Notification(models.Model):
    """Something new for one person: shown in their notification centre, then e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    topic = models.CharField(_("sujet"), max_length=32)
    verb = models.CharField(_("action"), max_length=64)
    title = models.CharField(_("titre"), max_length=255)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    email = models.ForeignKey(
        EmailDelivery,
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notif_centre"),
            models.Index(fields=["recipient", "email"], name="notif_to_email"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def topic_label(self) -> str:
        return topic_label(self.topic)


class Follow(models.Model):
    """A person follows one sector, territory, organisation or saved search (exactly one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    sector = models.ForeignKey(
        "directory.Sector",
        verbose_name=_("secteur"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    query = models.CharField(_("recherche enregistrée"), max_length=200, blank=True)
    # The query's stems, sorted and space-separated: what matching and uniqueness compare.
    query_key = models.CharField(max_length=400, blank=True, db_index=True)
    created_at = models.DateTimeField(_("suivi depuis"), auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        sector__isnull=False,
                        territory__isnull=True,
                        organisation__isnull=True,
                        query_key="",
                    )
                    | Q(
                        sector__isnull=True,
                        territory__isnull=False,
                        organisation__isnull=True,
                        query_key="",
                    )
                    | Q(
                        sector__isnull=True,
                        territory__isnull=True,
                        organisation__isnull=False,
                        query_key="",
                    )
                    | (
                        Q(sector__isnull=True, territory__isnull=True, organisation__isnull=True)
                        & ~Q(query_key="")
                    )
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "sector"],
                condition=Q(sector__isnull=False),
                name="follow_sector_once",
            ),
            models.UniqueConstraint(
                fields=["user", "territory"],
                condition=Q(territory__isnull=False),
                name="follow_territory_once",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="follow_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "query_key"],
                condition=~Q(query_key=""),
                name="follow_query_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.sector or self.territory or self.organisation or self.query)

    @property
    def kind(self) -> str:
        if self.sector_id:
            return "sector"
        if self.territory_id:
            return "territory"
        if self.organisation_id:
            return "organisation"
        return "query"
