"""API of the caller's own account: who the token belongs to, and their memberships."""

from __future__ import annotations

from ninja import Router, Schema

from mediane.api.auth import require_token
from mediane.api.errors import error_responses

router = Router(tags=["Compte"])


class OrganisationRefOut(Schema):
    slug: str
    name: str


class MembershipOut(Schema):
    organisation: OrganisationRefOut
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    is_secretariat: bool
    preferred_language: str
    time_zone: str
    memberships: list[MembershipOut]


@router.get(
    "/me",
    response={200: MeOut, **error_responses(401, 429)},
    auth=require_token,
    operation_id="me",
    summary="Mon compte",
    description=(
        "Le propriétaire du jeton d'API : adresse, nom, langue, et ses appartenances aux "
        "organisations avec son rôle (admin, editor, member). Jeton obligatoire."
    ),
)
def me(request):  # type: ignore[no-untyped-def]
    from mediane.accounts.selectors import user_memberships

    user = request.auth
    return {
        "email": user.email,
        "full_name": user.full_name,
        "is_secretariat": user.is_secretariat,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "memberships": list(user_memberships(user=user)),
    }
