"""Permission rules of territories: everyone reads; the secretariat manages."""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import is_secretariat, rule
from mediane.territories.models import NetworkMembership, Territory, Twinning


@rule(Territory, "view")
@rule(NetworkMembership, "view")
@rule(Twinning, "view")
def _everyone(user: Any, obj: Any) -> bool:
    return True


@rule(Territory, "change")
@rule(NetworkMembership, "change", "create", "delete")
@rule(Twinning, "create", "change", "delete")
def _secretariat(user: Any, obj: Any) -> bool:
    return is_secretariat(user)
