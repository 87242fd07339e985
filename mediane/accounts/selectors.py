"""Reads of memberships, invitations, API tokens and the audit log, filtered by access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from mediane.accounts.models import ApiToken, Invitation, Membership, Role
from mediane.core.models import AuditEntry
from mediane.core.permissions import (
    can_see_visibility,
    has_role,
    is_authenticated,
    is_secretariat,
    user_roles,
)
from mediane.directory.models import Organisation


def organisation_for_members_page(*, user: Any, slug: str) -> Organisation:
    """The organisation whose members `user` may list: 404 when invisible, 403 when not a member."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not can_see_visibility(
        user, organisation.visibility, organisation.pk
    ):
        raise Http404
    if not (is_secretariat(user) or has_role(user, organisation.pk, "member")):
        raise PermissionDenied("view")
    return organisation


def memberships_of_organisation(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """Members of an organisation with their user, administrators first."""
    if not (is_secretariat(user) or has_role(user, organisation.pk, "member")):
        return Membership.objects.none()
    order = {Role.ADMIN: 0, Role.EDITOR: 1, Role.MEMBER: 2}
    rank = Case(
        *[When(role=r, then=Value(v)) for r, v in order.items()], output_field=IntegerField()
    )
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(role_rank=rank)
        .order_by("role_rank", "user__full_name", "user__email")
    )


def membership_get_for(*, user: Any, pk: int, organisation: Organisation) -> Membership:
    """A membership of `organisation` that `user` may see, else 404."""
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=pk, organisation=organisation)
        .first()
    )
    if membership is None or not (
        is_secretariat(user) or has_role(user, organisation.pk, "member")
    ):
        raise Http404
    return membership


def invitations_pending(*, user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    """Pending invitations of an organisation, for its administrators and the secretariat."""
    if not (is_secretariat(user) or has_role(user, organisation.pk, "admin")):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get_for(*, user: Any, pk: int, organisation: Organisation) -> Invitation:
    invitation = Invitation.objects.filter(pk=pk, organisation=organisation).first()
    if invitation is None or not (is_secretariat(user) or has_role(user, organisation.pk, "admin")):
        raise Http404
    return invitation


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation behind a link (the token is the authority), whatever its state."""
    return (
        Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    )


def user_memberships(*, user: Any) -> QuerySet[Membership]:
    """The organisations `user` belongs to, with the role."""
    if not is_authenticated(user):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, active first."""
    if not is_authenticated(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_get_for(*, user: Any, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None or not is_authenticated(user) or token.user_id != user.pk:
        raise Http404
    return token


def can_view_audit_log(user: Any) -> bool:
    """The secretariat, and administrators of at least one organisation."""
    return is_secretariat(user) or Role.ADMIN in user_roles(user).values()


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    object_type: str = ""
    organisation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_entries_for(*, user: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Audit entries `user` may read: all for the secretariat, their organisations' for admins."""
    filters = filters or AuditFilters()
    qs = AuditEntry.objects.select_related("actor", "organisation")
    if not is_secretariat(user):
        admin_of = [org_id for org_id, role in user_roles(user).items() if role == Role.ADMIN]
        if not admin_of:
            return AuditEntry.objects.none()
        qs = qs.filter(organisation_id__in=admin_of)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to:
        qs = qs.filter(at__lte=datetime.combine(filters.date_to, time.max, tzinfo=zone))
    return qs.order_by("-at", "-id")


def audit_filter_choices(*, user: Any) -> dict[str, list[str]]:
    """Distinct actions and object types among the entries `user` may read (for the filters)."""
    qs = audit_entries_for(user=user).order_by()
    return {
        "actions": sorted(set(qs.values_list("action", flat=True).distinct())),
        "object_types": sorted(set(qs.values_list("object_type", flat=True).distinct())),
    }
