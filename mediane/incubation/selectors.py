"""Permission-aware reads of incubation. Pages, the API and the exports call these, so they see
the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mediane.core.errors import NotFound
from mediane.core.permissions import can, is_secretariat, user_roles
from mediane.directory.models import Organisation
from mediane.incubation.models import AgreementStatus, TwinningAgreement


class IncubationNotFound(NotFound, Http404):
    code = "not_found"


def in_force_q(on: date, prefix: str = "") -> Q:
    """Agreements signed and running on `on` (`prefix` e.g. "agreement__" from a related model)."""
    return Q(**{f"{prefix}status": AgreementStatus.SIGNED, f"{prefix}start__lte": on}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": on})
    )


def agreements_in_force(organisation: Organisation, *, on: date | None = None) -> QuerySet:
    """The agreements of `organisation` (either side) in force on `on` (default today)."""
    on = on or timezone.localdate()
    return TwinningAgreement.objects.filter(
        Q(first=organisation) | Q(second=organisation), in_force_q(on)
    )


def twinned_partners(organisation: Organisation, *, on: date | None = None) -> QuerySet:
    """The organisations with an agreement in force with `organisation` on `on` (default today).

    Public by nature (agreements in force are public), so it takes no user.
    """
    on = on or timezone.localdate()
    agreements = TwinningAgreement.objects.filter(in_force_q(on))
    first_ids = agreements.filter(second=organisation).values("first_id")
    second_ids = agreements.filter(first=organisation).values("second_id")
    return Organisation.objects.filter(Q(pk__in=first_ids) | Q(pk__in=second_ids)).exclude(
        pk=organisation.pk
    )


def agreements_visible(user: Any) -> QuerySet:
    """Agreements `user` may read: signed or ended ones, plus proposals of their organisations."""
    qs = TwinningAgreement.objects.select_related("first", "second")
    if is_secretariat(user):
        return qs
    mine = list(user_roles(user))
    return qs.filter(
        ~Q(status=AgreementStatus.PROPOSED) | Q(first_id__in=mine) | Q(second_id__in=mine)
    )


def agreement_get_for(*, user: Any, pk: int) -> TwinningAgreement:
    agreement = (
        TwinningAgreement.objects.select_related(
            "first", "second", "first_contact", "second_contact"
        )
        .filter(pk=pk)
        .first()
    )
    if agreement is None or not can(user, "view", agreement):
        raise IncubationNotFound("Cet accord de jumelage n'existe pas ou ne vous est pas visible.")
    return agreement
