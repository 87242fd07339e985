"""Tables of the tiers-lieux resources: bookable spaces and equipment, their opening hours and
closures, trainings, bookings and the booked slots.

Double bookings are impossible by construction of the database: a booking also writes one
`BookingSlot` per (resource, unit, slot start) it occupies, and `booking_slot_unique` refuses a
second row for the same unit and start, on SQLite as on PostgreSQL, whatever the concurrency.
"""

from __future__ import annotations

import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediane.core.models import TimeStampedModel
from mediane.directory.models import Organisation


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class ResourceKind(models.TextChoices):
    DESK = "desk", _("Poste de coworking")
    MEETING_ROOM = "meeting_room", _("Salle de réunion")
    MACHINE = "machine", _("Machine de fablab")
    KITCHEN = "kitchen", _("Cuisine partagée")
    WORKSHOP = "workshop", _("Atelier")
    OTHER = "other", _("Autre")


class WhoMayBook(models.TextChoices):
    AUTHENTICATED = "authenticated", _("Toute personne inscrite")
    NETWORK = "network", _("Les membres du réseau")
    MEMBERS = "members", _("Les membres du tiers-lieu")
    PARTNERS = "partners", _("Les membres du tiers-lieu et des tiers-lieux jumelés")


class Currency(models.TextChoices):
    EUR = "EUR", "EUR"
    CAD = "CAD", "CAD"


class Tariff(models.TextChoices):
    MEMBER = "member", _("Tarif membre")
    PARTNER = "partner", _("Tarif partenaire (tiers-lieu jumelé)")
    OTHER = "other", _("Tarif public")


class Resource(TimeStampedModel):
    """A space or a piece of equipment of a tiers-lieu (or an incubator), bookable by slots."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="tierslieux_resources",
        verbose_name=_("tiers-lieu"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("nom"), max_length=160)
    slug = models.SlugField(_("identifiant d'URL"), max_length=180, unique=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacité (unités réservables)"),
        default=1,
        help_text=_("Par exemple 6 postes de coworking = 6 unités ; une salle = 1 unité."),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau (minutes)"), default=30)
    min_minutes = models.PositiveSmallIntegerField(_("durée minimale (minutes)"), default=30)
    max_minutes = models.PositiveSmallIntegerField(_("durée maximale (minutes)"), default=480)
    who_may_book = models.CharField(
        _("qui peut réserver"),
        max_length=16,
        choices=WhoMayBook.choices,
        default=WhoMayBook.NETWORK,
    )
    training_required = models.BooleanField(_("formation obligatoire"), default=False)
    price_member = models.DecimalField(
        _("prix par heure, membres"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    price_partner = models.DecimalField(
        _("prix par heure, tiers-lieux jumelés"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    price_other = models.DecimalField(
        _("prix par heure, autres"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(
        _("devise"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    rules = models.TextField(_("règlement d'usage"), blank=True)
    is_active = models.BooleanField(_("réservable"), default=True)
    show_bookers = models.BooleanField(
        _("noms visibles dans le calendrier public"),
        default=False,
        help_text=_("Sinon le calendrier public ne montre que les créneaux occupés."),
    )

    class Meta:
        verbose_name = _("ressource")
        ordering = ["organisation__name", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="resource_capacity"),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5) & models.Q(slot_minutes__lte=240),
                name="resource_slot_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(min_minutes__lte=models.F("max_minutes")),
                name="resource_min_le_max",
            ),
            models.CheckConstraint(
                condition=models.Q(price_member__gte=0)
                & models.Q(price_partner__gte=0)
                & models.Q(price_other__gte=0),
                name="resource_prices_positive",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tierslieux:resource", args=[self.slug])

    @property
    def time_zone(self) -> str:
        """The zone of the tiers-lieu's territory (or of its country)."""
        from mediane.territories.models import TIME_ZONES

        organisation = self.organisation
        if organisation.territory_id is not None:  # type: ignore[attr-defined]
            return organisation.territory.time_zone  # type: ignore[union-attr]
        return TIME_ZONES.get(organisation.country, settings.TIME_ZONE)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def price_for(self, tariff: str) -> Decimal:
        if tariff == Tariff.MEMBER:
            return self.price_member
        if tariff == Tariff.PARTNER:
            return self.price_partner
        return self.price_other


class OpeningHours(models.Model):
    """One opening period of a weekday (0 = Monday), in the resource's local time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("jour"))
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        verbose_name = _("horaire d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opening_opens_before"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens}–{self.closes}"


class Closure(models.Model):
    """Days the resource is closed (holidays, maintenance), both ends included."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fermeture")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="closure_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"


class Training(TimeStampedModel):
    """A person qualified to use a resource that requires training."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="trainings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tierslieux_trainings"
    )
    granted_on = models.DateField(_("formé le"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("formation")
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="training_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.resource}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    CANCELLED = "cancelled", _("Annulée")


class Booking(TimeStampedModel):
    """A booking of one unit of a resource, from `starts_at` to `ends_at` (UTC)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tierslieux_bookings"
    )
    unit = models.PositiveSmallIntegerField(_("unité"))
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("statut"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    tariff = models.CharField(_("tarif"), max_length=16, choices=Tariff.choices)
    price = models.DecimalField(_("prix"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("devise"), max_length=3, choices=Currency.choices)
    note = models.CharField(pgettext_lazy("sujet", "objet"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("réservation")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="booking_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "status", "starts_at"]),
            models.Index(fields=["user", "status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource} – {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == BookingStatus.CONFIRMED


class BookingSlot(models.Model):
    """One slot of one unit held by a confirmed booking: the database's guard against double
    bookings (deleted when the booking is cancelled)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    unit = models.PositiveSmallIntegerField()
    start = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "unit", "start"], name="booking_slot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} #{self.unit} {self.start}"  # type: ignore[attr-defined]


class CalendarFeed(models.Model):
    """The secret address of a person's iCalendar feed of their bookings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tierslieux_feed"
    )
    token = models.CharField(max_length=40, unique=True, default=new_feed_token)

    def __str__(self) -> str:
        return str(self.user)
