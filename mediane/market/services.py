"""Write services of the innovation market: challenges and their lifecycle, questions, answers,
the jury's evaluation, offers and their references.

Every function is keyword-only, atomic, checks the actor's permission first
(`core.permissions.require`), then the state of the challenge and its deadlines (server time,
`now=` overridable for tests and the periodic task), writes an audit entry, notifies through
`mediane.notifications.services.notify` and keeps the search index in step (public challenges
and published offers only). Lifecycle (docs/market.md):

    draft → submitted → open → closed → evaluation → awarded | not_awarded
    submitted → draft (returned with a reason);  awarded → pilot → pilot_report → archived;
    not_awarded → archived;  awarded → archived.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.accounts.models import Role, User
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import forget_roles, has_role, is_secretariat, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation, OrganisationKind
from mediane.directory.sanitize import clean_text, html_to_text
from mediane.market.attachments import clean_attachment
from mediane.market.inputs import (
    AnswerInput,
    ChallengeInput,
    OfferInput,
    PilotReportInput,
    fail,
    validate_answer,
    validate_challenge,
    validate_offer,
    validate_pilot_report,
)
from mediane.market.models import (
    PUBLIC_STATUSES,
    SCORE_MAX,
    Answer,
    AnswerAttachment,
    AnswerStatus,
    Challenge,
    ChallengeAttachment,
    ChallengeEvent,
    ChallengeIssuer,
    ChallengeQuestion,
    ChallengeStatus,
    ConflictDeclaration,
    Criterion,
    IssuerRole,
    JurorKind,
    JuryMember,
    Offer,
    OfferReference,
    OfferStatus,
    PilotReport,
    Score,
)
from mediane.market.rules import issuer_ids, juror_cleared_for, juror_of
from mediane.search.services import SearchDocument, index_document, remove_document
from mediane.territories.models import TIME_ZONES, Territory

S = ChallengeStatus
RESERVED_SLUGS = {
    "nouveau",
    "offres",
    "mes-reponses",
    "flux",
    "export",
    "recherche",
    "a-valider",
    "reponses",  # challenge pages: fixed paths under /defis/
}
QUESTION_MAX_LENGTH = 2000

#: The default evaluation grid: (label, weight) — editable until the opening time.
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("Adéquation au problème", 30),
    ("Impact et faisabilité", 25),
    ("Prix", 20),
    ("Références", 15),
    ("Équipe", 10),
)

#: Who may move a challenge from one state to another: (from, to) -> rule action.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "change",
    (S.SUBMITTED, S.DRAFT): "review",
    (S.SUBMITTED, S.OPEN): "review",
    (S.OPEN, S.CLOSED): "change",
    (S.CLOSED, S.EVALUATION): "change",
    (S.EVALUATION, S.AWARDED): "change",
    (S.EVALUATION, S.NOT_AWARDED): "change",
    (S.AWARDED, S.PILOT): "change",
    (S.PILOT, S.PILOT_REPORT): "change",
    (S.AWARDED, S.ARCHIVED): "change",
    (S.NOT_AWARDED, S.ARCHIVED): "change",
    (S.PILOT_REPORT, S.ARCHIVED): "change",
}


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _slug(model: Any, title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:200] or "defi").strip("-") or "defi"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    existing = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def time_zone_of(organisation: Organisation) -> str:
    """The zone in which an issuer enters dates: its territory's, else its country's."""
    territory = organisation.territory
    if territory is not None:
        return territory.time_zone
    return TIME_ZONES.get(organisation.country, settings.TIME_ZONE)


# --- Recipients of notifications -----------------------------------------------------------------


def issuer_editors(challenge: Challenge) -> QuerySet[User]:
    """Editors and admins of the issuing organisations."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id__in=issuer_ids(challenge),
        memberships__role__in=[Role.EDITOR, Role.ADMIN],
    ).distinct()


def secretariat_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_secretariat=True)


def organisation_members(organisation_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__organisation_id__in=list(organisation_ids)
    ).distinct()


def _notify(**kwargs: Any) -> int:
    from mediane.notifications.services import notify

    return notify(**kwargs)


# --- Search ------------------------------------------------------------------------------------


def challenge_document(challenge: Challenge) -> SearchDocument:
    """Search entry of a public challenge: title (A), sectors/territories/issuers (B), text (C)."""
    keywords = [f"{s.name} {s.name_en}" for s in challenge.sectors.all()]
    keywords += [t.name for t in challenge.territories.all()]
    keywords += [link.organisation.name for link in challenge.issuer_links.all()]  # type: ignore[attr-defined]
    body = [challenge.summary] + [
        html_to_text(v) for v in (challenge.problem, challenge.context, challenge.expected_outcomes)
    ]
    lead = challenge.lead_issuer
    return SearchDocument(
        kind="challenge",
        object_id=challenge.pk,
        title=challenge.title,
        body=" ".join(filter(None, body)),
        keywords=" ".join(keywords),
        visibility="public",
        owner_id=lead.pk if lead is not None else None,
        url=challenge.get_absolute_url(),
    )


def challenge_reindex(challenge: Challenge) -> None:
    """Index a public challenge, remove any other (drafts are never searchable)."""
    if challenge.status in PUBLIC_STATUSES:
        index_document(challenge_document(challenge))
    else:
        remove_document(kind="challenge", object_id=challenge.pk)


def iter_challenge_documents():  # type: ignore[no-untyped-def]
    qs = Challenge.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related(
        "sectors", "territories", "issuer_links__organisation"
    )
    for challenge in qs.order_by("pk").iterator(chunk_size=500):
        yield challenge_document(challenge)


def offer_document(offer: Offer) -> SearchDocument:
    keywords = [f"{s.name} {s.name_en}" for s in offer.sectors.all()]
    keywords.append(offer.organisation.name)
    return SearchDocument(
        kind="offer",
        object_id=offer.pk,
        title=offer.title,
        body=" ".join(filter(None, [offer.summary, html_to_text(offer.description)])),
        keywords=" ".join(keywords),
        visibility="public",
        owner_id=offer.organisation_id,  # type: ignore[attr-defined]
        url=offer.get_absolute_url(),
    )


def offer_reindex(offer: Offer) -> None:
    if offer.status == OfferStatus.PUBLISHED:
        index_document(offer_document(offer))
    else:
        remove_document(kind="offer", object_id=offer.pk)


def iter_offer_documents():  # type: ignore[no-untyped-def]
    qs = Offer.objects.filter(status=OfferStatus.PUBLISHED).select_related("organisation")
    for offer in qs.prefetch_related("sectors").order_by("pk").iterator(chunk_size=500):
        yield offer_document(offer)


# --- Lifecycle ---------------------------------------------------------------------------------


def _lock(challenge: Challenge) -> Challenge:
    """Re-read the challenge's state under a row lock (PostgreSQL; SQLite locks the database)."""
    fresh = Challenge.objects.select_for_update().only("status").get(pk=challenge.pk)
    challenge.status = fresh.status
    return challenge


