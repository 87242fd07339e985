"""Every write of the data hub: datasets, uploads (processed by a background task), access
levels behind the personal-data gate, legal bases, transforms, schemas.

Each function checks the actor's permission first, runs in one transaction, writes the audit
log and keeps the search index in step. A failed upload never touches the current version.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.core.atomic_files import save_atomically
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import Visibility
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.datahub import search
from mediane.datahub.models import (
    Dataset,
    DatasetVersion,
    Frequency,
    LegalBasis,
    Licence,
    PrivacyStatus,
    SchemaSource,
    TableSchema,
    Theme,
    VersionStatus,
)

TOPIC = "data"

#: Fields of a dataset the editors change (`dataset_update`).
METADATA_FIELDS = (
    "title",
    "description",
    "themes",
    "keywords",
    "territory",
    "temporal_start",
    "temporal_end",
    "frequency",
    "licence",
    "licence_other",
    "contact_name",
    "contact_email",
    "schema",
)


def max_upload_bytes() -> int:
    return int(settings.DATAHUB_MAX_UPLOAD_BYTES)


def version_directory(version: DatasetVersion) -> Path:
    """Where the processed data of a version lives (normalised CSV, Parquet, profiles)."""
    return Path(settings.DATAHUB_ROOT) / str(version.dataset_id) / str(version.number)  # type: ignore[attr-defined]


def _unique_slug(title: str) -> str:
    base = (slugify(title)[:100] or "donnees").strip("-") or "donnees"
    slug, n = base, 2
    while Dataset.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_metadata(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    if "title" in cleaned:
        cleaned["title"] = str(cleaned["title"] or "").strip()[:200]
        if not cleaned["title"]:
            errors["title"] = [_("Donnez un titre.")]
    if "themes" in cleaned:
        themes = [str(t) for t in cleaned["themes"] or []]
        unknown = [t for t in themes if t not in Theme.values]
        if unknown:
            errors["themes"] = [_("Thème inconnu : %(t)s.") % {"t": ", ".join(unknown)}]
        cleaned["themes"] = list(dict.fromkeys(themes))
    if "keywords" in cleaned:
        keywords = cleaned["keywords"]
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        cleaned["keywords"] = list(
            dict.fromkeys(k.strip()[:60] for k in keywords if k and k.strip())
        )[:30]
    if "frequency" in cleaned and cleaned["frequency"] not in Frequency.values:
        errors["frequency"] = [_("Fréquence inconnue.")]
    if "licence" in cleaned and cleaned["licence"] not in Licence.values:
        errors["licence"] = [_("Licence inconnue.")]
    start, end = cleaned.get("temporal_start"), cleaned.get("temporal_end")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        errors["temporal_end"] = [_("La fin de la période précède son début.")]
    if errors:
        raise ValidationFailed(_("Certains champs sont à corriger."), field_errors=errors)
    return cleaned


@transaction.atomic
def dataset_create(*, actor: Any, organisation: Any, title: str, **metadata: Any) -> Dataset:
    """A new dataset of `organisation`, private until its editors open it."""
    require(actor, "create_dataset", organisation)
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise ValidationFailed(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    cleaned = _clean_metadata({"title": title, **metadata})
    dataset = Dataset.objects.create(
        organisation=organisation,
        slug=_unique_slug(cleaned["title"]),
        created_by=actor if getattr(actor, "pk", None) else None,
        pseudonym_key=secrets.token_hex(32),
        visibility=Visibility.PRIVATE,
        **cleaned,
    )
    audit_record(
        actor=actor, action="datahub.dataset.create", obj=dataset, organisation=organisation
    )
    transaction.on_commit(lambda: search.index(dataset))
    return dataset


@transaction.atomic
def dataset_update(*, actor: Any, dataset: Dataset, **metadata: Any) -> Dataset:
    require(actor, "change", dataset)
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise ValidationFailed(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    cleaned = _clean_metadata(metadata)
    changes = {}
    for name, value in cleaned.items():
        before = getattr(dataset, name)
        if before != value:
            changes[name] = {"from": str(before), "to": str(value)}
            setattr(dataset, name, value)
    if changes:
        dataset.save()
        audit_record(
            actor=actor,
            action="datahub.dataset.update",
            obj=dataset,
            organisation=dataset.organisation,
            changes=changes,
        )
        transaction.on_commit(lambda: search.index(dataset))
    return dataset


def _blocking_without_basis(dataset: Dataset, version: DatasetVersion | None) -> list[str]:
    from mediane.datahub.selectors import standing_blocks

    if version is None:
        return []
    version.dataset = dataset
    return standing_blocks(version)


@transaction.atomic
def dataset_set_visibility(*, actor: Any, dataset: Dataset, visibility: str) -> Dataset:
    """Change who may read the dataset. Public or members-only is refused while the current
    version has a blocking personal-data finding without a recorded legal basis, or has not
    been scanned yet."""
    require(actor, "set_visibility", dataset)
    if visibility not in Visibility.values:
        raise ValidationFailed(_("Niveau d'accès inconnu."), code="bad_visibility")
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if visibility != Visibility.PRIVATE:
        version = dataset.current_version
        if version is not None and version.privacy_status == PrivacyStatus.UNKNOWN:
            raise Conflict(
                _("La version courante n'est pas encore analysée : attendez la fin du traitement."),
                code="privacy_pending",
            )
        blocked = _blocking_without_basis(dataset, version)
        if blocked:
            raise Conflict(
                _(
                    "Des données personnelles bloquent l'ouverture (colonnes : %(columns)s). "
                    "Supprimez, pseudonymisez ou généralisez ces colonnes, ou faites enregistrer "
                    "une base légale par un administrateur."
                )
                % {"columns": ", ".join(f"« {c} »" for c in blocked)},
                code="privacy_blocked",
            )
    if dataset.visibility != visibility:
        before = dataset.visibility
        dataset.visibility = visibility
        dataset.save(update_fields=["visibility", "updated_at"])
        audit_record(
            actor=actor,
            action="datahub.dataset.visibility",
            obj=dataset,
            organisation=dataset.organisation,
            changes={"visibility": {"from": before, "to": visibility}},
        )
        transaction.on_commit(lambda: search.index(dataset))
        if visibility != Visibility.PUBLIC:  # withdrawn from the national portals
            from mediane.datahub.publishing import unpublish_all

            transaction.on_commit(lambda: unpublish_all(dataset, actor))
    return dataset


@transaction.atomic
def legal_basis_record(*, actor: Any, dataset: Dataset, column: str, basis: str) -> LegalBasis:
    """An administrator states why a flagged column may be published; audited."""
    require(actor, "record_legal_basis", dataset)
    basis = (basis or "").strip()
    if len(basis) < 10:
        raise ValidationFailed(
            _("Précisez la base légale (texte de référence et raison), 10 caractères au moins."),
            field_errors={"basis": [_("Trop court.")]},
        )
    column = (column or "").strip()[:200]
    if not column:
        raise ValidationFailed(_("Indiquez la colonne concernée."))
    record, created = LegalBasis.objects.update_or_create(
        dataset=dataset, column=column, defaults={"basis": basis, "recorded_by": actor}
    )
    audit_record(
        actor=actor,
        action="datahub.legal_basis.record",
        obj=dataset,
        organisation=dataset.organisation,
        changes={"column": column, "basis": basis, "created": created},
    )
    return record


@transaction.atomic
def legal_basis_remove(*, actor: Any, dataset: Dataset, column: str) -> None:
    """Withdraw a legal basis; a dataset that needed it goes back to private."""
    require(actor, "record_legal_basis", dataset)
    deleted, _count = LegalBasis.objects.filter(dataset=dataset, column=column).delete()
    if not deleted:
        return
    audit_record(
        actor=actor,
        action="datahub.legal_basis.remove",
        obj=dataset,
        organisation=dataset.organisation,
        changes={"column": column},
    )
    dataset.refresh_from_db()
    if dataset.visibility != Visibility.PRIVATE and _blocking_without_basis(
        dataset, dataset.current_version
    ):
        dataset.visibility = Visibility.PRIVATE
        dataset.save(update_fields=["visibility", "updated_at"])
        transaction.on_commit(lambda: search.index(dataset))
        from mediane.datahub.publishing import unpublish_all  # withdrawn from the portals

        transaction.on_commit(lambda: unpublish_all(dataset, actor))


def _next_number(dataset: Dataset) -> int:
    last = dataset.versions.order_by("-number").values_list("number", flat=True).first()  # type: ignore[attr-defined]
    return (last or 0) + 1


@transaction.atomic
def version_upload(
    *, actor: Any, dataset: Dataset, file: IO[bytes], filename: str, note: str = ""
) -> DatasetVersion:
    """Store an uploaded file as a new version and queue its processing. The current version
    stays the current one until the new one is processed successfully."""
    from mediane.datahub.tasks import process_version

    require(actor, "upload", dataset)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    if size == 0:
        raise ValidationFailed(_("Le fichier est vide."), code="empty")
    if size > max_upload_bytes():
        raise ValidationFailed(
            _("Le fichier dépasse la taille maximale (%(mb)d Mo).")
            % {"mb": max_upload_bytes() // 1_000_000},
            code="too_large",
        )
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    name = Path(filename or "fichier").name[:200]
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=_next_number(dataset),
        created_by=actor if getattr(actor, "pk", None) else None,
        original_name=name,
        note=(note or "")[:300],
        schema=dataset.schema,
        size_bytes=size,
    )
    # Written whole under its final name, in this transaction: a process killed before the
    # commit leaves no row, and the file it may leave is removed (datahub/interruptions.py).
    stored = save_atomically(
        storages["private"],
        f"datahub/{dataset.pk}/{version.number}/{slugify(Path(name).stem)[:80] or 'fichier'}"
        f"{Path(name).suffix.lower()[:8]}",
        File(file),
    )
    version.original.name = stored
    version.save(update_fields=["original"])
    audit_record(
        actor=actor,
        action="datahub.version.upload",
        obj=dataset,
        organisation=dataset.organisation,
        changes={"version": version.number, "file": name, "bytes": size},
    )
    pk = version.pk
    transaction.on_commit(lambda: process_version.enqueue(pk))
    return version


@transaction.atomic
def version_transform(
    *, actor: Any, version: DatasetVersion, operation: str, column: str, column2: str = ""
) -> DatasetVersion:
    """One-click transform: a new version of the dataset made from `version` with `column`
    removed ("drop"), pseudonymised with the dataset's key ("pseudonymise") or generalised
    ("year": dates to years; "commune": coordinates to the commune, `column2` = longitude)."""
    from mediane.datahub.tasks import process_version

    dataset = version.dataset
    require(actor, "transform", dataset)
    if operation not in ("drop", "pseudonymise", "year", "commune"):
        raise ValidationFailed(_("Transformation inconnue."), code="bad_transform")
    if version.status != VersionStatus.READY:
        raise Conflict(_("Cette version n'est pas prête."), code="not_ready")
    labels = [str(c.get("label")) for c in version.columns]
    for name in [column] + ([column2] if operation == "commune" and column2 else []):
        if name not in labels:
            raise ValidationFailed(
                _("Colonne inconnue : « %(c)s ».") % {"c": name}, code="unknown_column"
            )
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    new = DatasetVersion.objects.create(
        dataset=dataset,
        number=_next_number(dataset),
        created_by=actor if getattr(actor, "pk", None) else None,
        original_name=version.original_name,
        derived_from=version,
        transform={"operation": operation, "column": column, "column2": column2},
        schema=dataset.schema,
    )
    audit_record(
        actor=actor,
        action="datahub.version.transform",
        obj=dataset,
        organisation=dataset.organisation,
        changes={
            "from": version.number,
            "to": new.number,
            "operation": operation,
            "column": column,
        },
    )
    pk = new.pk
    transaction.on_commit(lambda: process_version.enqueue(pk))
    return new


@transaction.atomic
def version_make_current(*, actor: Any, version: DatasetVersion) -> Dataset:
    """Go back to an earlier processed version (it becomes the one readers see)."""
    dataset = version.dataset
    require(actor, "change", dataset)
    if version.status != VersionStatus.READY:
        raise Conflict(_("Cette version n'est pas prête."), code="not_ready")
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.visibility != Visibility.PRIVATE and _blocking_without_basis(dataset, version):
        raise Conflict(
            _(
                "Cette version contient des données personnelles bloquantes : rendez d'abord le "
                "jeu de données privé."
            ),
            code="privacy_blocked",
        )
    before = dataset.current_version_id  # type: ignore[attr-defined]
    dataset.current_version = version
    dataset.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=actor,
        action="datahub.version.current",
        obj=dataset,
        organisation=dataset.organisation,
        changes={"from": before, "to": version.pk},
    )
    return dataset


@transaction.atomic
def dataset_delete(*, actor: Any, dataset: Dataset, confirm_slug: str) -> None:
    """Delete a dataset and its versions; the user types the dataset's identifier to confirm."""
    require(actor, "change", dataset)
    if confirm_slug != dataset.slug:
        raise ValidationFailed(
            _("Tapez l'identifiant « %(slug)s » pour confirmer la suppression.")
            % {"slug": dataset.slug},
            code="confirmation",
        )
    import shutil

    from mediane.search.services import remove_document

    audit_record(
        actor=actor,
        action="datahub.dataset.delete",
        obj=dataset,
        organisation=dataset.organisation,
        changes={"title": dataset.title, "versions": dataset.versions.count()},  # type: ignore[attr-defined]
    )
    files = [str(v.original.name) for v in dataset.versions.all() if v.original]  # type: ignore[attr-defined]
    directory = Path(settings.DATAHUB_ROOT) / str(dataset.pk)
    pk = dataset.pk
    from mediane.datahub import publishing  # deletion propagated to the national portals

    online = publishing.online_publications(dataset)
    transaction.on_commit(lambda: publishing.unpublish_all(dataset, actor, online))
    Dataset.objects.filter(pk=pk).update(current_version=None)
    dataset.delete()

    def cleanup() -> None:
        remove_document(kind=search.KIND, object_id=pk)
        storage = storages["private"]
        for name in files:
            storage.delete(name)
        shutil.rmtree(directory, ignore_errors=True)

    transaction.on_commit(cleanup)


