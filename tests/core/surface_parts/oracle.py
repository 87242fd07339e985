"""Who may see each marker: the permission rules (`core.permissions.can`) of the object that
carries it, read from the database as the views read it. A surface shows a marker only where
this says yes; where a surface is a complete list of its kind, it shows it wherever this says yes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediane.core.permissions import can

#: The label's public list shows labelled cities only (the badge of an expired label says so).
LABEL_LIST_SURFACES = frozenset({"labels:index", "api:labels_list"})


def _view(user: Any, obj: Any) -> bool:
    return can(user, "view", obj)


def _reference(user: Any, obj: Any) -> bool:
    """An unconfirmed reference: the offer's editors, and the cited city's editors who confirm."""
    return obj.is_confirmed or can(user, "change", obj.offer) or can(user, "confirm", obj)


def _workspace(user: Any, obj: Any) -> bool:
    return can(user, "workspace", obj.project)


def _registration(user: Any, obj: Any) -> bool:
    """Approved participants are listed to those who browse the participants."""
    if can(user, "view", obj):
        return True
    return obj.status == "approved" and can(user, "browse_participants", obj.edition)


def _plan_part(user: Any, obj: Any) -> bool:
    return can(user, "view", obj.plan)


SPECIAL: dict[str, Callable[[Any, Any], bool]] = {
    "action_of_private_plan": _plan_part,
    "reference_unconfirmed": _reference,
    "thread_of_public_project": _workspace,
    "registration_member": _registration,
    "registration_pending": _registration,
}

#: Markers never shown on some surfaces, whoever reads them.
NEVER_ON: dict[str, frozenset[str]] = {"city_label_expired": LABEL_LIST_SURFACES}


def _offered_expert(user: Any, obj: Any) -> bool:
    """The expert's inbox keeps the history of the offers made to them, declined ones too (the
    subject they were shown; the request's page is closed to them)."""
    return obj.offers.filter(expert__user_id=getattr(user, "pk", None)).exists()


#: Markers some surfaces show to more readers than the rule: (key, surface) -> who else.
ALSO_ON: dict[tuple[str, str], Callable[[Any, Any], bool]] = {
    ("support_request_declined", "support:inbox"): _offered_expert,
}


def allowed_keys(user: Any, objects: dict[str, Any]) -> frozenset[str]:
    """The markers `user` may see (before `NEVER_ON`), from the objects as the views read them."""
    return frozenset(
        key
        for key, obj in objects.items()
        if SPECIAL.get(key, _view)(user, type(obj)._default_manager.get(pk=obj.pk))
    )


def allowed_on(
    keys: frozenset[str], surface: str, user: Any, objects: dict[str, Any]
) -> frozenset[str]:
    """The markers `user` may see on `surface`, from `allowed_keys`."""
    extra = {
        key
        for (key, name), rule in ALSO_ON.items()
        if name == surface and user.is_authenticated and user.is_active
        and rule(user, objects[key])
    }  # fmt: skip
    return frozenset(key for key in keys | extra if surface not in NEVER_ON.get(key, ()))
