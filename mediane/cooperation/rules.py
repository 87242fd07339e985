"""Permission rules of cooperation (`core.permissions.rule`).

*Partners' members* are the members (any role) of the project's partner organisations, lead
included; the *lead's editors* are the editors and admins of the lead organisation. Rules answer
"who"; the services also check "when" (state of the project) and say why in French.
"""

from __future__ import annotations

from typing import Any

from mediane.cooperation.models import (
    PartnerRole,
    PoolingProposal,
    Project,
    ProjectDocument,
    ProjectStatus,
    ProjectVisibility,
)
from mediane.core.permissions import (
    has_role,
    is_network_member,
    is_secretariat,
    role_in,
    rule,
    user_roles,
)


def partner_ids(project: Project) -> set[int]:
    """Ids of the partner organisations, lead included (cached; prefetch `partner_links`)."""
    cached = getattr(project, "_partner_ids", None)
    if cached is None:
        if project.pk is None:
            return set()
        links = project.partner_links.all()  # type: ignore[attr-defined]
        cached = {link.organisation_id for link in links}
        project._partner_ids = cached  # type: ignore[attr-defined]
        project._lead_id = next(  # type: ignore[attr-defined]
            (link.organisation_id for link in links if link.role == PartnerRole.LEAD), None
        )
    return set(cached)


def lead_id(project: Project) -> int | None:
    partner_ids(project)
    return getattr(project, "_lead_id", None)


def forget_partners(project: Project) -> None:
    for name in ("_partner_ids", "_lead_id"):
        project.__dict__.pop(name, None)


def is_partner_member(user: Any, project: Project) -> bool:
    return any(role_in(user, org_id) is not None for org_id in partner_ids(project))


def is_lead_editor(user: Any, project: Project) -> bool:
    return has_role(user, lead_id(project), "editor")


def is_partner_editor(user: Any, project: Project) -> bool:
    return any(has_role(user, org_id, "editor") for org_id in partner_ids(project))


# --- Projects ---------------------------------------------------------------------------------


@rule(Project, "view")
def project_view(user: Any, obj: Any) -> bool:
    """The public page: drafts only for partners; then public, or network members only."""
    if is_secretariat(user) or is_partner_member(user, obj):
        return True
    if obj.status == ProjectStatus.DRAFT:
        return False
    if obj.visibility == ProjectVisibility.PUBLIC:
        return True
    return is_network_member(user)


@rule(Project, "create")
def project_create(user: Any, obj: Any) -> bool:
    # The object check (editor of the lead organisation) is made by the service.
    return is_secretariat(user) or any(
        role in ("editor", "admin") for role in user_roles(user).values()
    )


@rule(Project, "change")
def project_change(user: Any, obj: Any) -> bool:
    """Edit, change the status, phases, budget and partners: the lead's editors."""
    return is_secretariat(user) or is_lead_editor(user, obj)


@rule(Project, "workspace")
def project_workspace(user: Any, obj: Any) -> bool:
    """Read the workspace, write in its threads, add and tick tasks, upload documents."""
    return is_secretariat(user) or is_partner_member(user, obj)


@rule(Project, "decide")
def project_decide(user: Any, obj: Any) -> bool:
    """Record a decision in the log: editors of any partner."""
    return is_secretariat(user) or is_partner_editor(user, obj)


@rule(ProjectDocument, "view")
def project_document_view(user: Any, obj: Any) -> bool:
    return project_workspace(user, obj.project)


# --- Pooling proposals ------------------------------------------------------------------------


@rule(PoolingProposal, "view")
def proposal_view(user: Any, obj: Any) -> bool:
    return (
        is_secretariat(user)
        or role_in(user, obj.from_organisation_id) is not None
        or role_in(user, obj.to_organisation_id) is not None
    )


@rule(PoolingProposal, "answer")
def proposal_answer(user: Any, obj: Any) -> bool:
    """Accept or decline: the editors of the city it was sent to."""
    return has_role(user, obj.to_organisation_id, "editor")
