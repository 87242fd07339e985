"""Every write of cooperation: projects, partners, phases, budget, workspace, pooling proposals.

Functions are keyword-only, check the actor's permission first (`core.permissions.require`), run
in `transaction.atomic`, and own their side effects (audit entry, search index, notifications).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.accounts.models import Role, User
from mediane.cooperation.models import (
    BudgetShare,
    Currency,
    Decision,
    Message,
    Milestone,
    PartnerRole,
    Phase,
    PoolingProposal,
    Project,
    ProjectDocument,
    ProjectPartner,
    ProjectStatus,
    ProjectVisibility,
    ProposalStatus,
    Task,
    Thread,
)
from mediane.cooperation.rules import forget_partners, partner_ids
from mediane.core.errors import Conflict, NotFound, ValidationFailed
from mediane.core.models import choice_label, url_or_empty
from mediane.core.permissions import can, has_role, is_secretariat, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.directory.sanitize import clean_text
from mediane.market.attachments import clean_attachment
from mediane.search.services import SearchDocument, index_document, remove_document

TOPIC = "project"
CENT = Decimal("0.01")
S = ProjectStatus
#: The lifecycle: (from, to). Drafts are seen by partners only; closed projects are read-only.
TRANSITIONS = frozenset(
    {
        (S.DRAFT, S.SETUP),
        (S.SETUP, S.DRAFT),
        (S.SETUP, S.ACTIVE),
        (S.ACTIVE, S.SUSPENDED),
        (S.SUSPENDED, S.ACTIVE),
        (S.ACTIVE, S.COMPLETED),
        (S.DRAFT, S.ABANDONED),
        (S.SETUP, S.ABANDONED),
        (S.ACTIVE, S.ABANDONED),
        (S.SUSPENDED, S.ABANDONED),
    }
)
CLOSED_STATUSES = frozenset({S.COMPLETED, S.ABANDONED})

RESERVED_SLUGS = frozenset({"nouveau", "besoins", "export", "propositions", "similaires"})


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _today(now: datetime | None = None) -> date:
    return timezone.localdate(_now(now))


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _field_error(field: str, message: str, *, code: str | None = None) -> ValidationFailed:
    """`message` about one field of the input (shown next to it on the forms)."""
    return ValidationFailed(message, code=code, field_errors={field: [message]})


def _check_currency(currency: str) -> None:
    if currency not in Currency.values:
        raise _field_error("currency", _("Devise inconnue : EUR ou CAD."))


def _check_visibility(visibility: str) -> None:
    if visibility not in ProjectVisibility.values:
        raise _field_error("visibility", _("Visibilité inconnue."))


def _slug(title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:200] or "projet").strip("-") or "projet"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    rows = Project.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    existing = set(rows.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_multiline(value: object) -> str:
    """Plain text keeping its lines: control characters removed, spaces and blank lines
    collapsed (rendered with `linebreaks`, escaped)."""
    text = _CONTROL.sub("", "" if value is None else str(value))
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _required_text(
    value: str, field: str, label: str, max_length: int, *, multiline: bool = False
) -> str:
    text = _optional_text(value, field, label, max_length, multiline=multiline)
    if not text:
        raise _field_error(field, _("Indiquez %(label)s.") % {"label": label})
    return text


def _optional_text(
    value: str, field: str, label: str, max_length: int | None = None, *, multiline: bool = False
) -> str:
    text = (clean_multiline(value) if multiline else clean_text(value or "")).strip()
    if max_length is not None and len(text) > max_length:
        message = _("%(label)s : %(max)s caractères au maximum.") % {
            "label": label.capitalize(),
            "max": max_length,
        }
        raise _field_error(field, message)
    return text


def _content(title: str, summary: str, goals: str, description: str) -> dict[str, Any]:
    """The texts of a project, cleaned and checked."""
    return {
        "title": _required_text(title, "title", _("le titre"), 200),
        "summary": _optional_text(summary, "summary", _("le résumé"), 300),
        "goals": _optional_text(goals, "goals", _("les objectifs"), multiline=True),
        "description": _optional_text(
            description, "description", _("la description"), multiline=True
        ),
    }


def _check_lead(actor: Any, organisation: Organisation) -> None:
    if not is_secretariat(actor) and not has_role(actor, organisation.pk, "editor"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("create")


# --- Projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Any,
    lead: Organisation,
    title: str,
    summary: str = "",
    goals: str = "",
    description: str = "",
    sectors: Iterable[Any] = (),
    territories: Iterable[Any] = (),
    visibility: str = "public",
    currency: str = "EUR",
    is_demo: bool = False,
    now: datetime | None = None,
) -> Project:
    """Create a draft project led by `lead` (the actor edits `lead`, or is the secretariat)."""
    require(actor, "create", Project)
    _check_lead(actor, lead)
    values = _content(title, summary, goals, description)
    _check_visibility(visibility)
    _check_currency(currency)
    project = Project(
        **values,
        slug=_slug(values["title"]),
        status=ProjectStatus.DRAFT,
        visibility=visibility,
        currency=currency,
        is_demo=is_demo,
        created_by=_actor(actor),
    )
    project.save()
    project.sectors.set(list(sectors))
    project.territories.set(list(territories))
    ProjectPartner.objects.create(
        project=project, organisation=lead, role=PartnerRole.LEAD, joined_on=_today(now)
    )
    audit_record(
        actor=actor,
        action="project.create",
        obj=project,
        organisation=lead,
        changes={"lead": lead.pk, "title": project.title},
    )
    return project


# --- Recipients, notifications, search --------------------------------------------------------


def partner_members(project: Project) -> QuerySet[User]:
    """Active members (any role) of the partner organisations: the readers of the workspace."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id__in=ProjectPartner.objects.filter(project=project).values(
            "organisation_id"
        ),
    ).distinct()


