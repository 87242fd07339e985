"""Every write of incubation: twinning agreements, host capacities, soft-landing requests and
the stays that follow (journal, outcomes).

Each function checks the actor's permission first, runs in one transaction, writes the audit
log and notifies the parties (topic "incubation").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from mediane.core.errors import ValidationFailed
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.incubation.models import (
    INCUBATOR_KINDS,
    AgreementStatus,
    TwinningAgreement,
)

TOPIC = "incubation"


def _check_agreement_fields(
    *, first: Organisation, second: Organisation, title: str, start: date, end: date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Donnez un intitulé à l'accord."]
    if first.pk == second.pk:
        errors["second"] = ["Un jumelage réunit deux organisations différentes."]
    for field, org in (("first", first), ("second", second)):
        if org.kind not in INCUBATOR_KINDS:
            errors.setdefault(field, []).append(
                f"« {org.name} » n'est ni un incubateur, ni un accélérateur, ni un tiers-lieu."
            )
    if end is not None and end < start:
        errors["end"] = ["La fin de l'accord ne peut précéder son début."]
    return errors


@transaction.atomic
def twinning_create(
    *,
    actor: Any,
    first: Organisation,
    second: Organisation,
    title: str,
    start: date,
    end: date | None = None,
    scope: str = "",
    programme: str = "",
    signed: bool = False,
) -> TwinningAgreement:
    """Propose a twinning agreement from `first` to `second` (an admin of `first` or the
    secretariat); with `signed=True` it is recorded as signed at once, which needs the right to
    sign it (an admin of `second`, or the secretariat for an agreement signed on paper)."""
    agreement = TwinningAgreement(
        first=first,
        second=second,
        title=title.strip(),
        start=start,
        end=end,
        scope=scope.strip(),
        programme=programme.strip(),
        status=AgreementStatus.PROPOSED,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    require(actor, "propose", agreement)
    if signed:
        require(actor, "sign", agreement)
    errors = _check_agreement_fields(first=first, second=second, title=title, start=start, end=end)
    if errors:
        raise ValidationFailed("L'accord de jumelage est incomplet.", field_errors=errors)
    if signed:
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_by = agreement.proposed_by
        agreement.signed_at = timezone.now()
    agreement.save()
    audit_record(
        actor=actor,
        action="incubation.agreement_signed" if signed else "incubation.agreement_proposed",
        obj=agreement,
        organisation=first,
        changes={"first": first.pk, "second": second.pk, "start": start, "end": end},
    )
    return agreement
