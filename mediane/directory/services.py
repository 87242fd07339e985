"""Write services of the directory: organisations, logos, experts.

Every function is keyword-only, atomic, checks the actor's permission, records an audit entry
and keeps the search index in step. Validation lives in `mediane.directory.inputs` so that the
forms, the API and the importer report the same French messages.

Creation policy: the actor who creates an organisation becomes its administrator (a Membership
with role admin), so that a company or a city can manage its own profile. The secretariat
usually creates organisations on behalf of others (demo, imports, moderation): it does not
become a member unless it asks for it with `make_admin=True`.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import forget_roles, is_secretariat, require
from mediane.core.services import audit_record
from mediane.directory.inputs import (
    CleanOrganisation,
    ExpertInput,
    OrganisationInput,
    skill_objects,
    validate_expert,
    validate_organisation,
)
from mediane.directory.logos import clean_logo
from mediane.directory.models import Expert, Organisation
from mediane.directory.sanitize import html_to_text
from mediane.search.services import SearchDocument, index_document, remove_document

DIRECTORY_GENERATION_KEY = "directory:generation"
RESERVED_SLUGS = {"experts", "nouvelle", "export", "export-csv"}
AUDITED_FIELDS = (
    "name",
    "kind",
    "country",
    "siren",
    "siret",
    "neq",
    "territory",
    "latitude",
    "longitude",
    "website",
    "summary",
    "description",
    "contact_email",
    "visibility",
    "is_demo",
)


def directory_changed() -> None:
    """Invalidate the cached facet counts of the directory pages (see selectors)."""
    try:
        cache.incr(DIRECTORY_GENERATION_KEY)
    except ValueError:
        cache.set(DIRECTORY_GENERATION_KEY, 1, None)


# --- Search documents ------------------------------------------------------------------------


def organisation_document(organisation: Organisation) -> SearchDocument:
    """The search entry of an organisation: name (A), kind, sectors, territory (B), text (C)."""
    territory = organisation.territory
    keywords = [str(organisation.get_kind_display())]  # type: ignore[attr-defined]
    keywords += [f"{s.name} {s.name_en}" for s in organisation.sectors.all()]
    if territory is not None:
        keywords.append(territory.name)
    keywords += [v for v in (organisation.siren, organisation.siret, organisation.neq) if v]
    return SearchDocument(
        kind="organisation",
        object_id=organisation.pk,
        title=organisation.name,
        body=" ".join(filter(None, [organisation.summary, html_to_text(organisation.description)])),
        keywords=" ".join(keywords),
        visibility=organisation.visibility,
        owner_id=organisation.pk,
        url=organisation.get_absolute_url(),
    )


def expert_document(expert: Expert) -> SearchDocument:
    keywords = [s.name for s in expert.skills.all()] + [s.name for s in expert.sectors.all()]
    keywords += [t.name for t in expert.territories_served.all()]
    return SearchDocument(
        kind="expert",
        object_id=expert.pk,
        title=expert.name,
        body=" ".join(filter(None, [expert.headline, html_to_text(expert.bio)])),
        keywords=" ".join(keywords),
        visibility=expert.visibility,
        owner_id=expert.organisation_id,  # type: ignore[attr-defined]
        url=expert.get_absolute_url(),
    )


def iter_organisation_documents():  # type: ignore[no-untyped-def]
    """All organisations as search documents (used by `mediane reindex`)."""
    qs = Organisation.objects.select_related("territory").prefetch_related("sectors")
    for organisation in qs.order_by("pk").iterator(chunk_size=2000):
        yield organisation_document(organisation)


def iter_expert_documents():  # type: ignore[no-untyped-def]
    qs = Expert.objects.prefetch_related("skills", "sectors", "territories_served")
    for expert in qs.order_by("pk").iterator(chunk_size=2000):
        yield expert_document(expert)


# --- Organisations ---------------------------------------------------------------------------


def unique_slug(
    model: Any, name: str, *, exclude_pk: int | None = None, taken: set | None = None
) -> str:
    """A slug from `name` not used by another row of `model` (nor in `taken`, for bulk writes)."""
    base = (slugify(name)[:200] or "organisation").strip("-") or "organisation"
    if base in RESERVED_SLUGS:  # would shadow a page of the directory
        base = f"{base}-1"
    if taken is not None:
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug
    existing = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_or_raise(data: OrganisationInput) -> CleanOrganisation:
    clean, errors = validate_organisation(data)
    if clean is None:
        raise ValidationFailed(
            _("L'organisation n'a pas pu être enregistrée : corrigez les champs signalés."),
            field_errors=errors,
        )
    return clean


def _check_unique_identifiers(values: dict[str, Any], exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    others = Organisation.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for name in ("siret", "neq"):
        value = values.get(name)
        if value and others.filter(**{name: value}).exists():
            errors[name] = [_("Une organisation portant ce numéro existe déjà dans l'annuaire.")]
    if errors:
        raise Conflict(_("Cette organisation existe déjà."), code="duplicate", field_errors=errors)


def organisation_write_new(
    *, actor: Any, clean: CleanOrganisation, slug: str | None = None, audit_action: str = "create"
) -> Organisation:
    """Insert a validated organisation with its sectors, audit entry and search entry.

    Shared by `organisation_create` and the importer (which checks permissions itself).
    """
    organisation = Organisation(**clean.values)
    organisation.slug = slug or unique_slug(Organisation, organisation.name)
    organisation.created_by = actor if getattr(actor, "is_authenticated", False) else None
    organisation.save()
    organisation.sectors.set(clean.sectors)
    audit_record(
        actor=actor,
        action=f"organisation.{audit_action}",
        obj=organisation,
        organisation=organisation,
        changes={"created": {k: clean.values[k] for k in AUDITED_FIELDS if clean.values.get(k)}},
    )
    index_document(organisation_document(organisation))
    return organisation


@transaction.atomic
def organisation_create(
    *, actor: Any, data: OrganisationInput, make_admin: bool | None = None
) -> Organisation:
    """Create an organisation; the actor becomes its admin (see module docstring)."""
    from mediane.accounts.models import Membership, Role

    require(actor, "create", Organisation)
    clean = _clean_or_raise(data)
    _check_unique_identifiers(clean.values)
    try:
        with transaction.atomic():
            organisation = organisation_write_new(actor=actor, clean=clean)
    except IntegrityError as exc:  # a concurrent insert with the same identifier
        raise Conflict(_("Cette organisation existe déjà."), code="duplicate") from exc
    if make_admin is None:
        make_admin = not is_secretariat(actor)
    if make_admin:
        Membership.objects.create(user=actor, organisation=organisation, role=Role.ADMIN)
        forget_roles(actor)
    transaction.on_commit(directory_changed)
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, data: OrganisationInput
) -> Organisation:
    """Replace the profile of `organisation` with `data` (build it with `from_organisation`)."""
    require(actor, "change", organisation)
    clean = _clean_or_raise(data)
    _check_unique_identifiers(clean.values, exclude_pk=organisation.pk)
    changes: dict[str, Any] = {}
    for name, value in clean.values.items():
        old = getattr(organisation, name)
        if old != value:
            changes[name] = [old, value]
            setattr(organisation, name, value)
    old_sectors = sorted(s.slug for s in organisation.sectors.all())
    new_sectors = sorted(s.slug for s in clean.sectors)
    if old_sectors != new_sectors:
        changes["sectors"] = [old_sectors, new_sectors]
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise Conflict(_("Cette organisation existe déjà."), code="duplicate") from exc
    organisation.sectors.set(clean.sectors)
    audit_record(
        actor=actor,
        action="organisation.update",
        obj=organisation,
        organisation=organisation,
        changes=changes,
    )
    index_document(organisation_document(organisation))
    transaction.on_commit(directory_changed)
    return organisation


@transaction.atomic
def organisation_delete(*, actor: Any, organisation: Organisation) -> None:
    """Delete an organisation, its memberships and experts; the audit entry keeps its name."""
    require(actor, "delete", organisation)
    pk = organisation.pk
    expert_ids = list(organisation.experts.values_list("pk", flat=True))  # type: ignore[attr-defined]
    audit_record(actor=actor, action="organisation.delete", obj=organisation)
    logo_name = organisation.logo.name if organisation.logo else ""
    organisation.delete()
    remove_document(kind="organisation", object_id=pk)
    for expert_id in expert_ids:
        remove_document(kind="expert", object_id=expert_id)
    if logo_name:
        storage = Organisation._meta.get_field("logo").storage  # type: ignore[attr-defined]
        transaction.on_commit(lambda: storage.delete(logo_name))
    transaction.on_commit(directory_changed)


@transaction.atomic
def organisation_set_logo(
    *, actor: Any, organisation: Organisation, file: IO[bytes] | None
) -> Organisation:
    """Replace (or remove, with file=None) the logo after checking the image's content."""
    require(actor, "change", organisation)
    old_name = organisation.logo.name if organisation.logo else ""
    if file is None:
        organisation.logo = ""  # type: ignore[assignment]
    else:
        content = clean_logo(file, name=organisation.slug[:80])
        assert content.name is not None  # clean_logo always names the file
        organisation.logo.save(content.name, content, save=False)
    organisation.save(update_fields=["logo", "updated_at"])
    new_name = organisation.logo.name if organisation.logo else ""
    storage = organisation.logo.storage
    if old_name and old_name != new_name:
        # The replaced (or removed) file is deleted only once the change is committed.
        transaction.on_commit(lambda: storage.delete(old_name))
    audit_record(
        actor=actor,
        action="organisation.set_logo",
        obj=organisation,
        organisation=organisation,
        changes={"logo": [old_name, new_name]},
    )
    return organisation


