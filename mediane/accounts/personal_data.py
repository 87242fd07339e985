"""Personal data of a person: what each app holds about them, its export and its erasure.

Each model with a relation to the user is declared once in a `PersonalData` entry:

- `owner` fields: the rows are the person's own (their memberships, their messages, their
  registrations); they go into the export. On deletion they are either removed
  (`on_delete="delete"`) or kept for the others with the fields of `erase` replaced
  (`on_delete="keep"`: answers, jury seats and their scores, messages in shared threads);
- `attribution` fields only say who did something (an audit entry's actor, a decision's author):
  the rows stay and point to the anonymised account, shown as « Compte supprimé »;
- `secret` fields (token digests, feed tokens) are never exported.

`extra` functions run after the entries for what a declaration cannot say (future bookings that
must free their slots, feeds whose address must change). The account row itself is kept,
anonymised (see `services.user_delete_account`), so every `attribution` keeps pointing to it.
A test checks that every relation to the user in the project is declared here.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

DELETED_NAME = "Compte supprimé"
DELETED_EMAIL_DOMAIN = "compte-supprime.invalid"


@dataclass(frozen=True)
class PersonalData:
    model: str  # "app_label.ModelName"
    owner: tuple[str, ...] = ()
    on_delete: str = "delete"  # or "keep"
    erase: dict[str, Any] = field(default_factory=dict)  # value, or callable() per row
    attribution: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_ENTRIES: dict[str, PersonalData] = {}
_EXTRA: list[Callable[[Any], None]] = []


def register(entry: PersonalData) -> None:
    if entry.on_delete not in ("delete", "keep"):
        raise ValueError(f"{entry.model}: on_delete must be 'delete' or 'keep'")
    _ENTRIES[entry.model] = entry


def register_extra(function: Callable[[Any], None]) -> Callable[[Any], None]:
    """Register `function(user)`, run inside the deletion's transaction before the entries."""
    _EXTRA.append(function)
    return function


def entries() -> list[PersonalData]:
    return list(_ENTRIES.values())


def _owned(entry: PersonalData, user: Any) -> models.QuerySet:
    model = entry.model_class()
    condition = models.Q()
    for name in entry.owner:
        condition |= models.Q(**{name: user})
    return model._default_manager.filter(condition).distinct().order_by("pk")


