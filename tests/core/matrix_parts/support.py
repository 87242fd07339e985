"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`.

Each request is filed by O's member; it is offered to an expert (no firm) whose own account is
"admin_other" (the admin of another organisation): pending, declined or taken. The offered
expert reads the request while the offer is pending or taken, and only then; writing news needs
the request taken.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mediane.support.models import SupportOffer, SupportRequest
from tests.core.matrix_roles import NOBODY, O_MEMBERS, STAFF

SUPERUSER = frozenset({"superuser"})
EXPERT = frozenset({"admin_other"})
# Anyone belonging to an organisation may file a request (the service checks which one).
ANY_MEMBER = frozenset({"member", "editor", "admin", "admin_other", "superuser"})


def request_row(
    *, view: frozenset[str], answer: frozenset[str], message: frozenset[str]
) -> dict[str, frozenset[str]]:
    return {
        "view": view,
        "create": ANY_MEMBER,
        "answer": answer,
        "message": message,
        "close": O_MEMBERS | SUPERUSER,
        "cancel": O_MEMBERS | STAFF,
        "route": STAFF,
        "remind": STAFF,
        "manage": STAFF,
    }


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "support_request_offered": (
        SupportRequest,
        request_row(
            view=O_MEMBERS | STAFF | EXPERT,
            answer=EXPERT | SUPERUSER,
            message=O_MEMBERS | STAFF,
        ),
    ),
    "support_request_declined": (
        SupportRequest,
        request_row(view=O_MEMBERS | STAFF, answer=NOBODY | SUPERUSER, message=O_MEMBERS | STAFF),
    ),
    "support_request_taken": (
        SupportRequest,
        request_row(
            view=O_MEMBERS | STAFF | EXPERT,
            answer=SUPERUSER,
            message=O_MEMBERS | STAFF | EXPERT,
        ),
    ),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    from tests.accounts.factories import ExpertFactory, TerritoryFactory

    territory = TerritoryFactory()
    expert = ExpertFactory(organisation=None, user=users["admin_other"])
    now = timezone.now()
    found: dict[str, Any] = {}
    for key, offer_status in (
        ("support_request_offered", "offered"),
        ("support_request_declined", "declined"),
        ("support_request_taken", "taken"),
    ):
        taken = offer_status == "taken"
        request = SupportRequest.objects.create(
            subject=f"Demande {offer_status}",
            description="Besoin d'un accompagnement.",
            requester=users["member"],
            organisation=o,
            territory=territory,
            status="taken" if taken else "routed",
            expert=expert if taken else None,
            taken_at=now if taken else None,
        )
        SupportOffer.objects.create(
            request=request,
            expert=expert,
            status=offer_status,
            decline_reason="Pas disponible" if offer_status == "declined" else "",
        )
        found[key] = request
    return found