@transaction.atomic
def schema_add(
    *, actor: Any, definition: dict[str, Any], identifier: str, version: str
) -> TableSchema:
    """Add a Table Schema (checked by frictionless) that datasets can follow."""
    from mediane.datahub.validation import load_schema

    record = TableSchema(identifier=identifier.strip()[:120], version=version.strip()[:40])
    require(actor, "add", record)
    if not record.identifier or not record.version:
        raise ValidationFailed(_("Donnez un identifiant et une version au schéma."))
    if TableSchema.objects.filter(identifier=record.identifier, version=record.version).exists():
        raise Conflict(_("Ce schéma existe déjà dans cette version."), code="exists")
    try:
        load_schema(definition)
    except Exception as exc:  # the validation module raises its own error with a message
        raise ValidationFailed(
            _("Ce fichier n'est pas un Table Schema valide : %(e)s")
            % {"e": getattr(exc, "message", exc)},
            code="invalid_schema",
        ) from exc
    record.title = str(definition.get("title") or record.identifier)[:200]
    record.definition = definition
    record.homepage = str(definition.get("homepage") or "")[:200]
    record.source = SchemaSource.UPLOADED
    record.added_by = actor
    record.save()
    audit_record(actor=actor, action="datahub.schema.add", obj=record)
    return record


def schemas_sync_shipped() -> int:
    """Create or update the schemas shipped with Médiane (migrations and `mediane demo`)."""
    from mediane.datahub.validation import shipped_schemas

    count = 0
    for info in shipped_schemas():
        import json

        definition = json.loads(Path(info.path).read_text(encoding="utf-8"))
        TableSchema.objects.update_or_create(
            identifier=info.id,
            version=info.version,
            defaults={
                "title": info.title,
                "definition": definition,
                "source": SchemaSource.SHIPPED,
                "homepage": str(definition.get("homepage") or "")[:200],
            },
        )
        count += 1
    return count