def organisation_editors(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=[Role.EDITOR, Role.ADMIN],
    ).distinct()


def _notify(**kwargs: Any) -> int:
    from mediane.notifications.services import notify

    return notify(**kwargs)


def _notify_partners(project: Project, *, actor: Any, verb: str, title: str, url: str = "") -> None:
    _notify(
        recipients=partner_members(project),
        topic=TOPIC,
        verb=verb,
        title=title,
        url=url or project.get_workspace_url(),
        actor=_actor(actor),
        target=project,
    )


def project_document(project: Project) -> SearchDocument:
    """Search entry of a project past its draft: title (A), sectors/territories/partners (B)."""
    keywords = [f"{s.name} {s.name_en}" for s in project.sectors.all()]
    keywords += [t.name for t in project.territories.all()]
    links = list(project.partner_links.select_related("organisation"))  # type: ignore[attr-defined]
    keywords += [link.organisation.name for link in links]
    lead = next((link.organisation_id for link in links if link.role == PartnerRole.LEAD), None)
    return SearchDocument(
        kind="project",
        object_id=project.pk,
        title=project.title,
        body=" ".join(filter(None, [project.summary, project.goals, project.description])),
        keywords=" ".join(keywords),
        visibility=project.visibility,
        owner_id=lead,
        url=project.get_absolute_url(),
    )


def project_reindex(project: Project) -> None:
    """Index a project past its draft with its page's visibility; drafts are never searchable."""
    if project.status == ProjectStatus.DRAFT:
        remove_document(kind="project", object_id=project.pk)
    else:
        index_document(project_document(project))


def iter_project_documents():  # type: ignore[no-untyped-def]
    qs = Project.objects.exclude(status=ProjectStatus.DRAFT).prefetch_related(
        "sectors", "territories"
    )
    for project in qs.order_by("pk").iterator(chunk_size=500):
        yield project_document(project)


def _lock(project: Project) -> Project:
    fresh = Project.objects.select_for_update().only("status").get(pk=project.pk)
    project.status = fresh.status
    return project


def _lead_of(project: Project) -> Organisation | None:
    link = (
        ProjectPartner.objects.filter(project=project, role=PartnerRole.LEAD)
        .select_related("organisation")
        .first()
    )
    return link.organisation if link is not None else None


