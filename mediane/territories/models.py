"""Territories of France and Québec in one model, network membership and twinnings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel


class Country(models.TextChoices):
    FRANCE = "FR", _("France")
    QUEBEC = "QC", _("Québec")


class Kind(models.TextChoices):
    """Levels of both countries; FR and QC names map onto the same levels."""

    COUNTRY = "country", _("Pays")
    REGION = "region", _("Région")  # FR région / QC région administrative
    DEPARTEMENT = "departement", _("Département")  # FR only
    GROUPING = "grouping", _("Intercommunalité")  # FR EPCI / QC MRC
    MUNICIPALITY = "municipality", _("Commune")  # FR commune / QC municipalité


KIND_LABELS: dict[tuple[str, str], Any] = {
    (Country.QUEBEC, Kind.COUNTRY): _("Province"),
    (Country.FRANCE, Kind.REGION): _("Région"),
    (Country.QUEBEC, Kind.REGION): _("Région administrative"),
    (Country.FRANCE, Kind.GROUPING): _("EPCI"),
    (Country.QUEBEC, Kind.GROUPING): _("MRC"),
    (Country.FRANCE, Kind.MUNICIPALITY): _("Commune"),
    (Country.QUEBEC, Kind.MUNICIPALITY): _("Municipalité"),
}

TIME_ZONES: dict[str, str] = {Country.FRANCE: "Europe/Paris", Country.QUEBEC: "America/Toronto"}


class TerritoryQuerySet(models.QuerySet["Territory"]):
    """Reusable filters: medium cities and network members."""

    def municipalities(self) -> TerritoryQuerySet:
        return self.filter(kind=Kind.MUNICIPALITY)

    def medium_cities(self) -> TerritoryQuerySet:
        """Municipalities whose population lies within the configured medium-city bounds."""
        return self.filter(
            kind=Kind.MUNICIPALITY,
            population__gte=settings.MEDIUM_CITY_MIN,
            population__lte=settings.MEDIUM_CITY_MAX,
        )

    def network_members(self) -> TerritoryQuerySet:
        """Territories with an active (or founding) network membership."""
        return self.filter(network_membership__status__in=ACTIVE_STATUSES)


class Territory(models.Model):
    """A commune/municipalité, EPCI/MRC, département, région or country.

    `code` is the official code: INSEE code (commune, département, région), SIREN (EPCI),
    Québec geographic code (municipalité), MRC/region codes from the MAMH directory.
    """

    country = models.CharField(_("pays"), max_length=2, choices=Country.choices)
    kind = models.CharField(_("niveau"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code officiel"), max_length=20)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    designation = models.CharField(_("désignation"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("niveau supérieur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_(
            "Département (FR) ou région administrative (QC) d'une commune ; "
            "région d'un département."
        ),
    )
    grouping = models.ForeignKey(
        "self",
        verbose_name=_("intercommunalité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("EPCI (FR) ou MRC (QC) dont la commune est membre."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    postal_codes = models.CharField(_("codes postaux"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    website = models.URLField(_("site web"), blank=True)
    subtype = models.CharField(
        _("type"), max_length=20, blank=True, help_text=_("CA, CU, CC, MET…")
    )
    description = models.TextField(
        _("présentation"), blank=True, help_text=_("Texte simple, sans mise en forme.")
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "kind", "code"], name="territory_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "country", "name"]),
            models.Index(fields=["kind", "population"]),
            # The list is ordered by lower(name) (case-insensitive, same on both databases).
            models.Index(Lower("name"), "id", name="territory_lower_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", kwargs={"slug": self.slug})

    @property
    def kind_label(self) -> str:
        label = KIND_LABELS.get((self.country, self.kind))
        return str(label) if label is not None else str(self.get_kind_display())

    @property
    def is_medium_city(self) -> bool:
        return (
            self.kind == Kind.MUNICIPALITY
            and self.population is not None
            and settings.MEDIUM_CITY_MIN <= self.population <= settings.MEDIUM_CITY_MAX
        )

    @property
    def time_zone(self) -> str:
        return TIME_ZONES.get(self.country, settings.TIME_ZONE)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class MembershipStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Membre actif")
    FOUNDER = "founder", _("Membre fondateur")
    SUSPENDED = "suspended", _("Suspendue")
    FORMER = "former", _("Ancien membre")


ACTIVE_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.FOUNDER)


class NetworkMembership(TimeStampedModel):
    """A territory's membership of the network."""

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, related_name="network_membership"
    )
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    member_since = models.DateField(_("membre depuis"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("adhésion au réseau")
        verbose_name_plural = _("adhésions au réseau")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __str__(self) -> str:
        return f"{self.territory} ({self.get_status_display()})"


class TwinningKind(models.TextChoices):
    JUMELAGE = "jumelage", _("Jumelage")
    TECHNOLOGICAL = "technologique", _("Jumelage technologique")
    INCUBATOR = "incubateurs", _("Jumelage d'incubateurs")


class Twinning(TimeStampedModel):
    """A twinning between two territories (stored once, first < second by id)."""

    first = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="twinnings_as_first"
    )
    second = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="twinnings_as_second"
    )
    kind = models.CharField(_("nature"), max_length=16, choices=TwinningKind.choices)
    since = models.DateField(_("depuis"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("jumelage")
        constraints = [
            models.UniqueConstraint(fields=["first", "second", "kind"], name="twinning_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="twinning_ordered"
            ),
        ]

    def other(self, territory: Territory) -> Territory:
        return self.second if territory.pk == self.first_id else self.first  # type: ignore[attr-defined]

    def __str__(self) -> str:
        return f"{self.first} – {self.second} ({self.get_kind_display()})"