# --- Experts ---------------------------------------------------------------------------------


def _clean_expert_or_raise(data: ExpertInput):  # type: ignore[no-untyped-def]
    clean, errors = validate_expert(data)
    if clean is None:
        raise ValidationFailed(
            _("Le profil d'expert n'a pas pu être enregistré : corrigez les champs signalés."),
            field_errors=errors,
        )
    return clean


def _set_expert_relations(expert: Expert, clean: Any) -> None:
    expert.skills.set(skill_objects(clean.skills))
    expert.sectors.set(clean.sectors)
    expert.territories_served.set(clean.territories)


@transaction.atomic
def expert_create(*, actor: Any, data: ExpertInput) -> Expert:
    """Create an expert profile; a person creating their own profile is linked to it."""
    require(actor, "create", Expert)
    clean = _clean_expert_or_raise(data)
    values = dict(clean.values)
    organisation = values.get("organisation")
    if organisation is not None:
        require(actor, "change", organisation)
    if "user_id" in values and values["user_id"] != actor.pk and not is_secretariat(actor):
        raise ValidationFailed(
            _("Vous ne pouvez pas créer le profil d'une autre personne."),
            field_errors={"user": [_("Personne non autorisée.")]},
        )
    if values.get("user_id") and Expert.objects.filter(user_id=values["user_id"]).exists():
        raise Conflict(_("Cette personne a déjà un profil d'expert."), code="duplicate")
    expert = Expert(**values)
    expert.slug = unique_slug(Expert, expert.name)
    expert.save()
    _set_expert_relations(expert, clean)
    audit_record(actor=actor, action="expert.create", obj=expert, organisation=organisation)
    index_document(expert_document(expert))
    return expert


@transaction.atomic
def expert_update(*, actor: Any, expert: Expert, data: ExpertInput) -> Expert:
    require(actor, "change", expert)
    clean = _clean_expert_or_raise(data)
    values = dict(clean.values)
    values.pop("user_id", None)  # the linked person is not changed here
    organisation = values.get("organisation")
    if organisation is not None and organisation.pk != expert.organisation_id:  # type: ignore[attr-defined]
        require(actor, "change", organisation)
    changes = {}
    for name, value in values.items():
        if getattr(expert, name) != value:
            changes[name] = [getattr(expert, name), value]
            setattr(expert, name, value)
    expert.save()
    _set_expert_relations(expert, clean)
    audit_record(
        actor=actor,
        action="expert.update",
        obj=expert,
        organisation=expert.organisation,
        changes=changes,
    )
    index_document(expert_document(expert))
    return expert


@transaction.atomic
def expert_delete(*, actor: Any, expert: Expert) -> None:
    require(actor, "delete", expert)
    pk = expert.pk
    audit_record(actor=actor, action="expert.delete", obj=expert, organisation=expert.organisation)
    expert.delete()
    remove_document(kind="expert", object_id=pk)