# --- Project content and lifecycle ------------------------------------------------------------


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: Project,
    title: str,
    summary: str = "",
    goals: str = "",
    description: str = "",
    sectors: Iterable[Any] = (),
    territories: Iterable[Any] = (),
    visibility: str | None = None,
) -> Project:
    """Replace the content of a project (not once it is finished or abandoned)."""
    require(actor, "change", project)
    if _lock(project).status in CLOSED_STATUSES:
        raise Conflict(_("Ce projet est clos : il n'est plus modifiable."), code="locked")
    values = _content(title, summary, goals, description)
    if visibility is not None:
        _check_visibility(visibility)
        values["visibility"] = visibility
    changes = {k: v for k, v in values.items() if getattr(project, k) != v}
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    project.sectors.set(list(sectors))
    project.territories.set(list(territories))
    audit_record(
        actor=actor,
        action="project.update",
        obj=project,
        organisation=_lead_of(project),
        changes=changes,
    )
    project_reindex(project)
    return project


def budget_gap(project: Project) -> Decimal | None:
    """Total minus the sum of the converted shares (None while no total is set)."""
    if project.budget_total is None:
        return None
    shares = sum((s.converted for s in project.budget_shares.all()), Decimal("0"))  # type: ignore[attr-defined]
    return (project.budget_total - shares).quantize(CENT)


@transaction.atomic
def project_set_status(
    *, actor: Any, project: Project, to: str, note: str = "", now: datetime | None = None
) -> Project:
    """Move the project along its lifecycle; starting it needs a budget whose shares add up."""
    require(actor, "change", project)
    from_status = _lock(project).status
    if to not in ProjectStatus.values or (from_status, to) not in TRANSITIONS:
        raise Conflict(
            _("Ce projet ne peut pas passer de l'état « %(old)s » à l'état « %(new)s ».")
            % {
                "old": choice_label(ProjectStatus, from_status),
                "new": choice_label(ProjectStatus, to),
            },
            code="invalid_transition",
        )
    if to == ProjectStatus.ACTIVE and from_status == ProjectStatus.SETUP:
        gap = budget_gap(project)
        if gap is None:
            raise Conflict(
                _("Indiquez le budget total et la part de chaque partenaire avant de démarrer."),
                code="budget_missing",
            )
        if abs(gap) > Decimal("0.01") * max(1, project.budget_shares.count()):  # type: ignore[attr-defined]
            raise Conflict(
                _(
                    "Les parts des partenaires (converties) ne font pas le budget total : "
                    "écart de %(gap)s %(currency)s."
                )
                % {"gap": gap, "currency": project.currency},
                code="budget_unbalanced",
            )
    project.status = to
    project.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=f"project.{to}",
        obj=project,
        organisation=_lead_of(project),
        changes={"status": [from_status, to], **({"note": note} if note else {})},
    )
    project_reindex(project)
    _notify_partners(
        project,
        actor=actor,
        verb="status",
        title=_("« %(title)s » : %(status)s")
        % {"title": project.title, "status": choice_label(ProjectStatus, to)},
        url=project.get_absolute_url(),
    )
    return project


def _check_open(project: Project) -> None:
    if _lock(project).status in CLOSED_STATUSES:
        raise Conflict(_("Ce projet est clos : il n'est plus modifiable."), code="locked")


# --- Partners ---------------------------------------------------------------------------------


@transaction.atomic
def partner_add(
    *, actor: Any, project: Project, organisation: Organisation, now: datetime | None = None
) -> ProjectPartner:
    """Add a partner (a city or any organisation, of either country)."""
    require(actor, "change", project)
    return _add_partner(actor=actor, project=project, organisation=organisation, now=now)


def _add_partner(
    *, actor: Any, project: Project, organisation: Organisation, now: datetime | None
) -> ProjectPartner:
    _check_open(project)
    if ProjectPartner.objects.filter(project=project, organisation=organisation).exists():
        raise Conflict(
            _("%(name)s est déjà partenaire de ce projet.") % {"name": organisation.name},
            code="already_partner",
        )
    link = ProjectPartner.objects.create(
        project=project,
        organisation=organisation,
        role=PartnerRole.PARTNER,
        joined_on=_today(now),
    )
    forget_partners(project)
    audit_record(
        actor=actor,
        action="project.partner_add",
        obj=project,
        organisation=organisation,
        changes={"partner": organisation.pk},
    )
    project_reindex(project)
    _notify_partners(
        project,
        actor=actor,
        verb="partner_added",
        title=_("%(name)s rejoint le projet « %(title)s »")
        % {"name": organisation.name, "title": project.title},
    )
    return link


