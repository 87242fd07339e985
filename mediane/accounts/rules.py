"""Permission rules for accounts: memberships, invitations, API tokens, users, the audit log.

Creating an invitation is checked as `Organisation` "manage_members" (a directory rule).
"""

from __future__ import annotations

from typing import Any

from mediane.accounts.models import ApiToken, Invitation, Membership, User
from mediane.core.models import AuditEntry
from mediane.core.permissions import has_role, is_authenticated, is_secretariat, rule


@rule(Membership, "view")
def membership_view(user: Any, membership: Membership) -> bool:
    """Members of the organisation see who else belongs to it; so does the secretariat."""
    return is_secretariat(user) or has_role(user, membership.organisation_id, "member")


@rule(Membership, "change")
def membership_change(user: Any, membership: Membership) -> bool:
    return is_secretariat(user) or has_role(user, membership.organisation_id, "admin")


@rule(Membership, "delete")
def membership_delete(user: Any, membership: Membership) -> bool:
    """Administrators remove members; anyone may leave an organisation."""
    if is_authenticated(user) and membership.user_id == user.pk:
        return True
    return membership_change(user, membership)


@rule(Invitation, "view", "revoke")
def invitation_manage(user: Any, invitation: Invitation) -> bool:
    return is_secretariat(user) or has_role(user, invitation.organisation_id, "admin")


@rule(ApiToken, "view", "revoke")
def api_token_owner(user: Any, token: ApiToken) -> bool:
    return is_authenticated(user) and token.user_id == user.pk


@rule(AuditEntry, "view")
def audit_entry_view(user: Any, entry: AuditEntry) -> bool:
    if is_secretariat(user):
        return True
    return entry.organisation_id is not None and has_role(user, entry.organisation_id, "admin")


@rule(User, "view_private")
def user_view_private(user: Any, person: User) -> bool:
    """E-mail address, language and memberships of a person: themselves and the secretariat."""
    return is_secretariat(user) or (is_authenticated(user) and user.pk == person.pk)
