"""Every write of support: file, route (automatically or by hand), take charge, decline, post
news, close, cancel, remind, and the periodic follow-up reminders.

Each service checks the actor's permission first (`require`), then the request's state, runs in
one transaction, records an audit entry and a timeline step, and notifies the people concerned
through the digest system (topic "support"). `now=` lets tests and the demo set the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.accounts.models import Membership, User
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import is_secretariat, require, role_in
from mediane.core.services import audit_record
from mediane.directory.models import Expert, Organisation, OrganisationKind, Sector, Skill
from mediane.directory.sanitize import clean_text
from mediane.notifications.services import notify
from mediane.support import routing
from mediane.support.models import (
    OPEN_STATUSES,
    UNTAKEN_STATUSES,
    OfferStatus,
    ReminderKind,
    SupportEvent,
    SupportLanguage,
    SupportMessage,
    SupportOffer,
    SupportReminder,
    SupportRequest,
    SupportStatus,
    Urgency,
)
from mediane.support.rules import agent_q
from mediane.territories.models import Kind, Territory

TOPIC = "support"
#: Experts offered a request at each automatic round.
OFFERS_PER_ROUND = 3
#: Kinds of organisation that may file a request: cities and companies.
REQUESTER_KINDS = frozenset(
    {OrganisationKind.COLLECTIVITE, OrganisationKind.STARTUP, OrganisationKind.PME}
)
MAX_DESCRIPTION = 10_000
MAX_MESSAGE = 5_000
MIN_REASON = 5


def untaken_days() -> int:
    """Days after filing after which a request nobody took shows on the follow-up page."""
    return int(getattr(settings, "SUPPORT_UNTAKEN_DAYS", 10))


def stale_days() -> int:
    """Days without news after which a request in progress shows on the follow-up page."""
    return int(getattr(settings, "SUPPORT_STALE_DAYS", 21))


# --- inputs --------------------------------------------------------------------------------------


@dataclass
class SupportRequestInput:
    subject: str = ""
    description: str = ""
    territory_id: int | None = None
    language: str = SupportLanguage.FRENCH
    urgency: str = Urgency.NORMAL
    skill_ids: list[int] = field(default_factory=list)
    sector_ids: list[int] = field(default_factory=list)


def _multiline(value: Any, *, max_length: int) -> str:
    """A plain text keeping its line breaks, control characters removed."""
    text = "" if value is None else str(value)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).replace("\r\n", "\n").strip()
    return text[:max_length]


def _fail(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        _("La demande contient des erreurs : corrigez les champs signalés."), field_errors=errors
    )


# --- people to notify ----------------------------------------------------------------------------


def expert_agents(expert: Expert) -> list[User]:
    """Accounts acting for an expert: their own, or the editors and admins of their firm."""
    people: list[User] = []
    if expert.user_id is not None:
        people.append(expert.user)  # type: ignore[arg-type]
    if expert.organisation_id is not None:
        people.extend(
            m.user
            for m in Membership.objects.filter(
                organisation_id=expert.organisation_id, role__in=["editor", "admin"]
            ).select_related("user")
        )
    return people


def requester_side(request: SupportRequest) -> list[User]:
    """The requester while still a member of the organisation, else its admins."""
    if request.requester_id is not None and role_in(request.requester, request.organisation_id):
        return [request.requester]  # type: ignore[list-item]
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=request.organisation_id, role="admin"
        ).select_related("user")
    ]


def secretariat_users() -> list[User]:
    return list(User.objects.filter(is_secretariat=True, is_active=True))


def _notify(
    people: Iterable[User], *, verb: str, title: str, request: SupportRequest, actor: Any
) -> None:
    notify(
        recipients=people,
        topic=TOPIC,
        verb=verb,
        title=title,
        url=request.get_absolute_url(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=request,
    )


def _event(
    request: SupportRequest, *, kind: str, actor: Any, note: str = "", now: datetime
) -> None:
    SupportEvent.objects.create(
        request=request,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        status=request.status,
        note=note,
    )


def _refresh(request: SupportRequest) -> None:
    """Reload the caller's instance and forget the offers the rules cached on it."""
    request.refresh_from_db()
    request.__dict__.pop("_agent_offers", None)