def _transition(
    *,
    actor: Any,
    challenge: Challenge,
    to: str,
    note: str = "",
    now: datetime | None = None,
    check: bool = True,
    extra_fields: Iterable[str] = (),
) -> ChallengeEvent:
    """Move `challenge` to `to` if the lifecycle and the actor's role allow it; record the step."""
    from_status = challenge.status
    action = TRANSITIONS.get((from_status, to))
    if check:
        require(actor, action or "change", challenge)
    _lock(challenge)
    from_status = challenge.status
    if (from_status, to) not in TRANSITIONS:
        raise Conflict(
            _("Ce défi ne peut pas passer de l'état « %(old)s » à l'état « %(new)s ».")
            % {"old": S(from_status).label, "new": S(to).label},
            code="invalid_transition",
        )
    at = _now(now)
    challenge.status = to
    challenge.save(update_fields=["status", "updated_at", *extra_fields])
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = ChallengeEvent.objects.create(
        challenge=challenge,
        at=at,
        actor=actor_obj,
        from_status=from_status,
        to_status=to,
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"challenge.{to}",
        obj=challenge,
        organisation=challenge.lead_issuer,
        changes={"status": [from_status, to], "note": note}
        if note
        else {"status": [from_status, to]},
    )
    challenge_reindex(challenge)
    return event


def _notify_issuers(
    challenge: Challenge, *, actor: Any, verb: str, title: str, topic: str = "challenge"
) -> None:
    _notify(
        recipients=issuer_editors(challenge),
        topic=topic,
        verb=verb,
        title=title,
        url=challenge.get_absolute_url(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=challenge,
    )


def _issuer_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"issuers": [message]})