@transaction.atomic
def partner_remove(*, actor: Any, project: Project, organisation: Organisation) -> None:
    """Remove a partner (never the lead; its budget share goes with it)."""
    require(actor, "change", project)
    _check_open(project)
    link = ProjectPartner.objects.filter(project=project, organisation=organisation).first()
    if link is None:
        raise NotFound(_("Cette organisation n'est pas partenaire du projet."))
    if link.role == PartnerRole.LEAD:
        raise Conflict(_("Le chef de file ne peut pas être retiré."), code="lead")
    BudgetShare.objects.filter(project=project, organisation=organisation).delete()
    Task.objects.filter(
        project=project, owner__memberships__organisation=organisation, done=False
    ).exclude(
        owner__memberships__organisation_id__in=ProjectPartner.objects.filter(project=project)
        .exclude(organisation=organisation)
        .values("organisation_id")
    ).update(owner=None)
    link.delete()
    forget_partners(project)
    audit_record(
        actor=actor,
        action="project.partner_remove",
        obj=project,
        organisation=organisation,
        changes={"partner": organisation.pk},
    )
    project_reindex(project)


# --- Phases and milestones --------------------------------------------------------------------


@transaction.atomic
def phase_add(
    *,
    actor: Any,
    project: Project,
    title: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    description: str = "",
) -> Phase:
    require(actor, "change", project)
    _check_open(project)
    title = _required_text(title, "title", _("l'intitulé de la phase"), 200)
    if starts_on and ends_on and starts_on > ends_on:
        raise _field_error("ends_on", _("La fin de la phase doit suivre son début."))
    position = (project.phases.aggregate(m=Max("position"))["m"] or 0) + 1  # type: ignore[attr-defined]
    phase = Phase.objects.create(
        project=project,
        title=title,
        description=_optional_text(description, "description", _("la description"), multiline=True),
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit_record(
        actor=actor, action="project.phase_add", obj=project, changes={"phase": phase.title}
    )
    return phase


@transaction.atomic
def phase_delete(*, actor: Any, phase: Phase) -> None:
    require(actor, "change", phase.project)
    _check_open(phase.project)
    audit_record(
        actor=actor,
        action="project.phase_delete",
        obj=phase.project,
        changes={"phase": phase.title},
    )
    phase.delete()


@transaction.atomic
def milestone_add(*, actor: Any, phase: Phase, title: str, due_on: date | None) -> Milestone:
    require(actor, "change", phase.project)
    _check_open(phase.project)
    title = _required_text(title, "title", _("l'intitulé du jalon"), 200)
    if due_on is None:
        raise _field_error("due_on", _("Indiquez la date du jalon."))
    milestone = Milestone.objects.create(phase=phase, title=title, due_on=due_on)
    audit_record(
        actor=actor,
        action="project.milestone_add",
        obj=phase.project,
        changes={"milestone": title, "due_on": due_on},
    )
    return milestone


@transaction.atomic
def milestone_set_done(
    *, actor: Any, milestone: Milestone, done: bool = True, now: datetime | None = None
) -> Milestone:
    project = milestone.phase.project
    require(actor, "workspace", project)
    _check_open(project)
    milestone.done = done
    milestone.done_at = _now(now) if done else None
    milestone.save(update_fields=["done", "done_at"])
    audit_record(
        actor=actor,
        action="project.milestone_done" if done else "project.milestone_reopen",
        obj=project,
        changes={"milestone": milestone.title},
    )
    return milestone


# --- Budget -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareInput:
    """A partner's share: amount in `currency`, `rate` converts it to the project's currency."""

    organisation: Organisation
    amount: Decimal | str | int
    currency: str
    rate: Decimal | str | int = Decimal("1")
    rate_date: date | None = None
    note: str = ""


def _decimal(value: Any, field: str, label: str, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _field_error(field, _("%(label)s : nombre attendu.") % {"label": label}) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        message = (
            _("%(label)s : nombre strictement positif attendu.")
            if positive
            else _("%(label)s : nombre positif attendu.")
        ) % {"label": label}
        raise _field_error(field, message)
    if abs(number) >= Decimal("1e12"):
        raise _field_error(field, _("%(label)s : nombre trop grand.") % {"label": label})
    return number


def _clean_share(project: Project, share: ShareInput, partner_ids: set[int]) -> dict[str, Any]:
    if share.organisation.pk not in partner_ids:
        raise _field_error(
            "organisation",
            _("%(name)s n'est pas partenaire du projet.") % {"name": share.organisation.name},
        )
    _check_currency(share.currency)
    amount = _decimal(share.amount, "amount", _("Montant")).quantize(CENT)
    rate = _decimal(share.rate, "rate", _("Taux"), positive=True).quantize(Decimal("0.000001"))
    if rate >= 1000 or rate == 0:
        raise _field_error("rate", _("Taux : entre 0,000001 et 999,999999."))
    if share.currency == project.currency and rate != 1:
        raise _field_error("rate", _("Une part dans la devise du projet se convertit au taux 1."))
    if share.currency != project.currency and share.rate_date is None:
        raise _field_error("rate_date", _("Indiquez la date du taux de change utilisé."))
    return {
        "amount": amount,
        "currency": share.currency,
        "rate": rate,
        "rate_date": share.rate_date or timezone.localdate(),
        "note": _optional_text(share.note, "note", _("la note"), 200),
    }


def _sum_converted(values: Iterable[dict[str, Any]]) -> Decimal:
    return sum(((v["amount"] * v["rate"]).quantize(CENT) for v in values), Decimal("0"))


@transaction.atomic
def budget_set(
    *,
    actor: Any,
    project: Project,
    total: Decimal | str | int,
    currency: str,
    shares: Iterable[ShareInput],
) -> Project:
    """Set the total and every partner's share at once; the converted shares must add up to the
    total (to the cent, per share for rounding)."""
    require(actor, "change", project)
    _check_open(project)
    _check_currency(currency)
    project.currency = currency
    amount = _decimal(total, "budget_total", _("Budget total")).quantize(CENT)
    ids = partner_ids(project)
    cleaned: dict[int, dict[str, Any]] = {}
    for share in shares:
        if share.organisation.pk in cleaned:
            raise _field_error("organisation", _("Une seule part par partenaire."))
        cleaned[share.organisation.pk] = _clean_share(project, share, ids)
    converted = _sum_converted(cleaned.values())
    if abs(converted - amount) > Decimal("0.01") * max(1, len(cleaned)):
        message = _(
            "Les parts converties font %(sum)s %(currency)s pour un budget de %(total)s "
            "%(currency)s : elles doivent faire le total (écart : %(gap)s)."
        ) % {"sum": converted, "total": amount, "currency": currency, "gap": amount - converted}
        raise _field_error("shares", message, code="budget_unbalanced")
    project.budget_total = amount
    project.save(update_fields=["currency", "budget_total", "updated_at"])
    BudgetShare.objects.filter(project=project).delete()
    BudgetShare.objects.bulk_create(
        [BudgetShare(project=project, organisation_id=pk, **v) for pk, v in cleaned.items()]
    )
    audit_record(
        actor=actor,
        action="project.budget_set",
        obj=project,
        organisation=_lead_of(project),
        changes={
            "total": amount,
            "currency": currency,
            "shares": {pk: [v["amount"], v["currency"], v["rate"]] for pk, v in cleaned.items()},
        },
    )
    return project


@transaction.atomic
def budget_total_set(
    *, actor: Any, project: Project, total: Decimal | str | int, currency: str
) -> Project:
    """Set the total alone (the shares stay; the page shows the gap left to share out)."""
    require(actor, "change", project)
    _check_open(project)
    _check_currency(currency)
    if currency != project.currency and project.budget_shares.exists():  # type: ignore[attr-defined]
        message = _(
            "Changer la devise du projet change tous les taux : "
            "saisissez le budget complet (total et parts)."
        )
        raise _field_error("currency", message)
    amount = _decimal(total, "budget_total", _("Budget total")).quantize(CENT)
    shares = _sum_converted(
        {"amount": s.amount, "rate": s.rate}
        for s in project.budget_shares.all()  # type: ignore[attr-defined]
    )
    if shares > amount:
        message = _(
            "Les parts déjà saisies font %(sum)s %(currency)s : "
            "le total ne peut pas être plus petit."
        ) % {"sum": shares, "currency": currency}
        raise _field_error("budget_total", message)
    project.budget_total = amount
    project.currency = currency
    project.save(update_fields=["currency", "budget_total", "updated_at"])
    audit_record(
        actor=actor,
        action="project.budget_total",
        obj=project,
        changes={"total": amount, "currency": currency},
    )
    return project


@transaction.atomic
def budget_share_set(*, actor: Any, project: Project, share: ShareInput) -> BudgetShare:
    """Set one partner's share; the converted shares may never exceed the total."""
    require(actor, "change", project)
    _check_open(project)
    if project.budget_total is None:
        raise _field_error("budget_total", _("Indiquez d'abord le budget total du projet."))
    values = _clean_share(project, share, partner_ids(project))
    others = [
        {"amount": s.amount, "rate": s.rate}
        for s in project.budget_shares.exclude(organisation=share.organisation)  # type: ignore[attr-defined]
    ]
    converted = _sum_converted([*others, values])
    if converted > project.budget_total + Decimal("0.01") * (len(others) + 1):
        message = _(
            "Avec cette part, les parts converties font %(sum)s %(currency)s : "
            "plus que le budget total (%(total)s %(currency)s)."
        ) % {"sum": converted, "total": project.budget_total, "currency": project.currency}
        raise _field_error("amount", message, code="budget_exceeded")
    row, _created = BudgetShare.objects.update_or_create(
        project=project, organisation=share.organisation, defaults=values
    )
    audit_record(
        actor=actor,
        action="project.budget_share",
        obj=project,
        organisation=share.organisation,
        changes={
            "amount": values["amount"],
            "currency": values["currency"],
            "rate": values["rate"],
        },
    )
    return row


# --- Documents, decisions ---------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, actor: Any, project: Project, file: IO[bytes] | Any, title: str = "", name: str | None = None
) -> ProjectDocument:
    """A document of the workspace, accepted for what its bytes are (market's checks)."""
    require(actor, "workspace", project)
    _check_open(project)
    checked = clean_attachment(file, name=name)
    label = clean_text(title or "").strip()[:200] or checked.content.name or _("Document")
    document = ProjectDocument.objects.create(
        project=project,
        title=label,
        file=checked.content,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action="project.document_upload",
        obj=project,
        changes={"document": document.title, "size": document.size},
    )
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: ProjectDocument) -> None:
    """Delete a document: who uploaded it, or the lead's editors."""
    project = document.project
    own = getattr(actor, "pk", None) is not None and document.uploaded_by_id == actor.pk  # type: ignore[attr-defined]
    if not (own and can(actor, "workspace", project)):
        require(actor, "change", project)
    audit_record(
        actor=actor,
        action="project.document_delete",
        obj=project,
        changes={"document": document.title},
    )
    document.file.delete(save=False)
    document.delete()


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    project: Project,
    decided_on: date | None,
    decision: str,
    made_by: str,
    context: str = "",
) -> Decision:
    """Add an entry to the decision log and tell the partners."""
    require(actor, "decide", project)
    _check_open(project)
    if decided_on is None:
        raise _field_error("decided_on", _("Indiquez la date de la décision."))
    entry = Decision.objects.create(
        project=project,
        decided_on=decided_on,
        decision=_required_text(decision, "decision", _("la décision"), 5000, multiline=True),
        made_by=_required_text(made_by, "made_by", _("qui a décidé"), 200),
        context=_optional_text(context, "context", _("le contexte"), 5000, multiline=True),
        recorded_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action="project.decision",
        obj=project,
        changes={"decision": entry.decision[:200], "decided_on": decided_on},
    )
    _notify_partners(
        project,
        actor=actor,
        verb="decision",
        title=_("Décision sur « %(title)s » : %(decision)s")
        % {"title": project.title, "decision": entry.decision[:120]},
    )
    return entry


