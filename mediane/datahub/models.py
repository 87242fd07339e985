"""The data hub's tables: datasets of an organisation (usually a city), their immutable
versions, the Table Schemas they follow, legal bases recorded for personal data, and the
publications to national portals.

A version is written once by the processing task (`datahub.tasks.process_version`) and never
changed afterwards, apart from its processing state. The dataset points to its current version:
the one readers see. Writes go through `datahub.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediane.core.crypto import EncryptedTextField
from mediane.core.models import TimeStampedModel, Visibility


class Licence(models.TextChoices):
    LOV2 = "lov2", _("Licence Ouverte 2.0 (Etalab)")
    ODBL = "odbl", _("ODbL (Open Database License)")
    CC_BY = "cc-by-4.0", _("CC-BY 4.0")
    OTHER = "other", _("Autre licence")


#: Licences that are open in the sense of the Open Definition (quality score).
OPEN_LICENCES = frozenset({Licence.LOV2, Licence.ODBL, Licence.CC_BY})


class Frequency(models.TextChoices):
    """Update frequencies; the values follow the EU frequency vocabulary."""

    CONTINUOUS = "UPDATE_CONT", _("En continu")
    DAILY = "DAILY", _("Quotidienne")
    WEEKLY = "WEEKLY", _("Hebdomadaire")
    MONTHLY = "MONTHLY", _("Mensuelle")
    QUARTERLY = "QUARTERLY", _("Trimestrielle")
    ANNUAL = "ANNUAL", _("Annuelle")
    IRREGULAR = "IRREG", _("Irrégulière")
    NEVER = "NEVER", _("Jamais (données figées)")


#: Days after which a dataset of a frequency is out of date (quality score).
FREQUENCY_DAYS: dict[str, int | None] = {
    Frequency.CONTINUOUS: 2,
    Frequency.DAILY: 2,
    Frequency.WEEKLY: 10,
    Frequency.MONTHLY: 40,
    Frequency.QUARTERLY: 100,
    Frequency.ANNUAL: 400,
    Frequency.IRREGULAR: None,
    Frequency.NEVER: None,
}


class Theme(models.TextChoices):
    """Themes of the EU data-theme vocabulary (DCAT-AP)."""

    AGRI = "AGRI", _("Agriculture, pêche, sylviculture et alimentation")
    ECON = "ECON", _("Économie et finances")
    EDUC = "EDUC", _("Éducation, culture et sport")
    ENER = "ENER", _("Énergie")
    ENVI = "ENVI", _("Environnement")
    GOVE = "GOVE", _("Gouvernement et secteur public")
    HEAL = "HEAL", _("Santé")
    INTR = "INTR", _("Questions internationales")
    JUST = "JUST", _("Justice, système juridique et sécurité publique")
    REGI = "REGI", _("Régions et villes")
    SOCI = "SOCI", _("Population et société")
    TECH = "TECH", _("Science et technologie")
    TRAN = "TRAN", _("Transports")


class SchemaSource(models.TextChoices):
    SHIPPED = "shipped", _("Fourni avec Médiane")
    UPLOADED = "uploaded", _("Ajouté")


class TableSchema(TimeStampedModel):
    """A Table Schema a dataset can follow: the SCDL schemas shipped with Médiane, or one
    added by an organisation (readable by everyone: a schema describes columns, not data)."""

    identifier = models.CharField(_("identifiant"), max_length=120)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("titre"), max_length=200)
    source = models.CharField(
        _("origine"), max_length=16, choices=SchemaSource.choices, default=SchemaSource.UPLOADED
    )
    definition = models.JSONField(_("définition (Table Schema)"))
    homepage = models.URLField(_("page de référence"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["identifier", "version"]
        verbose_name = _("schéma de données")
        verbose_name_plural = _("schémas de données")
        constraints = [
            models.UniqueConstraint(
                fields=["identifier", "version"], name="datahub_schema_identifier_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier}@{self.version}"

    @property
    def ref(self) -> str:
        return f"{self.identifier}@{self.version}"


class Dataset(TimeStampedModel):
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    slug = models.SlugField(_("identifiant d'URL"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    themes = models.JSONField(_("thèmes"), default=list, blank=True)
    keywords = models.JSONField(_("mots-clés"), default=list, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("couverture géographique"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datasets",
    )
    temporal_start = models.DateField(_("début de la période couverte"), null=True, blank=True)
    temporal_end = models.DateField(_("fin de la période couverte"), null=True, blank=True)
    frequency = models.CharField(
        _("fréquence de mise à jour"),
        max_length=16,
        choices=Frequency.choices,
        default=Frequency.IRREGULAR,
    )
    licence = models.CharField(
        _("licence"), max_length=16, choices=Licence.choices, default=Licence.LOV2
    )
    licence_other = models.CharField(
        _("autre licence (nom ou adresse)"), max_length=200, blank=True
    )
    contact_name = models.CharField(
        _("point de contact"),
        max_length=120,
        blank=True,
        help_text=_("Un service plutôt qu'une personne, par exemple « Service données »."),
    )
    contact_email = models.EmailField(
        _("adresse de contact"),
        blank=True,
        help_text=_("Une adresse générique (donnees@…), jamais une adresse personnelle."),
    )
    schema = models.ForeignKey(
        TableSchema,
        verbose_name=_("schéma"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    visibility = models.CharField(
        _("accès"), max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    current_version = models.ForeignKey(
        "DatasetVersion",
        verbose_name=_("version courante"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pseudonym_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("jeu de données")
        verbose_name_plural = _("jeux de données")
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=[v.value for v in Visibility]),
                name="datahub_dataset_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(temporal_start__isnull=True)
                | Q(temporal_end__isnull=True)
                | Q(temporal_start__lte=models.F("temporal_end")),
                name="datahub_dataset_temporal_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("datahub:dataset", args=[self.slug])


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    PROCESSING = "processing", _("En cours de traitement")
    READY = "ready", _("Prête")
    FAILED = "failed", _("Échec")


class ValidationStatus(models.TextChoices):
    NONE = "none", _("Sans schéma")
    VALID = "valid", _("Conforme au schéma")
    INVALID = "invalid", _("Non conforme au schéma")


class PrivacyStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Non analysée")
    OK = "ok", _("Aucune donnée personnelle détectée")
    WARN = "warn", _("À vérifier")
    BLOCK = "block", _("Données personnelles : publication bloquée")


class DatasetVersion(models.Model):
    """One upload (or transform) of a dataset; immutable once processed."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("jeu de données"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("numéro"))
    status = models.CharField(
        _("état"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.PENDING
    )
    created_at = models.DateTimeField(_("déposée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    original = models.FileField(_("fichier déposé"), max_length=300, blank=True)
    derived_from = models.ForeignKey(
        "self",
        verbose_name=_("transformée depuis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived",
    )
    transform = models.JSONField(_("transformation"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    schema = models.ForeignKey(
        TableSchema,
        verbose_name=_("schéma"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the processing found (written once by the task).
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    encoding = models.CharField(_("encodage"), max_length=32, blank=True)
    delimiter = models.CharField(_("séparateur"), max_length=4, blank=True)
    size_bytes = models.BigIntegerField(_("taille (octets)"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    row_count = models.BigIntegerField(_("lignes"), default=0)
    columns = models.JSONField(_("colonnes"), default=list, blank=True)
    validation_status = models.CharField(
        _("validation"),
        max_length=16,
        choices=ValidationStatus.choices,
        default=ValidationStatus.NONE,
    )
    validation = models.JSONField(_("rapport de validation"), default=dict, blank=True)
    privacy_status = models.CharField(
        _("données personnelles"),
        max_length=16,
        choices=PrivacyStatus.choices,
        default=PrivacyStatus.UNKNOWN,
    )
    scan = models.JSONField(_("analyse des données personnelles"), default=dict, blank=True)
    changes = models.JSONField(_("changements depuis la version précédente"), default=dict)
    # Processing state.
    progress = models.FloatField(_("avancement"), default=0.0)
    progress_message = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    processed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    seconds = models.FloatField(_("durée du traitement (s)"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="datahub_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} — v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("datahub:version", args=[self.dataset.slug, self.number])

    @property
    def is_ready(self) -> bool:
        return self.status == VersionStatus.READY

    def blocking_columns(self) -> list[str]:
        """Labels of the columns the scan blocks."""
        return [
            str(column.get("label") or column.get("column"))
            for column in (self.scan or {}).get("columns", [])
            if column.get("verdict") == "block"
        ]


class LegalBasis(models.Model):
    """An administrator's decision that a column flagged as personal data may be published
    (for example names of elected officials, décret 2018-1117). Applies to the column of that
    label in every later version of the dataset; recorded in the audit log."""

    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.CASCADE,
        related_name="legal_bases",
    )
    column = models.CharField(_("colonne"), max_length=200)
    basis = models.TextField(_("base légale"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        ordering = ["dataset", "column"]
        verbose_name = _("base légale de publication")
        verbose_name_plural = _("bases légales de publication")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "column"], name="datahub_legal_basis_column")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} — {self.column}"


class PortalKind(models.TextChoices):
    UDATA = "udata", _("udata (data.gouv.fr)")
    CKAN = "ckan", _("CKAN (Données Québec)")


class PortalAccount(TimeStampedModel):
    """An organisation's account on a national portal: where to publish and with which API
    key. The key is sent to the portal only; pages show its last four characters."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="portal_accounts",
    )
    kind = models.CharField(_("type de portail"), max_length=16, choices=PortalKind.choices)
    base_url = models.URLField(_("adresse du portail"), max_length=300)
    # Stored encrypted (mediane/core/crypto.py); the 500-character limit is checked by the service.
    api_key = EncryptedTextField(_("clé d'API"), editable=False)
    remote_organisation = models.CharField(
        _("organisation sur le portail"),
        max_length=200,
        help_text=_("Identifiant de l'organisation (udata) ou owner_org (CKAN)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajouté par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation", "kind", "base_url"]
        verbose_name = _("compte de portail")
        verbose_name_plural = _("comptes de portail")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "base_url"], name="datahub_portal_account_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in PortalKind]),
                name="datahub_portal_account_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.base_url}"

    @property
    def key_hint(self) -> str:
        """What pages show of the API key: its last four characters."""
        return f"…{self.api_key[-4:]}" if len(self.api_key) > 4 else "…"


class PublicationStatus(models.TextChoices):
    PUBLISHED = "published", _("Publié")
    DELETED = "deleted", _("Retiré du portail")
    FAILED = "failed", _("Échec")


class PortalPublication(models.Model):
    """A dataset on a portal account: the remote id that makes re-publication an update."""

    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    account = models.ForeignKey(
        PortalAccount,
        verbose_name=_("compte de portail"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    remote_id = models.CharField(_("identifiant sur le portail"), max_length=200, blank=True)
    remote_url = models.URLField(_("page sur le portail"), max_length=500, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=PublicationStatus.choices)
    last_action = models.CharField(_("dernière action"), max_length=16, blank=True)
    last_published_at = models.DateTimeField(_("dernière publication"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_version = models.ForeignKey(
        DatasetVersion,
        verbose_name=_("version publiée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["dataset", "account"]
        verbose_name = _("publication sur un portail")
        verbose_name_plural = _("publications sur des portails")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "account"], name="datahub_publication_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PublicationStatus]),
                name="datahub_publication_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} → {self.account}"
