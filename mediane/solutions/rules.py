"""Permission rules of solutions (`core.permissions.rule`).

- A published sheet is read according to its visibility (public, network members, members of
  the city); a draft only by the city's members and the secretariat.
- The city's editors and administrators (and the secretariat) edit, publish and delete it.
- Editors and administrators of *another* organisation may replicate a published sheet they can
  read (the service checks that the organisation chosen is a city they edit).
- A replication is read by the network's members who can read the sheet, by the replicating
  city's members and the secretariat; other readers of the sheet see it once its challenge or
  project is public. The replicating city's editors write how it went.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import (
    can_see_visibility,
    has_role,
    is_network_member,
    is_secretariat,
    role_in,
    rule,
    user_roles,
)
from mediane.directory.models import Organisation
from mediane.solutions.models import Replication, SolutionSheet


@rule(SolutionSheet, "view")
def solution_view(user: Any, sheet: SolutionSheet) -> bool:
    owner = sheet.organisation_id  # type: ignore[attr-defined]
    if not sheet.is_published:
        return is_secretariat(user) or role_in(user, owner) is not None
    return can_see_visibility(user, sheet.visibility, owner)


@rule(SolutionSheet, "change", "delete")
def solution_change(user: Any, sheet: SolutionSheet) -> bool:
    return is_secretariat(user) or has_role(user, sheet.organisation_id, "editor")  # type: ignore[attr-defined]


@rule(SolutionSheet, "replicate")
def solution_replicate(user: Any, sheet: SolutionSheet) -> bool:
    if not sheet.is_published or not solution_view(user, sheet):
        return False
    if is_secretariat(user):
        return True
    owner = sheet.organisation_id  # type: ignore[attr-defined]
    return any(
        org_id != owner and role in ("editor", "admin") for org_id, role in user_roles(user).items()
    )


@rule(Organisation, "create_solution")
def organisation_create_solution(user: Any, organisation: Organisation) -> bool:
    return is_secretariat(user) or has_role(user, organisation.pk, "editor")


@rule(Replication, "view")
def replication_view(user: Any, replication: Replication) -> bool:
    if is_secretariat(user) or role_in(user, replication.organisation_id) is not None:  # type: ignore[attr-defined]
        return True
    if not solution_view(user, replication.solution):
        return False
    return is_network_member(user) or replication.target_is_public


@rule(Replication, "change")
def replication_change(user: Any, replication: Replication) -> bool:
    return is_secretariat(user) or has_role(user, replication.organisation_id, "editor")  # type: ignore[attr-defined]