def _check_issuer(actor: Any, organisation: Organisation, *, lead: bool) -> None:
    """Issuers are collectivités (the secretariat may allow any organisation) the actor edits."""
    if not is_secretariat(actor):
        if not has_role(actor, organisation.pk, "editor"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("change")
        if organisation.kind != OrganisationKind.COLLECTIVITE:
            raise _issuer_error(
                _("Seule une collectivité peut émettre un défi (demandez au secrétariat).")
                if lead
                else _("Seule une collectivité peut co-émettre un défi (demandez au secrétariat).")
            )


def _apply_challenge_values(challenge: Challenge, values: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("sectors", "territories"):
            continue
        if getattr(challenge, name) != value:
            changes[name] = [getattr(challenge, name), value]
            setattr(challenge, name, value)
    return changes


def _clean_challenge(data: ChallengeInput, time_zone: str) -> dict[str, Any]:
    values, errors = validate_challenge(data, time_zone=time_zone)
    if errors:
        raise fail(_("Le défi n'a pas pu être enregistré : corrigez les champs signalés."), errors)
    return values


@transaction.atomic
def challenge_create(
    *,
    actor: Any,
    lead_issuer: Organisation,
    data: ChallengeInput,
    co_issuers: Iterable[Organisation] = (),
    is_demo: bool = False,
    now: datetime | None = None,
) -> Challenge:
    """Create a draft issued by `lead_issuer` (and `co_issuers`), with the default grid."""
    require(actor, "create", Challenge)
    _check_issuer(actor, lead_issuer, lead=True)
    co = [org for org in dict.fromkeys(co_issuers) if org.pk != lead_issuer.pk]
    for organisation in co:
        if not is_secretariat(actor) and organisation.kind != OrganisationKind.COLLECTIVITE:
            raise _issuer_error(
                _("Seule une collectivité peut co-émettre un défi (demandez au secrétariat).")
            )
    zone = time_zone_of(lead_issuer)
    values = _clean_challenge(data, zone)
    challenge = Challenge(time_zone=zone, is_demo=is_demo)
    _apply_challenge_values(challenge, values)
    challenge.slug = _slug(Challenge, challenge.title)
    challenge.created_by = actor if getattr(actor, "is_authenticated", False) else None
    challenge.save()
    challenge.sectors.set(values["sectors"])
    challenge.territories.set(values["territories"])
    ChallengeIssuer.objects.create(
        challenge=challenge, organisation=lead_issuer, role=IssuerRole.LEAD
    )
    ChallengeIssuer.objects.bulk_create(
        [ChallengeIssuer(challenge=challenge, organisation=o, role=IssuerRole.CO) for o in co]
    )
    Criterion.objects.bulk_create(
        [
            Criterion(challenge=challenge, label=label, weight=weight, position=i)
            for i, (label, weight) in enumerate(DEFAULT_CRITERIA)
        ]
    )
    ChallengeEvent.objects.create(
        challenge=challenge,
        at=_now(now),
        actor=challenge.created_by,
        from_status="",
        to_status=S.DRAFT,
    )
    audit_record(
        actor=actor,
        action="challenge.create",
        obj=challenge,
        organisation=lead_issuer,
        changes={"issuers": [lead_issuer.pk, *(o.pk for o in co)]},
    )
    return challenge


@transaction.atomic
def challenge_update(*, actor: Any, challenge: Challenge, data: ChallengeInput) -> Challenge:
    """Replace the content of a draft (the secretariat may also correct a submitted one)."""
    require(actor, "change", challenge)
    editable = {S.DRAFT, S.SUBMITTED} if is_secretariat(actor) else {S.DRAFT}
    if _lock(challenge).status not in editable:
        raise Conflict(
            _("Ce défi n'est plus modifiable : il a été soumis ou publié."), code="locked"
        )
    values = _clean_challenge(data, challenge.time_zone)
    changes = _apply_challenge_values(challenge, values)
    challenge.save()
    challenge.sectors.set(values["sectors"])
    challenge.territories.set(values["territories"])
    audit_record(
        actor=actor,
        action="challenge.update",
        obj=challenge,
        organisation=challenge.lead_issuer,
        changes=changes,
    )
    return challenge


@transaction.atomic
def challenge_add_co_issuer(
    *, actor: Any, challenge: Challenge, organisation: Organisation
) -> ChallengeIssuer:
    """Add a co-issuer to a draft; the actor must edit both the challenge and the organisation."""
    require(actor, "change", challenge)
    _check_issuer(actor, organisation, lead=False)
    if _lock(challenge).status != S.DRAFT:
        raise Conflict(_("Les émetteurs ne changent plus après la soumission."), code="locked")
    if organisation.pk in issuer_ids(challenge):
        raise Conflict(_("Cette organisation émet déjà ce défi."), code="duplicate")
    link = ChallengeIssuer.objects.create(
        challenge=challenge, organisation=organisation, role=IssuerRole.CO
    )
    challenge.__dict__.pop("_issuer_ids", None)
    audit_record(
        actor=actor,
        action="challenge.add_co_issuer",
        obj=challenge,
        organisation=organisation,
        changes={"co_issuer": organisation.pk},
    )
    return link


@transaction.atomic
def challenge_remove_co_issuer(
    *, actor: Any, challenge: Challenge, organisation: Organisation
) -> None:
    require(actor, "change", challenge)
    if _lock(challenge).status != S.DRAFT:
        raise Conflict(_("Les émetteurs ne changent plus après la soumission."), code="locked")
    deleted, _rows = ChallengeIssuer.objects.filter(
        challenge=challenge, organisation=organisation, role=IssuerRole.CO
    ).delete()
    if not deleted:
        raise ValidationFailed(_("Cette organisation n'est pas co-émettrice de ce défi."))
    challenge.__dict__.pop("_issuer_ids", None)
    audit_record(
        actor=actor,
        action="challenge.remove_co_issuer",
        obj=challenge,
        organisation=organisation,
        changes={"co_issuer": organisation.pk},
    )


def _missing_for_submission(challenge: Challenge, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if challenge.opens_at is None:
        errors["opens_at"] = [_("Indiquez la date d'ouverture.")]
    if challenge.closes_at is None:
        errors["closes_at"] = [_("Indiquez la date de clôture.")]
    elif challenge.closes_at <= now:
        errors["closes_at"] = [_("La date de clôture est déjà passée.")]
    if not html_to_text(challenge.problem):
        errors["problem"] = [_("Décrivez le problème à résoudre.")]
    if not challenge.criteria.exists():  # type: ignore[attr-defined]
        errors["criteria"] = [_("La grille d'évaluation est vide.")]
    return errors


@transaction.atomic
def challenge_submit(
    *, actor: Any, challenge: Challenge, now: datetime | None = None
) -> ChallengeEvent:
    """Draft → submitted: the secretariat reviews it before publication."""
    require(actor, "change", challenge)
    errors = _missing_for_submission(challenge, _now(now))
    if errors and challenge.status == S.DRAFT:
        raise fail(_("Le défi ne peut pas encore être soumis : complétez-le."), errors)
    event = _transition(actor=actor, challenge=challenge, to=S.SUBMITTED, now=now)
    challenge.submitted_at = event.at
    challenge.review_note = ""
    challenge.save(update_fields=["submitted_at", "review_note"])
    _notify(
        recipients=secretariat_users(),
        topic="challenge",
        verb="submitted",
        title=_("Défi à relire : %(title)s") % {"title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor,
        target=challenge,
    )
    return event


@transaction.atomic
def challenge_return_to_draft(*, actor: Any, challenge: Challenge, reason: str) -> ChallengeEvent:
    """Submitted → draft, with the reason the issuers read."""
    require(actor, "review", challenge)
    reason = (reason or "").strip()
    if not reason:
        raise fail(
            _("Expliquez aux émetteurs pourquoi le défi leur est renvoyé."),
            {"reason": [_("Ce champ est obligatoire.")]},
        )
    event = _transition(actor=actor, challenge=challenge, to=S.DRAFT, note=reason)
    challenge.review_note = reason
    challenge.save(update_fields=["review_note"])
    _notify_issuers(
        challenge,
        actor=actor,
        verb="returned",
        title=_("Défi renvoyé en brouillon : %(title)s") % {"title": challenge.title},
    )
    return event


@transaction.atomic
def challenge_publish(
    *, actor: Any, challenge: Challenge, now: datetime | None = None
) -> ChallengeEvent:
    """Submitted → open (published): public, searchable; answers accepted between its dates."""
    require(actor, "review", challenge)
    at = _now(now)
    if challenge.status == S.SUBMITTED and (
        challenge.closes_at is None or challenge.closes_at <= at
    ):
        raise fail(
            _("La date de clôture est passée : renvoyez le défi à ses émetteurs."),
            {"closes_at": [_("La date de clôture est déjà passée.")]},
        )
    event = _transition(actor=actor, challenge=challenge, to=S.OPEN, now=now)
    challenge.published_at = event.at
    challenge.save(update_fields=["published_at"])
    title = _("Défi publié : %(title)s") % {"title": challenge.title}
    _notify_issuers(challenge, actor=actor, verb="published", title=title)
    from mediane.notifications.services import followers_for

    followers = followers_for(
        sectors=challenge.sectors.all(),
        territories=challenge.territories.all(),
        organisations=issuer_ids(challenge),
        text=" ".join([challenge.title, challenge.summary, html_to_text(challenge.problem)]),
    )
    _notify(
        recipients=followers,
        topic="challenge",
        verb="published",
        title=_("Nouveau défi : %(title)s") % {"title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor,
        target=challenge,
    )
    invitations_send_pending(challenge=challenge, actor=actor)  # invited while submitted
    return event


def _close(*, actor: Any, challenge: Challenge, now: datetime, check: bool) -> ChallengeEvent:
    event = _transition(actor=actor, challenge=challenge, to=S.CLOSED, now=now, check=check)
    title = _("Défi clos : %(title)s") % {"title": challenge.title}
    _notify_issuers(challenge, actor=actor, verb="closed", title=title)
    active = challenge.answers.exclude(status=AnswerStatus.WITHDRAWN)  # type: ignore[attr-defined]
    _notify(
        recipients=User.objects.filter(jury_seats__challenge=challenge, is_active=True),
        topic="evaluation",
        verb="closed",
        title=_("Les réponses au défi « %(title)s » sont prêtes pour le jury (%(count)s).")
        % {"title": challenge.title, "count": active.count()},
        url=challenge.get_absolute_url(),
        target=challenge,
    )
    return event


@transaction.atomic
def challenge_close(
    *, actor: Any, challenge: Challenge, now: datetime | None = None
) -> ChallengeEvent:
    """Open → closed, once the closing time has passed (never earlier)."""
    require(actor, "change", challenge)
    at = _now(now)
    if challenge.closes_at is None or challenge.closes_at > at:
        raise Conflict(
            _("La date de clôture n'est pas encore atteinte."), code="deadline_not_reached"
        )
    return _close(actor=actor, challenge=challenge, now=at, check=True)


def challenges_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every open challenge whose closing time has passed; returns their ids.

    Called by the periodic task / `mediane market-close-due`; each challenge in its own
    transaction, so that one failure does not keep the others open.
    """
    at = _now(now)
    closed: list[int] = []
    due = Challenge.objects.filter(status=S.OPEN, closes_at__lte=at).order_by("closes_at", "pk")
    for challenge in due:
        with transaction.atomic():
            try:
                _close(actor=None, challenge=challenge, now=at, check=False)
            except Conflict:  # closed meanwhile by someone else
                continue
        closed.append(challenge.pk)
    return closed


@transaction.atomic
def challenge_start_evaluation(
    *, actor: Any, challenge: Challenge, now: datetime | None = None
) -> ChallengeEvent:
    """Closed → evaluation: jurors declare their interests and score."""
    event = _transition(actor=actor, challenge=challenge, to=S.EVALUATION, now=now)
    _notify(
        recipients=User.objects.filter(jury_seats__challenge=challenge, is_active=True),
        topic="evaluation",
        verb="evaluation_started",
        title=_("Évaluation ouverte : %(title)s") % {"title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor,
        target=challenge,
    )
    return event


@transaction.atomic
def jury_close(*, actor: Any, challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Close the jury: marks are final and every juror may now see everyone's marks."""
    require(actor, "change", challenge)
    if _lock(challenge).status != S.EVALUATION or challenge.jury_closed_at is not None:
        raise Conflict(_("Le jury ne peut être clos que pendant l'évaluation."), code="locked")
    challenge.jury_closed_at = _now(now)
    challenge.save(update_fields=["jury_closed_at", "updated_at"])
    ChallengeEvent.objects.create(
        challenge=challenge,
        at=challenge.jury_closed_at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=S.EVALUATION,
        to_status=S.EVALUATION,
        note=_("Jury clos"),
    )
    audit_record(actor=actor, action="challenge.jury_close", obj=challenge)
    return challenge


@transaction.atomic
def challenge_decide(
    *,
    actor: Any,
    challenge: Challenge,
    awarded: Mapping[int, str],
    note: str = "",
    now: datetime | None = None,
) -> ChallengeEvent:
    """Evaluation → awarded (some answers retained, each with its reason) or not_awarded.

    `awarded` maps answer ids to reasons; an empty mapping ends the challenge without award.
    Every candidate organisation is notified.
    """
    require(actor, "change", challenge)
    if challenge.jury_closed_at is None:
        raise Conflict(_("Clôturez d'abord le jury."), code="jury_open")
    active = {a.pk: a for a in challenge.answers.exclude(status=AnswerStatus.WITHDRAWN)}  # type: ignore[attr-defined]
    errors: dict[str, list[str]] = {}
    chosen: dict[int, str] = {}
    for key, reason in awarded.items():  # ids may come from a form as text
        try:
            chosen[int(str(key))] = str(reason or "")
        except ValueError:
            chosen[-1] = str(reason or "")
    awarded = chosen
    unknown = [pk for pk in awarded if pk not in active]
    if unknown:
        errors["awarded"] = [_("Réponse inconnue ou retirée.")]
    if any(not (reason or "").strip() for reason in awarded.values()):
        errors["reasons"] = [_("Motivez chaque réponse retenue.")]
    if errors:
        raise fail(_("La décision n'a pas pu être enregistrée."), errors)
    to = S.AWARDED if awarded else S.NOT_AWARDED
    note = (note or "").strip()[:5000]
    event = _transition(actor=actor, challenge=challenge, to=to, note=note, now=now)
    challenge.decided_at = event.at
    challenge.decision_note = note
    challenge.save(update_fields=["decided_at", "decision_note"])
    for pk, answer in active.items():
        answer.awarded = pk in awarded
        answer.decision_reason = (awarded.get(pk) or "").strip()
        answer.save(update_fields=["awarded", "decision_reason", "updated_at"])
        title = (
            _("Votre réponse au défi « %(title)s » est retenue.")
            if answer.awarded
            else _("Votre réponse au défi « %(title)s » n'est pas retenue.")
        ) % {"title": challenge.title}
        _notify(
            recipients=organisation_members([answer.organisation_id]),  # type: ignore[attr-defined]
            topic="decision",
            verb="awarded" if answer.awarded else "not_awarded",
            title=title,
            url=challenge.get_absolute_url(),
            actor=actor,
            target=challenge,
        )
    return event


@transaction.atomic
def challenge_start_pilot(
    *, actor: Any, challenge: Challenge, note: str = "", now: datetime | None = None
) -> ChallengeEvent:
    return _transition(actor=actor, challenge=challenge, to=S.PILOT, note=note.strip(), now=now)


@transaction.atomic
def pilot_report_submit(
    *, actor: Any, challenge: Challenge, data: PilotReportInput, now: datetime | None = None
) -> PilotReport:
    """Pilot → pilot_report: outcome, contract signed or not, its amount, lessons."""
    require(actor, "change", challenge)
    values, errors = validate_pilot_report(data)
    if errors:
        raise fail(_("Le bilan n'a pas pu être enregistré : corrigez les champs signalés."), errors)
    _transition(actor=actor, challenge=challenge, to=S.PILOT_REPORT, now=now)
    report = PilotReport.objects.create(
        challenge=challenge,
        written_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    audit_record(actor=actor, action="pilot_report.create", obj=report, changes=values)
    _notify(
        recipients=secretariat_users(),
        topic="decision",
        verb="pilot_report",
        title=_("Bilan d'expérimentation : %(title)s") % {"title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor,
        target=challenge,
    )
    return report


@transaction.atomic
def challenge_archive(
    *, actor: Any, challenge: Challenge, note: str = "", now: datetime | None = None
) -> ChallengeEvent:
    return _transition(actor=actor, challenge=challenge, to=S.ARCHIVED, note=note.strip(), now=now)


# --- Attachments ---------------------------------------------------------------------------------


def _attachment_title(title: str, filename: str) -> str:
    return clean_text(title, max_length=200) or filename[:200]


@transaction.atomic
def challenge_attach(
    *, actor: Any, challenge: Challenge, file: IO[bytes] | Any, title: str = "", name: str = ""
) -> ChallengeAttachment:
    """Attach a file (checked by content) to a challenge not yet closed."""
    require(actor, "change", challenge)
    if _lock(challenge).status not in (S.DRAFT, S.SUBMITTED, S.OPEN):
        raise Conflict(_("Le défi est clos : ses pièces jointes ne changent plus."), code="locked")
    checked = clean_attachment(file, name=name or getattr(file, "name", ""))
    attachment = ChallengeAttachment(
        challenge=challenge,
        title=_attachment_title(title, checked.content.name or ""),
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(checked.content.name or "fichier", checked.content, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="challenge.attach",
        obj=challenge,
        organisation=challenge.lead_issuer,
        changes={"file": attachment.file.name, "size": checked.size},
    )
    return attachment


@transaction.atomic
def attachment_delete(
    *,
    actor: Any,
    attachment: ChallengeAttachment | AnswerAttachment,
    now: datetime | None = None,
) -> None:
    """Remove an attachment and its file (after commit)."""
    if isinstance(attachment, ChallengeAttachment):
        challenge = attachment.challenge
        require(actor, "change", challenge)
        if challenge.status not in (S.DRAFT, S.SUBMITTED, S.OPEN):
            raise Conflict(_("Le défi est clos : ses pièces jointes ne changent plus."))
        target: Any = challenge
    else:
        answer = attachment.answer
        require(actor, "change", answer)
        _check_answer_open(answer.challenge, _now(now))
        target = answer
    name, storage = attachment.file.name or "", attachment.file.storage
    audit_record(actor=actor, action="attachment.delete", obj=target, changes={"file": name})
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Questions -----------------------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *, actor: Any, challenge: Challenge, question: str, now: datetime | None = None
) -> ChallengeQuestion:
    """A network member asks a public question while the challenge accepts answers."""
    require(actor, "ask", challenge)
    if not challenge.is_accepting_answers(_now(now)):
        raise Conflict(
            _("Les questions ne sont possibles que pendant la période de réponse."),
            code="deadline",
        )
    text_value = (question or "").strip()
    if not text_value or len(text_value) > QUESTION_MAX_LENGTH:
        raise fail(
            _("La question n'a pas pu être envoyée."),
            {"question": [_("Entre 1 et 2 000 caractères.")]},
        )
    item = ChallengeQuestion.objects.create(
        challenge=challenge, asked_by=actor, question=text_value
    )
    audit_record(actor=actor, action="question.ask", obj=item)
    _notify_issuers(
        challenge,
        actor=actor,
        verb="question",
        title=_("Nouvelle question sur « %(title)s »") % {"title": challenge.title},
        topic="question",
    )
    return item


@transaction.atomic
def question_answer(
    *, actor: Any, question: ChallengeQuestion, answer: str, publish: bool = True
) -> ChallengeQuestion:
    """An issuer answers; the question and its answer are published for every reader."""
    require(actor, "answer", question)
    text_value = (answer or "").strip()
    if not text_value or len(text_value) > QUESTION_MAX_LENGTH * 2:
        raise fail(
            _("La réponse n'a pas pu être enregistrée."),
            {"answer": [_("Entre 1 et 4 000 caractères.")]},
        )
    question.answer = text_value
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.is_published = publish
    question.save()
    audit_record(actor=actor, action="question.answer", obj=question)
    if question.asked_by is not None:
        _notify(
            recipients=[question.asked_by],
            topic="question",
            verb="answered",
            title=_("Réponse à votre question sur « %(title)s »")
            % {"title": question.challenge.title},
            url=question.challenge.get_absolute_url(),
            actor=actor,
            target=question.challenge,
        )
    return question


# --- Answers -------------------------------------------------------------------------------------


def _check_answer_open(challenge: Challenge, now: datetime) -> None:
    if not challenge.is_accepting_answers(now):
        if challenge.opens_at is not None and now < challenge.opens_at:
            message = _("Ce défi n'est pas encore ouvert aux réponses.")
        else:
            message = _("Ce défi est clos : les réponses ne peuvent plus être modifiées.")
        raise Conflict(message, code="deadline")


def _check_eligible(challenge: Challenge, organisation: Organisation) -> None:
    if organisation.pk in issuer_ids(challenge):
        raise ValidationFailed(
            _("Une organisation émettrice ne peut pas répondre à son propre défi."),
            code="not_eligible",
        )
    if challenge.eligible_countries and organisation.country not in challenge.eligible_countries:
        raise ValidationFailed(
            _("Ce défi n'est pas ouvert aux organisations de votre pays."), code="not_eligible"
        )
    if challenge.eligible_kinds and organisation.kind not in challenge.eligible_kinds:
        raise ValidationFailed(
            _("Ce défi n'est pas ouvert à votre type d'organisation."), code="not_eligible"
        )


def _clean_answer(data: AnswerInput) -> dict[str, Any]:
    values, errors = validate_answer(data)
    if errors:
        raise fail(
            _("La réponse n'a pas pu être enregistrée : corrigez les champs signalés."), errors
        )
    return values


@transaction.atomic
def answer_create(
    *,
    actor: Any,
    challenge: Challenge,
    organisation: Organisation,
    data: AnswerInput,
    now: datetime | None = None,
) -> Answer:
    """An editor of `organisation` answers an open challenge (one active answer each)."""
    require(actor, "view", challenge)
    require(actor, "change", organisation)
    if not has_role(actor, organisation.pk, "editor"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("answer")  # the secretariat does not answer for a company
    _check_answer_open(challenge, _now(now))
    _check_eligible(challenge, organisation)
    values = _clean_answer(data)
    if (
        Answer.objects.filter(challenge=challenge, organisation=organisation)
        .exclude(status=AnswerStatus.WITHDRAWN)
        .exists()
    ):
        raise Conflict(_("Votre organisation a déjà répondu à ce défi."), code="duplicate")
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                challenge=challenge, organisation=organisation, submitted_by=actor, **values
            )
    except IntegrityError as exc:
        raise Conflict(_("Votre organisation a déjà répondu à ce défi."), code="duplicate") from exc
    audit_record(actor=actor, action="answer.create", obj=answer, organisation=organisation)
    _notify_issuers(
        challenge,
        actor=actor,
        verb="answer",
        title=_("Nouvelle réponse au défi « %(title)s »") % {"title": challenge.title},
        topic="answer",
    )
    return answer


@transaction.atomic
def answer_update(
    *, actor: Any, answer: Answer, data: AnswerInput, now: datetime | None = None
) -> Answer:
    """Replace the answer's content; only until the closing time."""
    require(actor, "change", answer)
    _check_answer_open(answer.challenge, _now(now))
    if answer.status == AnswerStatus.WITHDRAWN:
        raise Conflict(_("Cette réponse a été retirée."), code="withdrawn")
    values = _clean_answer(data)
    changes = {k: [getattr(answer, k), v] for k, v in values.items() if getattr(answer, k) != v}
    for name, value in values.items():
        setattr(answer, name, value)
    answer.save()
    audit_record(
        actor=actor,
        action="answer.update",
        obj=answer,
        organisation=answer.organisation,
        changes={
            k: "…" if k in ("approach", "references", "team") else v for k, v in changes.items()
        },
    )
    return answer


@transaction.atomic
def answer_withdraw(*, actor: Any, answer: Answer, now: datetime | None = None) -> Answer:
    """Withdraw before the closing time; the organisation may then answer again."""
    require(actor, "change", answer)
    at = _now(now)
    _check_answer_open(answer.challenge, at)
    if answer.status == AnswerStatus.WITHDRAWN:
        raise Conflict(_("Cette réponse a déjà été retirée."), code="withdrawn")
    answer.status = AnswerStatus.WITHDRAWN
    answer.withdrawn_at = at
    answer.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor, action="answer.withdraw", obj=answer, organisation=answer.organisation
    )
    return answer


@transaction.atomic
def answer_attach(
    *,
    actor: Any,
    answer: Answer,
    file: IO[bytes] | Any,
    title: str = "",
    name: str = "",
    now: datetime | None = None,
) -> AnswerAttachment:
    require(actor, "change", answer)
    _check_answer_open(answer.challenge, _now(now))
    if answer.status == AnswerStatus.WITHDRAWN:
        raise Conflict(_("Cette réponse a été retirée."), code="withdrawn")
    checked = clean_attachment(file, name=name or getattr(file, "name", ""))
    attachment = AnswerAttachment(
        answer=answer,
        title=_attachment_title(title, checked.content.name or ""),
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    attachment.file.save(checked.content.name or "fichier", checked.content, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="answer.attach",
        obj=answer,
        organisation=answer.organisation,
        changes={"file": attachment.file.name, "size": checked.size},
    )
    return attachment


@transaction.atomic
def answer_shortlist(*, actor: Any, answer: Answer, shortlisted: bool = True) -> Answer:
    """Put an answer on (or off) the shortlist during the evaluation."""
    challenge = answer.challenge
    require(actor, "change", challenge)
    if challenge.status != S.EVALUATION or answer.status == AnswerStatus.WITHDRAWN:
        raise Conflict(_("La présélection se fait pendant l'évaluation."), code="locked")
    answer.shortlisted = shortlisted
    answer.save(update_fields=["shortlisted", "updated_at"])
    audit_record(
        actor=actor, action="answer.shortlist", obj=answer, changes={"shortlisted": shortlisted}
    )
    return answer


# --- Evaluation ----------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    label: str
    weight: int | str
    description: str = ""


def criteria_editable(challenge: Challenge, now: datetime) -> bool:
    """The grid may change until the opening time (whatever the review state)."""
    if challenge.status in (S.DRAFT, S.SUBMITTED):
        return challenge.opens_at is None or now < challenge.opens_at
    return (
        challenge.status == S.OPEN and challenge.opens_at is not None and now < challenge.opens_at
    )


@transaction.atomic
def criteria_set(
    *,
    actor: Any,
    challenge: Challenge,
    criteria: list[CriterionInput],
    now: datetime | None = None,
) -> list[Criterion]:
    """Replace the evaluation grid (1 to 12 criteria, weights 1–100)."""
    require(actor, "change", challenge)
    if not criteria_editable(_lock(challenge), _now(now)):
        raise Conflict(
            _("La grille d'évaluation ne change plus après l'ouverture du défi."), code="locked"
        )
    errors: dict[str, list[str]] = {}
    rows: list[Criterion] = []
    seen: set[str] = set()
    if not 1 <= len(criteria) <= 12:
        errors["criteria"] = [_("Entre 1 et 12 critères.")]
    for position, item in enumerate(criteria):
        label = clean_text(item.label, max_length=150)
        try:
            weight = int(str(item.weight))
        except ValueError:
            weight = 0
        if not label or label.lower() in seen:
            errors.setdefault(f"criteria.{position}.label", []).append(
                _("Nom de critère manquant ou en double.")
            )
        if not 1 <= weight <= 100:
            errors.setdefault(f"criteria.{position}.weight", []).append(
                _("Le poids est un entier de 1 à 100.")
            )
        seen.add(label.lower())
        rows.append(
            Criterion(
                challenge=challenge,
                label=label,
                weight=weight,
                position=position,
                description=clean_text(item.description, max_length=300),
            )
        )
    if errors:
        raise fail(_("La grille d'évaluation n'a pas pu être enregistrée."), errors)
    challenge.criteria.all().delete()  # type: ignore[attr-defined]
    created = Criterion.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="challenge.criteria",
        obj=challenge,
        changes={"criteria": [(c.label, c.weight) for c in rows]},
    )
    return created


def _jury_editable(challenge: Challenge) -> bool:
    return challenge.status in (S.DRAFT, S.SUBMITTED, S.OPEN, S.CLOSED) or (
        challenge.status == S.EVALUATION and challenge.jury_closed_at is None
    )


@transaction.atomic
def jury_add(*, actor: Any, challenge: Challenge, user: User) -> JuryMember:
    """Seat a person of an issuing organisation, or an invited expert (with an expert profile)."""
    require(actor, "change", challenge)
    if not _jury_editable(_lock(challenge)):
        raise Conflict(_("Le jury ne change plus une fois clos."), code="locked")
    forget_roles(user)
    if any(has_role(user, org_id, "member") for org_id in issuer_ids(challenge)):
        kind = JurorKind.ISSUER
    elif hasattr(user, "expert_profile") and user.expert_profile is not None:
        kind = JurorKind.EXPERT
    else:
        raise ValidationFailed(
            _("Le jury réunit des personnes des organisations émettrices et des experts invités."),
            field_errors={"user": [_("Cette personne n'est ni d'un émetteur ni experte.")]},
        )
    if not user.is_active:
        raise ValidationFailed(
            _("Ce compte est désactivé."), field_errors={"user": [_("Ce compte est désactivé.")]}
        )
    if JuryMember.objects.filter(challenge=challenge, user=user).exists():
        raise Conflict(_("Cette personne fait déjà partie du jury."), code="duplicate")
    juror = JuryMember.objects.create(challenge=challenge, user=user, kind=kind, added_by=actor)
    challenge.__dict__.pop("_jurors", None)
    audit_record(
        actor=actor, action="jury.add", obj=challenge, changes={"user": user.pk, "kind": kind}
    )
    _notify(
        recipients=[user],
        topic="evaluation",
        verb="jury_invited",
        title=_("Vous faites partie du jury du défi « %(title)s »") % {"title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor,
        target=challenge,
    )
    return juror


@transaction.atomic
def jury_remove(*, actor: Any, juror: JuryMember) -> None:
    challenge = juror.challenge
    require(actor, "change", challenge)
    if not _jury_editable(_lock(challenge)):
        raise Conflict(_("Le jury ne change plus une fois clos."), code="locked")
    audit_record(actor=actor, action="jury.remove", obj=challenge, changes={"user": juror.user_id})  # type: ignore[attr-defined]
    juror.delete()
    challenge.__dict__.pop("_jurors", None)


def _juror_or_refuse(actor: Any, challenge: Challenge) -> JuryMember:
    require(actor, "score", challenge)
    juror = juror_of(actor, challenge)
    assert juror is not None  # the "score" rule means a seat
    return juror


@transaction.atomic
def conflict_declare(
    *,
    actor: Any,
    challenge: Challenge,
    organisation: Organisation,
    has_conflict: bool,
    note: str = "",
) -> ConflictDeclaration:
    """A juror declares (no) conflict of interest with a candidate before reading its answer.

    Declaring a conflict excludes the juror from that answer and deletes their marks of it.
    """
    juror = _juror_or_refuse(actor, challenge)
    if challenge.status not in (S.CLOSED, S.EVALUATION) or challenge.jury_closed_at is not None:
        raise Conflict(
            _("Les déclarations d'intérêts se font entre la clôture et la fin du jury."),
            code="locked",
        )
    candidate = Answer.objects.filter(challenge=challenge, organisation=organisation).exclude(
        status=AnswerStatus.WITHDRAWN
    )
    if not candidate.exists():
        raise ValidationFailed(_("Cette organisation n'a pas répondu au défi."))
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        juror=juror,
        organisation=organisation,
        defaults={"has_conflict": bool(has_conflict), "note": clean_text(note, max_length=500)},
    )
    if has_conflict:
        Score.objects.filter(juror=juror, answer__in=candidate).delete()
    audit_record(
        actor=actor,
        action="jury.declare",
        obj=challenge,
        changes={"organisation": organisation.pk, "has_conflict": bool(has_conflict)},
    )
    return declaration


@transaction.atomic
def conflicts_declare_none(*, actor: Any, challenge: Challenge) -> int:
    """Declare no conflict with every candidate not declared yet; returns how many."""
    juror = _juror_or_refuse(actor, challenge)
    declared = set(juror.declarations.values_list("organisation_id", flat=True))  # type: ignore[attr-defined]
    pending = (
        Organisation.objects.filter(challenge_answers__challenge=challenge)
        .exclude(challenge_answers__status=AnswerStatus.WITHDRAWN)
        .exclude(pk__in=declared)
        .distinct()
    )
    count = 0
    for organisation in pending:
        conflict_declare(
            actor=actor, challenge=challenge, organisation=organisation, has_conflict=False
        )
        count += 1
    return count


@transaction.atomic
def score_set(
    *, actor: Any, answer: Answer, criterion: Criterion, value: int | str, comment: str = ""
) -> Score:
    """A juror marks an answer on a criterion (0–5), during the evaluation, jury still open."""
    challenge = answer.challenge
    juror = _juror_or_refuse(actor, challenge)
    if challenge.status != S.EVALUATION or challenge.jury_closed_at is not None:
        raise Conflict(_("La notation n'est possible que pendant l'évaluation."), code="locked")
    if criterion.challenge_id != challenge.pk or answer.status == AnswerStatus.WITHDRAWN:  # type: ignore[attr-defined]
        raise ValidationFailed(_("Critère ou réponse étrangers à ce défi."))
    if not juror_cleared_for(juror, answer.organisation_id):  # type: ignore[attr-defined]
        raise Conflict(
            _("Déclarez d'abord l'absence de conflit d'intérêts avec ce candidat."),
            code="conflict_of_interest",
        )
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    if not 0 <= number <= SCORE_MAX:
        raise fail(
            _("La note n'a pas pu être enregistrée."),
            {"value": [_("La note est un entier de 0 à 5.")]},
        )
    score, _created = Score.objects.update_or_create(
        juror=juror,
        answer=answer,
        criterion=criterion,
        defaults={"value": number, "comment": (comment or "").strip()[:5000]},
    )
    audit_record(
        actor=actor,
        action="score.set",
        obj=answer,
        changes={"criterion": criterion.pk, "value": number},
    )
    return score


# --- Offers --------------------------------------------------------------------------------------


def _clean_offer(data: OfferInput) -> dict[str, Any]:
    values, errors = validate_offer(data)
    if errors:
        raise fail(_("L'offre n'a pas pu être enregistrée : corrigez les champs signalés."), errors)
    return values


@transaction.atomic
def offer_create(
    *,
    actor: Any,
    organisation: Organisation,
    data: OfferInput,
    publish: bool = False,
    is_demo: bool = False,
) -> Offer:
    """A company publishes (or drafts) an offer; collectivités do not sell offers."""
    require(actor, "create", Offer)
    require(actor, "change", organisation)
    if organisation.kind == OrganisationKind.COLLECTIVITE:
        raise ValidationFailed(
            _("Les offres sont publiées par les entreprises et les structures d'appui."),
            code="not_eligible",
        )
    values = _clean_offer(data)
    offer = Offer(organisation=organisation, is_demo=is_demo, created_by=actor)
    for name, value in values.items():
        if name != "sectors":
            setattr(offer, name, value)
    offer.slug = _slug(Offer, offer.title)
    offer.status = OfferStatus.PUBLISHED if publish else OfferStatus.DRAFT
    offer.save()
    offer.sectors.set(values["sectors"])
    audit_record(actor=actor, action="offer.create", obj=offer, organisation=organisation)
    offer_reindex(offer)
    return offer


@transaction.atomic
def offer_update(*, actor: Any, offer: Offer, data: OfferInput) -> Offer:
    require(actor, "change", offer)
    values = _clean_offer(data)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name != "sectors" and getattr(offer, name) != value:
            changes[name] = [getattr(offer, name), value]
            setattr(offer, name, value)
    offer.save()
    offer.sectors.set(values["sectors"])
    audit_record(
        actor=actor,
        action="offer.update",
        obj=offer,
        organisation=offer.organisation,
        changes=changes,
    )
    offer_reindex(offer)
    return offer


@transaction.atomic
def offer_set_status(*, actor: Any, offer: Offer, status: str) -> Offer:
    """Publish (`published`) or withdraw to draft (`draft`)."""
    require(actor, "change", offer)
    if status not in OfferStatus.values:
        raise ValidationFailed(
            _("État d'offre inconnu."), field_errors={"status": [_("Choix non valide.")]}
        )
    old = offer.status
    offer.status = status
    offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="offer.status",
        obj=offer,
        organisation=offer.organisation,
        changes={"status": [old, status]},
    )
    offer_reindex(offer)
    return offer


@transaction.atomic
def offer_delete(*, actor: Any, offer: Offer) -> None:
    require(actor, "change", offer)
    pk = offer.pk
    audit_record(actor=actor, action="offer.delete", obj=offer, organisation=offer.organisation)
    offer.delete()
    remove_document(kind="offer", object_id=pk)


def _city_editors(reference: OfferReference) -> QuerySet[User]:
    """Editors of the collectivité referred to (or of the collectivités of that territory)."""
    if reference.organisation_id is not None:  # type: ignore[attr-defined]
        orgs = Q(memberships__organisation_id=reference.organisation_id)  # type: ignore[attr-defined]
    else:
        orgs = Q(memberships__organisation__territory_id=reference.territory_id)  # type: ignore[attr-defined]
    return User.objects.filter(
        orgs,
        is_active=True,
        memberships__organisation__kind=OrganisationKind.COLLECTIVITE,
        memberships__role__in=[Role.EDITOR, Role.ADMIN],
    ).distinct()


@transaction.atomic
def offer_reference_add(
    *,
    actor: Any,
    offer: Offer,
    territory: Territory | None = None,
    organisation: Organisation | None = None,
    description: str = "",
) -> OfferReference:
    """Declare where the offer is deployed; unconfirmed until that city confirms it."""
    require(actor, "change", offer)
    if (territory is None) == (organisation is None):
        raise ValidationFailed(
            _("Indiquez soit un territoire, soit une organisation."),
            field_errors={"territory": [_("Un seul des deux.")]},
        )
    reference = OfferReference(
        offer=offer,
        territory=territory,
        organisation=organisation,
        description=clean_text(description, max_length=300),
    )
    try:
        with transaction.atomic():
            reference.save()
    except IntegrityError as exc:
        raise Conflict(_("Cette référence existe déjà."), code="duplicate") from exc
    audit_record(
        actor=actor,
        action="offer.reference_add",
        obj=offer,
        organisation=offer.organisation,
        changes={
            "territory": getattr(territory, "pk", None),
            "organisation": getattr(organisation, "pk", None),
        },
    )
    _notify(
        recipients=_city_editors(reference),
        topic="offer",
        verb="reference_to_confirm",
        title=_("%(company)s cite votre collectivité comme référence : à confirmer")
        % {"company": offer.organisation.name},
        url=offer.get_absolute_url(),
        actor=actor,
        target=offer,
    )
    return reference


@transaction.atomic
def offer_reference_confirm(
    *, actor: Any, reference: OfferReference, confirmed: bool = True
) -> OfferReference:
    """The city confirms (or withdraws its confirmation of) a reference."""
    require(actor, "confirm", reference)
    reference.confirmed_at = timezone.now() if confirmed else None
    reference.confirmed_by = actor if confirmed else None
    reference.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_record(
        actor=actor,
        action="offer.reference_confirm",
        obj=reference.offer,
        changes={"reference": reference.pk, "confirmed": confirmed},
    )
    _notify(
        recipients=organisation_members([reference.offer.organisation_id]),  # type: ignore[attr-defined]
        topic="offer",
        verb="reference_confirmed" if confirmed else "reference_unconfirmed",
        title=(
            _("Référence confirmée : %(place)s")
            if confirmed
            else _("Référence non confirmée : %(place)s")
        )
        % {"place": str(reference)},
        url=reference.offer.get_absolute_url(),
        actor=actor,
        target=reference.offer,
    )
    return reference


@transaction.atomic
def offer_reference_remove(*, actor: Any, reference: OfferReference) -> None:
    require(actor, "change", reference.offer)
    audit_record(
        actor=actor,
        action="offer.reference_remove",
        obj=reference.offer,
        changes={"reference": str(reference)},
    )
    reference.delete()


def local_time(value: datetime | None, time_zone: str) -> datetime | None:
    """`value` in `time_zone` (for display next to the zone's name)."""
    return value.astimezone(zoneinfo.ZoneInfo(time_zone)) if value is not None else None


# --- Evaluation and offer pages ------------------------------------------------------------------
# Writes the scoring form and the cities' confirmation list need, built on the services above.


@dataclass
class MarkInput:
    """One mark of the scoring form: a criterion of the challenge, 0–5, and a comment."""

    criterion: Criterion
    value: int | str | None
    comment: str = ""


@transaction.atomic
def scores_set(*, actor: Any, answer: Answer, marks: list[MarkInput]) -> list[Score]:
    """A juror marks an answer on several criteria at once: all saved, or none.

    Errors are keyed `mark_<criterion id>` so that a form shows them next to each criterion.
    """
    _juror_or_refuse(actor, answer.challenge)
    errors: dict[str, list[str]] = {}
    for mark in marks:
        try:
            number = int(str(mark.value))
        except ValueError:
            number = -1
        if not 0 <= number <= SCORE_MAX:
            errors[f"mark_{mark.criterion.pk}"] = [_("La note est un entier de 0 à 5.")]
    if errors:
        raise fail(_("Les notes n'ont pas pu être enregistrées."), errors)
    return [
        score_set(
            actor=actor,
            answer=answer,
            criterion=mark.criterion,
            value=mark.value if mark.value is not None else "",
            comment=mark.comment,
        )
        for mark in marks
    ]


@transaction.atomic
def offer_reference_refuse(*, actor: Any, reference: OfferReference) -> None:
    """The city referred to says it is not a reference: the reference is removed and the
    company told. Same rule as confirming (the city only)."""
    require(actor, "confirm", reference)
    offer = reference.offer
    place = str(reference)
    audit_record(
        actor=actor,
        action="offer.reference_refuse",
        obj=offer,
        changes={"reference": reference.pk, "place": place},
    )
    reference.delete()
    _notify(
        recipients=organisation_members([offer.organisation_id]),  # type: ignore[attr-defined]
        topic="offer",
        verb="reference_refused",
        title=_("Référence refusée par la collectivité : %(place)s") % {"place": place},
        url=offer.get_absolute_url(),
        actor=actor,
        target=offer,
    )


# Fixed paths under /offres/ that an offer's slug must not take.
RESERVED_SLUGS.update({"nouvelle", "references", "references-a-confirmer"})


# --- Invitations to answer (recommendation pages) ------------------------------------------------
# `challenge_invite` is called from the page of organisations to invite (views_recommendations);
# `invitations_send_pending` from `challenge_publish`, for invitations made while submitted.

INVITATION_MESSAGE_MAX = 1000


def invitation_open(challenge: Challenge, now: datetime) -> bool:
    """True while organisations may be invited: submitted, or open and not yet closed."""
    if challenge.status == S.SUBMITTED:
        return True
    return challenge.status == S.OPEN and (challenge.closes_at is None or now < challenge.closes_at)


def _invitations_may_change(actor: Any, challenge: Challenge, at: datetime) -> None:
    """The checks shared by inviting and withdrawing: the rule, the challenge's state (read
    under its lock), before its closing time."""
    require(actor, "invite", challenge)
    _lock(challenge)
    if not invitation_open(challenge, at):
        raise Conflict(
            _("On ne peut inviter à répondre qu'à un défi soumis ou ouvert, avant sa clôture."),
            code="invitation_closed",
        )


def _organisation_editors(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=[Role.EDITOR, Role.ADMIN],
    ).distinct()


def _invitation_send(invitation: Any, *, actor: Any, at: datetime) -> None:
    """Notify the invited organisation's editors (the challenge is public by now)."""
    challenge = invitation.challenge
    lead = challenge.lead_issuer
    _notify(
        recipients=_organisation_editors(invitation.organisation_id),
        topic="invitation",
        verb="invited",
        title=_("%(issuer)s vous invite à répondre au défi « %(title)s »")
        % {"issuer": lead.name if lead is not None else "", "title": challenge.title},
        url=challenge.get_absolute_url(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=challenge,
    )
    invitation.notified_at = at
    invitation.save(update_fields=["notified_at"])


@transaction.atomic
def challenge_invite(
    *,
    actor: Any,
    challenge: Challenge,
    organisation: Organisation,
    message: str = "",
    now: datetime | None = None,
) -> Any:
    """Invite `organisation` to answer `challenge`; idempotent (an existing invitation is
    returned unchanged, nobody is notified twice). Its editors are notified at once when the
    challenge is open, at its publication when it is submitted."""
    from mediane.core.errors import NotFound
    from mediane.core.permissions import can
    from mediane.market.models import ChallengeInvitation

    at = _now(now)
    _invitations_may_change(actor, challenge, at)
    if not can(actor, "view", organisation):
        raise NotFound(_("Organisation introuvable."))
    if organisation.pk in issuer_ids(challenge):
        raise ValidationFailed(
            _("Une organisation émettrice ne peut pas être invitée à répondre à son propre défi.")
        )
    countries, kinds = challenge.eligible_countries or [], challenge.eligible_kinds or []
    if (countries and organisation.country not in countries) or (
        kinds and organisation.kind not in kinds
    ):
        raise ValidationFailed(
            _("Cette organisation ne peut pas répondre à ce défi (éligibilité).")
        )
    text = clean_text(message)
    if len(text) > INVITATION_MESSAGE_MAX:
        raise ValidationFailed(
            _("Le message est trop long."),
            field_errors={"message": [_("1 000 caractères au maximum.")]},
        )
    existing = ChallengeInvitation.objects.filter(
        challenge=challenge, organisation=organisation
    ).first()
    if existing is not None:
        return existing
    invitation = ChallengeInvitation(
        challenge=challenge,
        organisation=organisation,
        message=text,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        invited_at=at,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # invited at the same moment by someone else
        return ChallengeInvitation.objects.get(challenge=challenge, organisation=organisation)
    audit_record(
        actor=actor,
        action="challenge.invite",
        obj=challenge,
        organisation=challenge.lead_issuer,
        changes={"organisation": organisation.pk},
    )
    if challenge.status == S.OPEN:
        _invitation_send(invitation, actor=actor, at=at)
    return invitation


@transaction.atomic
def invitation_withdraw(
    *, actor: Any, challenge: Challenge, organisation: Organisation, now: datetime | None = None
) -> None:
    """Withdraw the invitation of `organisation` to answer `challenge` (a wrong click, a change
    of mind), while invitations may still be made. When it had been sent, the organisation's
    editors are told it is withdrawn; an answer it already started is not touched."""
    from mediane.core.errors import NotFound
    from mediane.market.models import ChallengeInvitation

    _invitations_may_change(actor, challenge, _now(now))
    invitation = (
        ChallengeInvitation.objects.select_for_update()
        .filter(challenge=challenge, organisation=organisation)
        .first()
    )
    if invitation is None:
        raise NotFound(_("Cette organisation n'est pas invitée à ce défi."))
    was_sent = invitation.notified_at is not None
    invitation.delete()
    audit_record(
        actor=actor,
        action="challenge.invitation_withdraw",
        obj=challenge,
        organisation=challenge.lead_issuer,
        changes={"organisation": organisation.pk},
    )
    if was_sent:
        _notify(
            recipients=_organisation_editors(organisation.pk),
            topic="invitation",
            verb="invitation_withdrawn",
            title=_("L'invitation à répondre au défi « %(title)s » est retirée")
            % {"title": challenge.title},
            url=challenge.get_absolute_url(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            target=challenge,
        )


def invitations_send_pending(*, challenge: Challenge, actor: Any = None) -> int:
    """Notify the organisations invited while `challenge` was not public yet; returns how many
    invitations were sent. Called by `challenge_publish` inside its transaction."""
    from mediane.market.models import ChallengeInvitation

    pending = ChallengeInvitation.objects.filter(challenge=challenge, notified_at__isnull=True)
    at = timezone.now()
    count = 0
    for invitation in pending.select_related("challenge"):
        _invitation_send(invitation, actor=actor, at=at)
        count += 1
    return count
