"""Directory: organisations of both countries, their sectors, and experts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.models import TimeStampedModel, Visibility, choice_label
from mediane.territories.models import Country


class SectorNature(models.TextChoices):
    TECHNOLOGICAL = "tech", _("Technologique")
    CRAFT = "craft", _("Artisanal")
    BOTH = "both", _("Technologique et artisanal")


class Sector(models.Model):
    """A sector of the managed taxonomy (sport, santé, laine & textile…)."""

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    name_en = models.CharField(_("nom (anglais)"), max_length=100, blank=True)
    nature = models.CharField(_("nature"), max_length=8, choices=SectorNature.choices)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("secteur")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        """The name in the active language (English when translated, else French)."""
        from django.utils.translation import get_language

        return self.label(get_language() or "fr")

    def label(self, language: str = "fr") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name


class OrganisationKind(models.TextChoices):
    COLLECTIVITE = "collectivite", _("Collectivité")
    STARTUP = "startup", _("Start-up")
    PME = "pme", _("PME / ETI")
    INCUBATOR = "incubateur", _("Incubateur")
    ACCELERATOR = "accelerateur", _("Accélérateur")
    TIERS_LIEU = "tiers-lieu", _("Tiers-lieu")
    RESEARCH = "recherche", _("Centre de recherche ou de transfert")
    FRENCH_TECH = "french-tech", _("Communauté French Tech")
    ASSOCIATION = "association", _("Association")
    CONSULTANCY = "conseil", _("Conseil / expertise")
    INVESTOR = "investisseur", _("Investisseur")


class Organisation(TimeStampedModel):
    """A city, company, incubator, tiers-lieu, research centre… of France or Québec."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(_("pays"), max_length=2, choices=Country.choices)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    neq = models.CharField(_("NEQ"), max_length=10, blank=True, db_index=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("site web"), blank=True)
    summary = models.CharField(_("accroche"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Texte enrichi, nettoyé.")
    )
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True)
    contact_email = models.EmailField(_("adresse de contact générique"), blank=True)
    visibility = models.CharField(
        _("visibilité"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("secteurs"), blank=True, related_name="organisations"
    )
    is_demo = models.BooleanField(_("fictive (démonstration)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="organisation_siret_unique"
            ),
            models.UniqueConstraint(
                fields=["neq"], condition=~models.Q(neq=""), name="organisation_neq_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=["public", "network", "private"]),
                name="organisation_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(neq="") | models.Q(country="QC"),
                name="organisation_neq_quebec_only",
            ),
            models.CheckConstraint(
                condition=(models.Q(siren="") & models.Q(siret="")) | models.Q(country="FR"),
                name="organisation_siren_france_only",
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "kind"]),
            models.Index(fields=["country", "kind"]),
            models.Index(Lower("name"), "territory", name="organisation_name_territory"),
            # Directory pages: ordered by name within a visibility; change detection for caches.
            models.Index(fields=["visibility", "name"], name="organisation_visibility_name"),
            models.Index(fields=["name", "id"], name="organisation_name_id"),
            models.Index(fields=["updated_at"], name="organisation_updated_at"),
            models.Index(
                fields=["visibility", "country", "kind"], name="organisation_vis_country_kind"
            ),
            models.Index(fields=["visibility", "territory"], name="organisation_vis_territory"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return choice_label(OrganisationKind, self.kind)

    @property
    def country_label(self) -> str:
        return choice_label(Country, self.country)

    @property
    def visibility_label(self) -> str:
        return choice_label(Visibility, self.visibility)

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", kwargs={"slug": self.slug})

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        territory = self.territory
        if (
            territory is not None
            and territory.latitude is not None
            and territory.longitude is not None
        ):
            return (territory.latitude, territory.longitude)
        return None


class Skill(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("compétence"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("compétence")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExpertKind(models.TextChoices):
    PERSON = "person", _("Personne")
    FIRM = "firm", _("Cabinet")


class Expert(TimeStampedModel):
    """A digital or innovation expert (person or firm) who supports cities and companies."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(
        _("type"), max_length=8, choices=ExpertKind.choices, default=ExpertKind.PERSON
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("cabinet ou structure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="experts",
    )
    headline = models.CharField(_("titre"), max_length=200, blank=True)
    bio = models.TextField(_("présentation"), blank=True)
    skills = models.ManyToManyField(
        Skill, verbose_name=_("compétences"), blank=True, related_name="experts"
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("secteurs"), blank=True, related_name="experts"
    )
    languages = models.CharField(
        _("langues"),
        max_length=60,
        default="fr",
        help_text=_("Codes séparés par des virgules : fr,en"),
    )
    territories_served = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoires servis"),
        blank=True,
        related_name="experts",
    )
    visibility = models.CharField(
        _("visibilité"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(_("fictif (démonstration)"), default=False)

    class Meta:
        verbose_name = _("expert")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:expert", kwargs={"slug": self.slug})

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]