# --- Threads and tasks ------------------------------------------------------------------------


@transaction.atomic
def thread_create(
    *, actor: Any, project: Project, title: str, body: str, now: datetime | None = None
) -> Thread:
    """Open a discussion with its first message (plain text)."""
    require(actor, "workspace", project)
    _check_open(project)
    thread = Thread.objects.create(
        project=project,
        title=_required_text(title, "title", _("le sujet"), 200),
        created_by=_actor(actor),
        last_message_at=_now(now),
    )
    _message(actor, thread, body, now)
    audit_record(
        actor=actor, action="project.thread", obj=project, changes={"thread": thread.title}
    )
    return thread


def _message(actor: Any, thread: Thread, body: str, now: datetime | None) -> Message:
    text = _required_text(body, "body", _("votre message"), 10000, multiline=True)
    message = Message.objects.create(thread=thread, author=_actor(actor), body=text)
    thread.last_message_at = _now(now)
    thread.save(update_fields=["last_message_at"])
    return message


@transaction.atomic
def message_post(*, actor: Any, thread: Thread, body: str, now: datetime | None = None) -> Message:
    require(actor, "workspace", thread.project)
    _check_open(thread.project)
    return _message(actor, thread, body, now)


def _check_owner(project: Project, owner: User | None) -> None:
    """A task's owner is an active member of a partner organisation."""
    if owner is None:
        return
    if not partner_members(project).filter(pk=owner.pk).exists():
        raise _field_error(
            "owner", _("Le responsable doit être membre d'une organisation partenaire.")
        )