def _locked(request: SupportRequest, statuses: Iterable[str], refusal: str) -> SupportRequest:
    """The request again, its row locked until the transaction ends; Conflict(`refusal`) unless
    its status is one of `statuses`."""
    locked = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in statuses:
        raise Conflict(refusal)
    return locked


def _record(
    request: SupportRequest,
    *,
    kind: str,
    action: str,
    actor: Any,
    now: datetime,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """A step of the request's timeline (`kind`) and its audit entry (`action`)."""
    _event(request, kind=kind, actor=actor, note=note, now=now)
    audit_record(
        actor=actor,
        action=action,
        obj=request,
        organisation=request.organisation,
        changes=changes,
    )


def _reason(reason: str, refusal: str) -> str:
    """The reason of a decline or a cancellation; ValidationFailed(`refusal`) when too short."""
    reason = _multiline(reason, max_length=2000)
    if len(reason) < MIN_REASON:
        raise ValidationFailed(
            refusal,
            field_errors={"reason": [_("Le motif est obligatoire (5 caractères au moins).")]},
        )
    return reason


def _and_expert(people: list[User], request: SupportRequest) -> list[User]:
    """`people`, and the agents of the expert in charge of the request if there is one."""
    if request.expert_id is None:
        return people
    return people + expert_agents(request.expert)  # type: ignore[arg-type]


# --- routing -------------------------------------------------------------------------------------

LEVEL_OF_KIND = {
    Kind.MUNICIPALITY: "same",
    Kind.GROUPING: "grouping",
    Kind.DEPARTEMENT: "departement",
    Kind.REGION: "region",
    Kind.COUNTRY: "country",
}


def territory_chain(territory: Territory) -> tuple[tuple[int, str], ...]:
    """(id, level) of the territory, its intercommunality and its enclosing levels."""
    chain: list[tuple[int, str]] = [(territory.pk, "same")]
    if territory.grouping_id:
        chain.append((territory.grouping_id, "grouping"))
    seen = {territory.pk}
    parent_id = territory.parent_id
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        parent = Territory.objects.only("id", "kind", "parent_id").get(pk=parent_id)
        chain.append((parent.pk, LEVEL_OF_KIND.get(parent.kind, "country")))  # type: ignore[call-overload]
        parent_id = parent.parent_id
    return tuple(chain)


def _with_ancestors(ids: set[int]) -> set[int]:
    """The territories and every territory enclosing them (parents and intercommunalities)."""
    found = set(ids)
    frontier = set(ids)
    while frontier:
        rows = Territory.objects.filter(pk__in=frontier).values_list("parent_id", "grouping_id")
        frontier = {pk for pair in rows for pk in pair if pk is not None} - found
        found |= frontier
    return found


def expert_profiles() -> list[routing.ExpertProfile]:
    experts = Expert.objects.prefetch_related("skills", "sectors", "territories_served")
    profiles = []
    for expert in experts:
        skills = {s.pk: s.name for s in expert.skills.all()}
        profiles.append(
            routing.ExpertProfile(
                id=expert.pk,
                name=expert.name,
                languages=frozenset(expert.language_list),
                territories=frozenset(
                    _with_ancestors({t.pk for t in expert.territories_served.all()})
                ),
                skills=frozenset(skills),
                sectors=frozenset(s.pk for s in expert.sectors.all()),
                skill_names=skills,
            )
        )
    return profiles


def request_profile(request: SupportRequest) -> routing.RequestProfile:
    return routing.RequestProfile(
        language=request.language,
        territory_chain=territory_chain(request.territory),
        skills=frozenset(request.skills.values_list("pk", flat=True)),
        sectors=frozenset(request.sectors.values_list("pk", flat=True)),
    )


def reason_texts(reasons: Iterable[tuple[str, str]]) -> list[str]:
    """The routing's reasons, in words."""
    languages = dict(SupportLanguage.choices)
    territory = {
        "same": _("sert ce territoire"),
        "grouping": _("sert la même intercommunalité"),
        "departement": _("sert le même département"),
        "region": _("sert la même région"),
        "country": _("intervient dans le même pays"),
    }
    texts = []
    for code, detail in reasons:
        if code == "language":
            texts.append(_("parle %(language)s") % {"language": str(languages[detail]).lower()})
        elif code == "skills":
            texts.append(_("compétences : %(skills)s") % {"skills": detail})
        elif code == "sector":
            texts.append(_("même secteur"))
        elif code == "territory":
            texts.append(str(territory[detail]))
    return texts


def route_candidates(request: SupportRequest, *, limit: int | None = None) -> list[routing.Match]:
    """Experts not offered this request yet, best first."""
    already = set(request.offers.values_list("expert_id", flat=True))  # type: ignore[attr-defined]
    return routing.rank_experts(
        request_profile(request), expert_profiles(), exclude=already, limit=limit
    )


def _offer(
    request: SupportRequest,
    experts: list[tuple[Expert, float, list[str]]],
    *,
    actor: Any,
    manual: bool,
    now: datetime,
) -> list[SupportOffer]:
    offers = [
        SupportOffer.objects.create(
            request=request,
            expert=expert,
            score=score,
            reasons=reasons,
            is_manual=manual,
            offered_at=now,
        )
        for expert, score, reasons in experts
    ]
    if offers:
        request.status = SupportStatus.ROUTED
        request.save(update_fields=["status", "updated_at"])
        names = ", ".join(offer.expert.name for offer in offers)
        _event(
            request,
            kind="routed",
            actor=actor,
            note=(
                _("Orientée par le secrétariat vers %(names)s")
                if manual
                else _("Proposée à %(names)s")
            )
            % {"names": names},
            now=now,
        )
        for offer in offers:
            _notify(
                expert_agents(offer.expert),
                verb="offered",
                title=_("Demande d'accompagnement à prendre en charge : %(subject)s")
                % {"subject": request.subject},
                request=request,
                actor=actor,
            )
    return offers


def _route_next(request: SupportRequest, *, actor: Any, now: datetime) -> list[SupportOffer]:
    matches = route_candidates(request, limit=OFFERS_PER_ROUND)
    experts = Expert.objects.in_bulk([m.expert_id for m in matches])
    return _offer(
        request,
        [(experts[m.expert_id], m.score, reason_texts(m.reasons)) for m in matches],
        actor=actor,
        manual=False,
        now=now,
    )


def _no_expert_left(request: SupportRequest, *, actor: Any, now: datetime) -> None:
    """Nobody (else) matches: back to the secretariat, who routes by hand."""
    request.status = SupportStatus.NEW
    request.save(update_fields=["status", "updated_at"])
    _event(
        request,
        kind="unrouted",
        actor=actor,
        note=_("Aucun expert disponible ne correspond : le secrétariat va orienter la demande."),
        now=now,
    )
    _notify(
        secretariat_users(),
        verb="unrouted",
        title=_("Demande d'accompagnement à orienter : %(subject)s") % {"subject": request.subject},
        request=request,
        actor=actor,
    )


# --- filing --------------------------------------------------------------------------------------


def _validate(data: SupportRequestInput) -> tuple[dict[str, Any], Territory]:
    errors: dict[str, list[str]] = {}
    subject = clean_text(data.subject, max_length=200)
    description = _multiline(data.description, max_length=MAX_DESCRIPTION)
    if not subject:
        errors.setdefault("subject", []).append(_("Indiquez l'objet de la demande."))
    if len(description) < 20:
        errors.setdefault("description", []).append(
            _("Décrivez votre besoin en quelques phrases (20 caractères au moins).")
        )
    if data.language not in SupportLanguage.values:
        errors.setdefault("language", []).append(_("Choisissez le français ou l'anglais."))
    if data.urgency not in Urgency.values:
        errors.setdefault("urgency", []).append(_("Choisissez une urgence de la liste."))
    territory = (
        Territory.objects.filter(pk=data.territory_id).first() if data.territory_id else None
    )
    if territory is None:
        errors.setdefault("territory", []).append(_("Choisissez le territoire concerné."))
    skills = set(data.skill_ids)
    if skills and Skill.objects.filter(pk__in=skills).count() != len(skills):
        errors.setdefault("skills", []).append(_("Une compétence choisie n'existe pas."))
    sectors = set(data.sector_ids)
    if sectors and Sector.objects.filter(pk__in=sectors).count() != len(sectors):
        errors.setdefault("sectors", []).append(_("Un secteur choisi n'existe pas."))
    if errors or territory is None:
        raise _fail(errors)
    values = {
        "subject": subject,
        "description": description,
        "language": data.language,
        "urgency": data.urgency,
    }
    return values, territory


def requester_organisations(user: Any) -> list[Organisation]:
    """Organisations on whose behalf `user` may file a request."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user, kind__in=list(REQUESTER_KINDS)
        ).order_by("name")
    )


def support_request_file(
    *,
    actor: Any,
    organisation: Organisation,
    data: SupportRequestInput,
    now: datetime | None = None,
    is_demo: bool = False,
) -> SupportRequest:
    """File a request on behalf of `organisation` and offer it to the best experts."""
    require(actor, "create", SupportRequest)
    if role_in(actor, organisation.pk) is None:
        raise PermissionDenied("create")
    if organisation.kind not in REQUESTER_KINDS:
        raise ValidationFailed(
            _("Seules une collectivité ou une entreprise peuvent demander un accompagnement."),
            field_errors={"organisation": [_("Choisissez une collectivité ou une entreprise.")]},
        )
    values, territory = _validate(data)
    at = now or timezone.now()
    with transaction.atomic():
        request = SupportRequest.objects.create(
            requester=actor,
            organisation=organisation,
            territory=territory,
            filed_at=at,
            last_activity_at=at,
            is_demo=is_demo,
            **values,
        )
        request.skills.set(data.skill_ids)
        request.sectors.set(data.sector_ids)
        _record(
            request,
            kind="filed",
            action="support.file",
            actor=actor,
            now=at,
            changes={"subject": request.subject, "territory": territory.name},
        )
        if not _route_next(request, actor=actor, now=at):
            _no_expert_left(request, actor=actor, now=at)
    return request


# --- routing by the secretariat ------------------------------------------------------------------


def support_request_route(
    *,
    actor: Any,
    request: SupportRequest,
    expert_ids: list[int] | None = None,
    now: datetime | None = None,
) -> list[SupportOffer]:
    """Offer the request to more experts: the next best ones, or those the secretariat chose."""
    require(actor, "route", request)
    at = now or timezone.now()
    with transaction.atomic():
        request = _locked(
            request, UNTAKEN_STATUSES, _("Cette demande est déjà prise en charge ou fermée.")
        )
        if expert_ids:
            already = set(request.offers.values_list("expert_id", flat=True))  # type: ignore[attr-defined]
            chosen = [e for e in Expert.objects.filter(pk__in=expert_ids) if e.pk not in already]
            if not chosen:
                raise ValidationFailed(
                    _(
                        "Choisissez au moins un expert à qui la demande n'a pas encore été "
                        "proposée."
                    ),
                    field_errors={"experts": [_("Choisissez un expert de la liste.")]},
                )
            scores = {m.expert_id: m for m in route_candidates(request)}
            offers = _offer(
                request,
                [
                    (
                        expert,
                        scores[expert.pk].score if expert.pk in scores else 0.0,
                        [str(_("choisi par le secrétariat"))]
                        + (reason_texts(scores[expert.pk].reasons) if expert.pk in scores else []),
                    )
                    for expert in chosen
                ],
                actor=actor,
                manual=True,
                now=at,
            )
        else:
            offers = _route_next(request, actor=actor, now=at)
            if not offers:
                raise ValidationFailed(
                    _(
                        "Aucun autre expert ne correspond à cette demande : choisissez-en un "
                        "dans la liste."
                    )
                )
        audit_record(
            actor=actor,
            action="support.route",
            obj=request,
            organisation=request.organisation,
            changes={"experts": [o.expert_id for o in offers]},
        )
    _refresh(request)
    return offers


# --- the expert's answer -------------------------------------------------------------------------


def _pending_offer(actor: Any, request: SupportRequest) -> SupportOffer:
    offer = (
        request.offers.filter(agent_q(actor), status=OfferStatus.OFFERED)  # type: ignore[attr-defined]
        .select_related("expert")
        .order_by("-score", "id")
        .first()
    )
    if offer is None:
        raise Conflict(_("Cette demande ne vous est plus proposée."))
    return offer


def support_offer_take(
    *, actor: Any, request: SupportRequest, now: datetime | None = None
) -> SupportOffer:
    """Take charge of the request; the first expert wins, the other offers are withdrawn."""
    require(actor, "answer", request)
    at = now or timezone.now()
    taken_elsewhere = Conflict(_("Un autre expert a déjà pris cette demande en charge."))
    try:
        with transaction.atomic():
            locked = _locked(request, UNTAKEN_STATUSES, taken_elsewhere.message)
            offer = _pending_offer(actor, locked)
            # Conditional updates: a concurrent take of the same offer or request changes nothing.
            if not SupportOffer.objects.filter(pk=offer.pk, status=OfferStatus.OFFERED).update(
                status=OfferStatus.TAKEN, answered_at=at, answered_by=actor
            ):
                raise taken_elsewhere
            if not SupportRequest.objects.filter(
                pk=locked.pk, status__in=list(UNTAKEN_STATUSES)
            ).update(
                status=SupportStatus.TAKEN,
                expert=offer.expert,
                taken_at=at,
                last_activity_at=at,
                updated_at=at,
            ):
                raise taken_elsewhere
            withdrawn = list(
                locked.offers.filter(status=OfferStatus.OFFERED).select_related("expert")  # type: ignore[attr-defined]
            )
            locked.offers.filter(status=OfferStatus.OFFERED).update(  # type: ignore[attr-defined]
                status=OfferStatus.WITHDRAWN, answered_at=at
            )
            locked.refresh_from_db()
            _record(
                locked,
                kind="taken",
                action="support.take",
                actor=actor,
                now=at,
                note=offer.expert.name,
                changes={"expert": offer.expert.name},
            )
            _notify(
                requester_side(locked) + secretariat_users(),
                verb="taken",
                title=_("%(expert)s prend en charge votre demande : %(subject)s")
                % {"expert": offer.expert.name, "subject": locked.subject},
                request=locked,
                actor=actor,
            )
            for other in withdrawn:
                _notify(
                    expert_agents(other.expert),
                    verb="withdrawn",
                    title=_("Demande prise en charge par un autre expert : %(subject)s")
                    % {"subject": locked.subject},
                    request=locked,
                    actor=actor,
                )
    except IntegrityError as exc:  # the database's one-taken-offer constraint
        raise taken_elsewhere from exc
    offer.refresh_from_db()
    _refresh(request)
    return offer


def support_offer_decline(
    *, actor: Any, request: SupportRequest, reason: str, now: datetime | None = None
) -> SupportOffer:
    """Decline with a reason; when every offered expert declined, the next ones are offered."""
    require(actor, "answer", request)
    reason = _reason(reason, _("Indiquez pourquoi vous déclinez cette demande."))
    at = now or timezone.now()
    with transaction.atomic():
        locked = _locked(
            request, UNTAKEN_STATUSES, _("Cette demande est déjà prise en charge ou fermée.")
        )
        offer = _pending_offer(actor, locked)
        offer.status = OfferStatus.DECLINED
        offer.decline_reason = reason
        offer.answered_at = at
        offer.answered_by = actor
        offer.save(update_fields=["status", "decline_reason", "answered_at", "answered_by"])
        _record(
            locked,
            kind="declined",
            action="support.decline",
            actor=actor,
            now=at,
            note=_("%(expert)s décline : %(reason)s")
            % {"expert": offer.expert.name, "reason": reason},
            changes={"expert": offer.expert.name, "reason": reason},
        )
        pending = locked.offers.filter(status=OfferStatus.OFFERED).exists()  # type: ignore[attr-defined]
        if not pending and not _route_next(locked, actor=actor, now=at):
            _no_expert_left(locked, actor=actor, now=at)
    _refresh(request)
    return offer


# --- news, closing -------------------------------------------------------------------------------


def _author_role(actor: Any, request: SupportRequest) -> str:
    if role_in(actor, request.organisation_id) is not None:
        return "requester"
    if request.offers.filter(agent_q(actor), status=OfferStatus.TAKEN).exists():  # type: ignore[attr-defined]
        return "expert"
    return "secretariat" if is_secretariat(actor) else "requester"


def support_message_post(
    *, actor: Any, request: SupportRequest, body: str, now: datetime | None = None
) -> SupportMessage:
    require(actor, "message", request)
    text = _multiline(body, max_length=MAX_MESSAGE)
    if not text:
        raise ValidationFailed(
            _("Le message est vide."), field_errors={"body": [_("Écrivez votre message.")]}
        )
    at = now or timezone.now()
    with transaction.atomic():
        locked = _locked(
            request, OPEN_STATUSES, _("Cette demande est fermée : on ne peut plus y écrire.")
        )
        message = SupportMessage.objects.create(
            request=locked,
            author=actor,
            author_role=_author_role(actor, locked),
            body=text,
            created_at=at,
        )
        SupportRequest.objects.filter(pk=locked.pk).update(last_activity_at=at, updated_at=at)
        _notify(
            _and_expert(requester_side(locked), locked),
            verb="message",
            title=_("Nouveau message sur la demande : %(subject)s") % {"subject": locked.subject},
            request=locked,
            actor=actor,
        )
    _refresh(request)
    return message


def support_request_close(
    *,
    actor: Any,
    request: SupportRequest,
    outcome: str,
    satisfaction: Any,
    comment: str = "",
    now: datetime | None = None,
) -> SupportRequest:
    """Close a request in progress with its outcome and the requester's satisfaction (1 to 5)."""
    require(actor, "close", request)
    errors: dict[str, list[str]] = {}
    outcome = _multiline(outcome, max_length=MAX_DESCRIPTION)
    comment = _multiline(comment, max_length=MAX_MESSAGE)
    if not outcome:
        errors["outcome"] = [_("Dites ce que l'accompagnement a donné.")]
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        errors["satisfaction"] = [_("Donnez une note de 1 à 5.")]
    if errors:
        raise ValidationFailed(
            _("La clôture contient des erreurs : corrigez les champs signalés."),
            field_errors=errors,
        )
    at = now or timezone.now()
    with transaction.atomic():
        locked = _locked(
            request,
            [SupportStatus.TAKEN],
            _(
                "Seule une demande prise en charge peut être clôturée avec un résultat ; "
                "sinon, classez-la sans suite."
            ),
        )
        locked.status = SupportStatus.CLOSED
        locked.outcome = outcome
        locked.satisfaction = score
        locked.satisfaction_comment = comment
        locked.closed_at = at
        locked.last_activity_at = at
        locked.save()
        _record(
            locked,
            kind="closed",
            action="support.close",
            actor=actor,
            now=at,
            note=_("Satisfaction : %(score)s/5") % {"score": score},
            changes={"satisfaction": score},
        )
        _notify(
            _and_expert(secretariat_users(), locked),
            verb="closed",
            title=_("Demande clôturée : %(subject)s") % {"subject": locked.subject},
            request=locked,
            actor=actor,
        )
    _refresh(request)
    return request


def support_request_cancel(
    *, actor: Any, request: SupportRequest, reason: str, now: datetime | None = None
) -> SupportRequest:
    """Close a request without follow-up (sans suite); pending offers are withdrawn."""
    require(actor, "cancel", request)
    reason = _reason(reason, _("Indiquez pourquoi la demande est classée sans suite."))
    at = now or timezone.now()
    with transaction.atomic():
        locked = _locked(request, OPEN_STATUSES, _("Cette demande est déjà fermée."))
        pending = list(locked.offers.filter(status=OfferStatus.OFFERED).select_related("expert"))  # type: ignore[attr-defined]
        locked.offers.filter(status=OfferStatus.OFFERED).update(  # type: ignore[attr-defined]
            status=OfferStatus.WITHDRAWN, answered_at=at
        )
        locked.status = SupportStatus.CANCELLED
        locked.cancel_reason = reason
        locked.closed_at = at
        locked.save()
        _record(
            locked,
            kind="cancelled",
            action="support.cancel",
            actor=actor,
            now=at,
            note=reason,
            changes={"reason": reason},
        )
        people = requester_side(locked)
        for offer in pending:
            people += expert_agents(offer.expert)
        _notify(
            _and_expert(people, locked),
            verb="cancelled",
            title=_("Demande classée sans suite : %(subject)s") % {"subject": locked.subject},
            request=locked,
            actor=actor,
        )
    _refresh(request)
    return request


# --- follow-up -----------------------------------------------------------------------------------


def _remind_people(request: SupportRequest) -> list[User]:
    """Who a reminder goes to: the experts offered (untaken) or in charge and the requester."""
    if request.status in UNTAKEN_STATUSES:
        people: list[User] = []
        for offer in request.offers.filter(status=OfferStatus.OFFERED).select_related("expert"):  # type: ignore[attr-defined]
            people += expert_agents(offer.expert)
        return people
    return _and_expert(requester_side(request), request)


def support_request_remind(
    *, actor: Any, request: SupportRequest, now: datetime | None = None
) -> int:
    """The secretariat reminds the experts (and the requester of a silent request)."""
    require(actor, "remind", request)
    at = now or timezone.now()
    with transaction.atomic():
        locked = _locked(request, OPEN_STATUSES, _("Cette demande est fermée."))
        people = _remind_people(locked)
        if not people:
            raise ValidationFailed(
                _("Personne à relancer : orientez d'abord la demande vers un expert.")
            )
        _record(
            locked,
            kind="reminded",
            action="support.remind",
            actor=actor,
            now=at,
            note=_("Relance du secrétariat"),
        )
        return notify(
            recipients=people,
            topic=TOPIC,
            verb="reminder",
            title=_("Relance du secrétariat : %(subject)s") % {"subject": locked.subject},
            url=locked.get_absolute_url(),
            actor=actor,
            target=locked,
        )


def send_overdue_reminders(*, now: datetime | None = None) -> int:
    """Notify once about each newly overdue request: untaken after `untaken_days()`, silent
    after `stale_days()`. Idempotent: a (request, kind, since) reminder is sent once."""
    from mediane.support.selectors import overdue_stale, overdue_untaken

    at = now or timezone.now()
    sent = 0
    staff = secretariat_users()
    for kind, requests, since_field in (
        (ReminderKind.UNTAKEN, overdue_untaken(now=at), "filed_at"),
        (ReminderKind.STALE, overdue_stale(now=at), "last_activity_at"),
    ):
        for request in requests.select_related("expert", "requester"):
            with transaction.atomic():
                _reminder, created = SupportReminder.objects.get_or_create(
                    request=request, kind=kind, since=getattr(request, since_field)
                )
                if not created:
                    continue
                if kind == ReminderKind.UNTAKEN:
                    title = _("Demande non prise en charge depuis %(days)s jours : %(subject)s")
                    days = untaken_days()
                else:
                    title = _("Demande sans nouvelles depuis %(days)s jours : %(subject)s")
                    days = stale_days()
                _event(
                    request, kind="overdue", actor=None, note=str(ReminderKind(kind).label), now=at
                )
                notify(
                    recipients=staff + _remind_people(request),
                    topic=TOPIC,
                    verb=f"overdue_{kind}",
                    title=title % {"days": days, "subject": request.subject},
                    url=request.get_absolute_url(),
                    target=request,
                )
                sent += 1
    return sent


def overdue_since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
