"""Every write of cooperation: projects, partners, phases, budget, workspace, pooling proposals.

Functions are keyword-only, check the actor's permission first (`core.permissions.require`), run
in `transaction.atomic`, and own their side effects (audit entry, search index, notifications).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.cooperation.models import (
    PartnerRole,
    Project,
    ProjectPartner,
    ProjectStatus,
)
from mediane.core.errors import ValidationFailed
from mediane.core.permissions import has_role, is_secretariat, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.directory.sanitize import clean_text

RESERVED_SLUGS = frozenset({"nouveau", "besoins", "export", "propositions", "similaires"})


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _today(now: datetime | None = None) -> date:
    return timezone.localdate(_now(now))


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


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


def _required_text(value: str, field: str, label: str, max_length: int) -> str:
    text = clean_text(value or "").strip()
    if not text:
        message = _("Indiquez %(label)s.") % {"label": label}
        raise ValidationFailed(message, field_errors={field: [message]})
    if len(text) > max_length:
        message = _("%(label)s : %(max)s caractères au maximum.") % {
            "label": label.capitalize(),
            "max": max_length,
        }
        raise ValidationFailed(message, field_errors={field: [message]})
    return text


def _optional_text(value: str, field: str, label: str, max_length: int | None = None) -> str:
    text = clean_text(value or "").strip()
    if max_length is not None and len(text) > max_length:
        message = _("%(label)s : %(max)s caractères au maximum.") % {
            "label": label.capitalize(),
            "max": max_length,
        }
        raise ValidationFailed(message, field_errors={field: [message]})
    return text


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
    values = {
        "title": _required_text(title, "title", _("le titre"), 200),
        "summary": _optional_text(summary, "summary", _("le résumé"), 300),
        "goals": _optional_text(goals, "goals", _("les objectifs")),
        "description": _optional_text(description, "description", _("la description")),
    }
    if visibility not in ("public", "network"):
        raise ValidationFailed(
            _("Visibilité inconnue."), field_errors={"visibility": [_("Visibilité inconnue.")]}
        )
    if currency not in ("EUR", "CAD"):
        raise ValidationFailed(
            _("Devise inconnue : EUR ou CAD."),
            field_errors={"currency": [_("Devise inconnue : EUR ou CAD.")]},
        )
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