def _notify_owner(task: Task, actor: Any) -> None:
    if task.owner is None:
        return
    _notify(
        recipients=[task.owner],
        topic=TOPIC,
        verb="task_assigned",
        title=_("Tâche confiée : %(task)s (« %(title)s »)")
        % {"task": task.title, "title": task.project.title},
        url=task.project.get_workspace_url() + "?onglet=taches",
        actor=_actor(actor),
        target=task.project,
    )


@transaction.atomic
def task_create(
    *,
    actor: Any,
    project: Project,
    title: str,
    owner: User | None = None,
    due_on: date | None = None,
    description: str = "",
) -> Task:
    require(actor, "workspace", project)
    _check_open(project)
    _check_owner(project, owner)
    task = Task.objects.create(
        project=project,
        title=_required_text(title, "title", _("l'intitulé de la tâche"), 200),
        description=_optional_text(
            description, "description", _("la description"), 5000, multiline=True
        ),
        owner=owner,
        due_on=due_on,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action="project.task",
        obj=project,
        changes={"task": task.title, "owner": getattr(owner, "pk", None), "due_on": due_on},
    )
    _notify_owner(task, actor)
    return task


@transaction.atomic
def task_assign(*, actor: Any, task: Task, owner: User | None) -> Task:
    require(actor, "workspace", task.project)
    _check_open(task.project)
    _check_owner(task.project, owner)
    changed = task.owner_id != getattr(owner, "pk", None)  # type: ignore[attr-defined]
    task.owner = owner
    task.save(update_fields=["owner"])
    audit_record(
        actor=actor,
        action="project.task_assign",
        obj=task.project,
        changes={"task": task.title, "owner": getattr(owner, "pk", None)},
    )
    if changed:
        _notify_owner(task, actor)
    return task


