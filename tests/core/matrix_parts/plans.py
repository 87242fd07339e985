"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`."""

from __future__ import annotations

from typing import Any

from mediane.plans.models import Plan
from tests.core.matrix_roles import EVERYONE, NETWORK, O_EDITORS, O_MEMBERS, STAFF

SU = frozenset({"superuser"})
OTHER = frozenset({"admin_other"})


def _rows(view: frozenset[str], editors: frozenset[str]) -> tuple[type, dict[str, frozenset[str]]]:
    return (Plan, {"view": view, "create": editors | SU, "change": editors | SU})


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "plan_draft_of_o": _rows(O_MEMBERS | STAFF, O_EDITORS),
    "plan_public_of_o": _rows(EVERYONE, O_EDITORS),
    "plan_network_of_o": _rows(NETWORK, O_EDITORS),
    "plan_private_of_o": _rows(O_MEMBERS | STAFF, O_EDITORS),
    "plan_archived_public_of_o": _rows(EVERYONE, O_EDITORS),
    "plan_draft_public_of_other": _rows(OTHER | STAFF, OTHER),
    "plan_private_of_other": _rows(OTHER | STAFF, OTHER),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    def plan(key: str, org: Any, status: str, visibility: str) -> Plan:
        return Plan.objects.create(
            organisation=org,
            title=key,
            slug=key.replace("_", "-"),
            start_year=2022,
            end_year=2030,
            status=status,
            visibility=visibility,
        )

    return {
        "plan_draft_of_o": plan("plan_draft_of_o", o, "draft", "public"),
        "plan_public_of_o": plan("plan_public_of_o", o, "active", "public"),
        "plan_network_of_o": plan("plan_network_of_o", o, "active", "network"),
        "plan_private_of_o": plan("plan_private_of_o", o, "active", "private"),
        "plan_archived_public_of_o": plan("plan_archived_public_of_o", o, "archived", "public"),
        "plan_draft_public_of_other": plan("plan_draft_public_of_other", other, "draft", "public"),
        "plan_private_of_other": plan("plan_private_of_other", other, "active", "private"),
    }
