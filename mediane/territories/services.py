"""Writes on territories: network membership, twinnings, editable fields. Secretariat only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.territories.indexing import index_territory
from mediane.territories.models import (
    MembershipStatus,
    NetworkMembership,
    Territory,
    Twinning,
    TwinningKind,
)

DESCRIPTION_MAX = 5000


def network_membership_set(
    *,
    actor: Any,
    territory: Territory,
    status: str,
    member_since: datetime.date | None = None,
    notes: str = "",
) -> NetworkMembership:
    """Create or update the territory's network membership."""
    membership = NetworkMembership.objects.filter(territory=territory).first()
    require(actor, "change" if membership else "create", membership or NetworkMembership)
    errors: dict[str, list[str]] = {}
    if status not in MembershipStatus.values:
        errors["status"] = [_("Statut d'adhésion inconnu.")]
    if member_since is not None and member_since > timezone.localdate():
        errors["member_since"] = [_("La date d'adhésion ne peut pas être dans le futur.")]
    if errors:
        raise ValidationFailed(_("L'adhésion n'a pas été enregistrée."), field_errors=errors)
    with transaction.atomic():
        before = (
            {"status": membership.status, "member_since": membership.member_since}
            if membership
            else {}
        )
        membership, created = NetworkMembership.objects.update_or_create(
            territory=territory,
            defaults={"status": status, "member_since": member_since, "notes": notes.strip()},
        )
        audit_record(
            actor=actor,
            action="network_membership.create" if created else "network_membership.update",
            obj=membership,
            changes={"before": before, "after": {"status": status, "member_since": member_since}},
        )
        territory.network_membership = membership
        index_territory(territory)
    return membership


def network_membership_delete(*, actor: Any, membership: NetworkMembership) -> None:
    """Remove a membership record altogether (prefer status "former" to keep history)."""
    require(actor, "delete", membership)
    with transaction.atomic():
        territory = membership.territory
        audit_record(actor=actor, action="network_membership.delete", obj=membership)
        membership.delete()
        territory._state.fields_cache.pop("network_membership", None)  # forget the deleted row
        index_territory(territory)


def twinning_create(
    *,
    actor: Any,
    a: Territory,
    b: Territory,
    kind: str,
    since: datetime.date | None = None,
    description: str = "",
) -> Twinning:
    """Twin two territories; the pair is stored once, ordered by id."""
    require(actor, "create", Twinning)
    if kind not in TwinningKind.values:
        raise ValidationFailed(
            _("Nature de jumelage inconnue."), field_errors={"kind": [_("Choix invalide.")]}
        )
    if a.pk == b.pk:
        raise ValidationFailed(
            _("Un territoire ne peut pas être jumelé avec lui-même."),
            field_errors={"other": [_("Choisissez un autre territoire.")]},
        )
    first, second = (a, b) if a.pk < b.pk else (b, a)
    duplicate = _("Ces deux territoires ont déjà un jumelage de cette nature.")
    if Twinning.objects.filter(first=first, second=second, kind=kind).exists():
        raise Conflict(duplicate, field_errors={"other": [duplicate]})
    try:
        with transaction.atomic():
            twinning = Twinning.objects.create(
                first=first,
                second=second,
                kind=kind,
                since=since,
                description=description.strip()[:DESCRIPTION_MAX],
            )
            audit_record(
                actor=actor,
                action="twinning.create",
                obj=twinning,
                changes={"kind": kind, "since": since},
            )
    except IntegrityError as exc:  # a concurrent request created the same twinning
        raise Conflict(duplicate, field_errors={"other": [duplicate]}) from exc
    return twinning


def twinning_delete(*, actor: Any, twinning: Twinning) -> None:
    """Delete a twinning."""
    require(actor, "delete", twinning)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="twinning.delete",
            obj=twinning,
            changes={"first": twinning.first_id, "second": twinning.second_id},
        )
        twinning.delete()


@dataclass(frozen=True)
class TerritoryUpdate:
    """Fields the secretariat may edit; the reference import owns the others."""

    website: str = ""
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None


def territory_update(*, actor: Any, territory: Territory, data: TerritoryUpdate) -> Territory:
    """Update the editable fields of a territory (website, presentation, coordinates)."""
    require(actor, "change", territory)
    errors: dict[str, list[str]] = {}
    website = data.website.strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = [_("Adresse web invalide (elle doit commencer par https://).")]
        if len(website) > 200:
            errors["website"] = [_("Adresse web trop longue (200 caractères au plus).")]
    description = data.description.strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            _("Présentation trop longue (%(max)s caractères au plus).") % {"max": DESCRIPTION_MAX}
        ]
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = [_("Indiquez la latitude et la longitude, ou aucune des deux.")]
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["latitude"] = [_("La latitude doit être comprise entre -90 et 90.")]
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["longitude"] = [_("La longitude doit être comprise entre -180 et 180.")]
    if errors:
        raise ValidationFailed(_("Le territoire n'a pas été modifié."), field_errors=errors)
    new = {
        "website": website,
        "description": description,
        "latitude": data.latitude,
        "longitude": data.longitude,
    }
    changes = {
        name: {"before": getattr(territory, name), "after": value}
        for name, value in new.items()
        if getattr(territory, name) != value
    }
    with transaction.atomic():
        for name, value in new.items():
            setattr(territory, name, value)
        territory.save(update_fields=[*new])
        audit_record(actor=actor, action="territory.update", obj=territory, changes=changes)
        index_territory(territory)
    return territory