@transaction.atomic
def task_set_done(
    *, actor: Any, task: Task, done: bool = True, now: datetime | None = None
) -> Task:
    require(actor, "workspace", task.project)
    _check_open(task.project)
    task.done = done
    task.done_at = _now(now) if done else None
    task.save(update_fields=["done", "done_at"])
    audit_record(
        actor=actor,
        action="project.task_done" if done else "project.task_reopen",
        obj=task.project,
        changes={"task": task.title},
    )
    return task


# --- Pooling proposals ------------------------------------------------------------------------


def need_owner(target: Any) -> Organisation | None:
    """The organisation behind a need: a project's lead, a challenge's lead issuer."""
    if isinstance(target, Project):
        return _lead_of(target)
    return target.lead_issuer


@transaction.atomic
def pooling_propose(
    *,
    actor: Any,
    from_organisation: Organisation,
    target: Any,
    message: str = "",
    source_project: Project | None = None,
) -> PoolingProposal:
    """Propose to the city behind `target` (a project or a challenge) to pool it with ours."""
    from django.core.exceptions import PermissionDenied

    from mediane.market.models import Challenge

    if not has_role(actor, from_organisation.pk, "editor"):
        raise PermissionDenied("propose")
    if not isinstance(target, Project | Challenge) or not can(actor, "view", target):
        raise NotFound(_("Besoin introuvable."))
    to_organisation = need_owner(target)
    if to_organisation is None or to_organisation.pk == from_organisation.pk:
        raise ValidationFailed(
            _("Ce besoin est déjà celui de votre organisation."), code="same_organisation"
        )
    if source_project is not None:
        require(actor, "change", source_project)
        if from_organisation.pk not in partner_ids(source_project):
            raise ValidationFailed(_("Ce projet n'est pas celui de votre organisation."))
    is_project = isinstance(target, Project)
    if isinstance(target, Project) and from_organisation.pk in partner_ids(target):
        raise Conflict(
            _("%(name)s est déjà partenaire de ce projet.") % {"name": from_organisation.name},
            code="already_partner",
        )
    field = "target_project" if is_project else "target_challenge"
    if PoolingProposal.objects.filter(
        from_organisation=from_organisation, status=ProposalStatus.PROPOSED, **{field: target}
    ).exists():
        raise Conflict(
            _("Une proposition de mutualisation attend déjà la réponse de %(name)s.")
            % {"name": to_organisation.name},
            code="already_proposed",
        )
    proposal = PoolingProposal.objects.create(
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        message=_optional_text(message, "message", _("le message"), 2000, multiline=True),
        source_project=source_project,
        proposed_by=_actor(actor),
        **{field: target},
    )
    audit_record(
        actor=actor,
        action="pooling.propose",
        obj=proposal,
        organisation=from_organisation,
        changes={"to": to_organisation.pk, "target": [field, target.pk]},
    )
    _notify(
        recipients=organisation_editors(to_organisation.pk),
        topic=TOPIC,
        verb="pooling_proposed",
        title=_("%(city)s propose de mutualiser « %(need)s »")
        % {"city": from_organisation.name, "need": str(target)},
        url=_proposals_url(),
        actor=_actor(actor),
        target=proposal,
    )
    return proposal


