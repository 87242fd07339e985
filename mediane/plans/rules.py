"""Permission rules of plans (`core.permissions.rule`).

A plan belongs to a city (organisation). Its members (any role) and the secretariat read it in
every state; once it left the draft state, its pages (plan, actions, public accountability page,
exports, API) follow its visibility: public, network members, or the city only. The city's
editors and admins create and edit it (the secretariat reads but does not write a city's plan).
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import can_see_visibility, has_role, is_secretariat, role_in, rule
from mediane.plans.models import Plan, PlanStatus


@rule(Plan, "view")
def plan_view(user: Any, obj: Any) -> bool:
    if is_secretariat(user) or role_in(user, obj.organisation_id) is not None:
        return True
    if obj.status == PlanStatus.DRAFT:
        return False
    return can_see_visibility(user, obj.visibility, obj.organisation_id)


@rule(Plan, "create", "change")
def plan_change(user: Any, obj: Any) -> bool:
    """Create (object = an unsaved plan of the city) and edit: the city's editors and admins."""
    return has_role(user, obj.organisation_id, "editor")