def _row(obj: models.Model, secret: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in secret:
            continue
        value = f.value_from_object(obj)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or ""
        data[f.name] = value
    return data


def export_sections(user: Any) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(model label, rows) for every model holding rows of the person; only their own rows."""
    yield (
        "accounts.User",
        [
            {
                "email": user.email,
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "time_zone": user.time_zone,
                "email_verified": user.email_verified,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_secretariat": user.is_secretariat,
            }
        ],
    )
    for entry in entries():
        if not entry.owner:
            continue
        rows = [_row(obj, entry.secret) for obj in _owned(entry, user)]
        if rows:
            yield entry.model, rows


def export_zip(user: Any) -> bytes:
    """A ZIP with one JSON file per model (`accounts.User.json`, `market.Answer.json`...).

    Built in memory: a person's own rows are bounded (memberships, messages, registrations).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        index = []
        for label, rows in export_sections(user):
            archive.writestr(
                f"{label}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            index.append({"model": label, "rows": len(rows)})
        archive.writestr(
            "LISEZMOI.json",
            json.dumps(
                {"exported_at": timezone.now(), "files": index},
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=2,
            ),
        )
    return buffer.getvalue()


def erase(user: Any) -> None:
    """Remove or anonymise the person's rows in every app (the caller holds the transaction)."""
    for function in _EXTRA:
        function(user)
    for entry in entries():
        model = entry.model_class()
        for name in entry.owner:
            f = model._meta.get_field(name)
            if f.many_to_many:  # remove the link only
                through = f.remote_field.through  # type: ignore[union-attr]
                target = f.m2m_reverse_field_name()  # type: ignore[union-attr]
                through._default_manager.filter(**{target: user.pk}).delete()
        owned = (
            _owned(entry, user)
            if any(not model._meta.get_field(n).many_to_many for n in entry.owner)
            else model._default_manager.none()
        )
        if entry.on_delete == "delete":
            model._default_manager.filter(pk__in=list(owned.values_list("pk", flat=True))).delete()
        elif entry.erase:
            for obj in owned:
                for name, value in entry.erase.items():
                    setattr(obj, name, value() if callable(value) else value)
                obj.save(update_fields=list(entry.erase))


# --- declarations -------------------------------------------------------------------------------


def _feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


for _entry in (
    PersonalData("admin.LogEntry", attribution=("user",)),
    PersonalData("core.AuditEntry", attribution=("actor",)),
    PersonalData("accounts.Membership", owner=("user",)),
    PersonalData(
        "accounts.Invitation", attribution=("invited_by", "accepted_by"), secret=("token",)
    ),
    PersonalData("accounts.ApiToken", owner=("user",), secret=("digest",)),
    # The TOTP secret is never exported; recovery codes (hashes) go with the device.
    PersonalData("accounts.TOTPDevice", owner=("user",), secret=("secret",)),
    PersonalData("directory.Organisation", attribution=("created_by",)),
    PersonalData(
        "directory.Expert",
        owner=("user",),
        on_delete="keep",
        erase={"user": None},
    ),
    PersonalData("market.Challenge", attribution=("created_by",)),
    PersonalData("market.ChallengeEvent", attribution=("actor",)),
    PersonalData("market.ChallengeAttachment", attribution=("uploaded_by",)),
    PersonalData(
        "market.ChallengeQuestion",
        owner=("asked_by",),
        on_delete="keep",
        attribution=("answered_by",),
    ),
    PersonalData("market.PilotReport", owner=("written_by",), on_delete="keep"),
    PersonalData("market.Answer", owner=("submitted_by",), on_delete="keep"),
    PersonalData("market.AnswerAttachment", attribution=("uploaded_by",)),
    PersonalData("market.JuryMember", owner=("user",), on_delete="keep", attribution=("added_by",)),
    PersonalData("market.Offer", attribution=("created_by",)),
    PersonalData("market.OfferReference", attribution=("confirmed_by",)),
    PersonalData("market.ChallengeInvitation", attribution=("invited_by",)),
    PersonalData(
        "summit.Registration",
        owner=("user",),
        on_delete="keep",
        erase={
            "job_title": "",
            "offers": "",
            "seeks": "",
            "badge_token": _feed_token,
            "feed_token": _feed_token,
        },
        attribution=("checked_in_by",),
        secret=("badge_token", "feed_token"),
    ),
    PersonalData("summit.ScheduleRun", attribution=("started_by",)),
    PersonalData("datahub.TableSchema", attribution=("added_by",)),
    PersonalData("datahub.Dataset", attribution=("created_by",)),
    PersonalData("datahub.DatasetVersion", attribution=("created_by",)),
    PersonalData("datahub.LegalBasis", attribution=("recorded_by",)),
    PersonalData("datahub.PortalAccount", attribution=("created_by",)),
    PersonalData("cooperation.Project", attribution=("created_by",)),
    PersonalData("cooperation.ProjectDocument", attribution=("uploaded_by",)),
    PersonalData("cooperation.Decision", attribution=("recorded_by",)),
    PersonalData("cooperation.Thread", attribution=("created_by",)),
    PersonalData("cooperation.Message", owner=("author",), on_delete="keep"),
    PersonalData("cooperation.Task", attribution=("owner", "created_by")),
    PersonalData("cooperation.PoolingProposal", attribution=("proposed_by", "decided_by")),
    PersonalData("solutions.SolutionSheet", attribution=("created_by",)),
    PersonalData("solutions.Replication", attribution=("created_by",)),
    PersonalData(
        "incubation.TwinningAgreement",
        attribution=("first_contact", "second_contact", "proposed_by", "signed_by"),
    ),
    PersonalData("incubation.SoftLandingRequest", attribution=("requested_by", "decided_by")),
    PersonalData("incubation.StayNote", owner=("author",), on_delete="keep"),
    PersonalData("incubation.StayOutcome", attribution=("recorded_by",)),
    PersonalData("tierslieux.Training", owner=("user",), attribution=("granted_by",)),
    PersonalData(
        "tierslieux.Booking",
        owner=("user",),
        on_delete="keep",
        erase={"note": ""},
        attribution=("cancelled_by",),
    ),
    PersonalData("tierslieux.CalendarFeed", owner=("user",), secret=("token",)),
    PersonalData("support.SupportRequest", owner=("requester",), on_delete="keep"),
    PersonalData("support.SupportOffer", attribution=("answered_by",)),
    PersonalData("support.SupportMessage", owner=("author",), on_delete="keep"),
    PersonalData("support.SupportEvent", attribution=("actor",)),
    PersonalData(
        "diagnostic.Diagnostic", attribution=("created_by", "submitted_by", "validated_by")
    ),
    PersonalData("diagnostic.Answer", attribution=("answered_by",)),
    PersonalData("diagnostic.ReviewEvent", attribution=("actor",)),
    PersonalData("plans.Plan", attribution=("created_by",)),
    PersonalData("plans.Action", owner=("pilots",)),
    PersonalData("labels.LabelEvaluation", attribution=("requested_by", "decided_by")),
    PersonalData("labels.Label", attribution=("awarded_by",)),
    PersonalData("notifications.NotificationPreference", owner=("user",)),
    PersonalData("notifications.EmailDelivery", owner=("user",)),
    PersonalData("notifications.Notification", owner=("recipient",), attribution=("actor",)),
    PersonalData("notifications.Follow", owner=("user",)),
):
    register(_entry)


@register_extra
def _free_future_bookings(user: Any) -> None:
    """Bookings still to come are removed (their slots become free again); past ones stay."""
    model = apps.get_model("tierslieux.Booking")
    model._default_manager.filter(user=user, starts_at__gt=timezone.now()).delete()


@register_extra
def _person_expert_profile(user: Any) -> None:
    """An expert profile of a person (not a firm) loses its name and presentation."""
    model = apps.get_model("directory.Expert")
    for expert in model._default_manager.filter(user=user, kind="person"):
        expert.name = DELETED_NAME
        expert.slug = f"expert-supprime-{expert.pk}"
        expert.headline = expert.bio = ""
        expert.save(update_fields=["name", "slug", "headline", "bio"])


@register_extra
def _pending_invitations(user: Any) -> None:
    """Invitations not yet accepted, sent to the person's address, are withdrawn."""
    model = apps.get_model("accounts.Invitation")
    model._default_manager.filter(email__iexact=user.email, accepted_at__isnull=True).delete()


@register_extra
def _login_records(user: Any) -> None:
    """django-axes keeps attempts and logins by address; they go with the account."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=user.email).delete()