def _proposals_url() -> str:
    return url_or_empty("cooperation:proposals")


def _answer(actor: Any, proposal: PoolingProposal, status: str, now: datetime | None) -> None:
    require(actor, "answer", proposal)
    fresh = PoolingProposal.objects.select_for_update().get(pk=proposal.pk)
    if fresh.status != ProposalStatus.PROPOSED:
        raise Conflict(_("Cette proposition a déjà reçu une réponse."), code="already_answered")
    proposal.status = status
    proposal.decided_by = _actor(actor)
    proposal.decided_at = _now(now)
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


def _tell_proposer(
    actor: Any, proposal: PoolingProposal, verb: str, title: str, *, url: str
) -> None:
    """Notify the proposer's editors of the answer; `title` names the answering `city` and the
    `need`."""
    _notify(
        recipients=organisation_editors(proposal.from_organisation_id),  # type: ignore[attr-defined]
        topic=TOPIC,
        verb=verb,
        title=title % {"city": proposal.to_organisation.name, "need": str(proposal.target)},
        url=url,
        actor=_actor(actor),
        target=proposal,
    )


@transaction.atomic
def pooling_accept(
    *, actor: Any, proposal: PoolingProposal, now: datetime | None = None
) -> PoolingProposal:
    """Accept: the proposer joins the target project, or we join the proposer's project."""
    _answer(actor, proposal, ProposalStatus.ACCEPTED, now)
    joined: Project | None = None
    if proposal.target_project is not None:
        joined = proposal.target_project
        newcomer = proposal.from_organisation
    elif proposal.source_project is not None:
        joined = proposal.source_project
        newcomer = proposal.to_organisation
    if joined is not None and newcomer.pk not in partner_ids(joined):
        _add_partner(actor=actor, project=joined, organisation=newcomer, now=now)
    audit_record(
        actor=actor,
        action="pooling.accept",
        obj=proposal,
        organisation=proposal.to_organisation,
        changes={"joined": joined.pk if joined is not None else None},
    )
    _tell_proposer(
        actor,
        proposal,
        "pooling_accepted",
        _("%(city)s accepte de mutualiser « %(need)s »"),
        url=joined.get_workspace_url() if joined is not None else _proposals_url(),
    )
    return proposal


@transaction.atomic
def pooling_decline(
    *, actor: Any, proposal: PoolingProposal, now: datetime | None = None
) -> PoolingProposal:
    _answer(actor, proposal, ProposalStatus.DECLINED, now)
    audit_record(
        actor=actor,
        action="pooling.decline",
        obj=proposal,
        organisation=proposal.to_organisation,
    )
    _tell_proposer(
        actor,
        proposal,
        "pooling_declined",
        _("%(city)s décline la mutualisation de « %(need)s »"),
        url=_proposals_url(),
    )
    return proposal
