"""Permission rules of the innovation market (registered with core.permissions.rule).

Roles are derived from memberships: the *issuers' editors* are the editors and admins of any
issuing organisation of a challenge; a *juror* is a `JuryMember` of the challenge. Rules answer
"who"; the services also check "when" (state of the challenge, deadlines) and say why in French.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import (
    has_role,
    is_authenticated,
    is_network_member,
    is_secretariat,
    role_in,
    rule,
    user_roles,
)
from mediane.directory.models import OrganisationKind
from mediane.market.models import (
    Answer,
    AnswerAttachment,
    AnswerStatus,
    Challenge,
    ChallengeAttachment,
    ChallengeInvitation,
    ChallengeQuestion,
    ChallengeStatus,
    ConflictDeclaration,
    JuryMember,
    Offer,
    OfferReference,
    OfferStatus,
    Score,
)

#: Statuses after the closing time: the jury may read the answers it has no conflict with.
AFTER_CLOSING = frozenset(
    {
        ChallengeStatus.CLOSED,
        ChallengeStatus.EVALUATION,
        ChallengeStatus.AWARDED,
        ChallengeStatus.NOT_AWARDED,
        ChallengeStatus.PILOT,
        ChallengeStatus.PILOT_REPORT,
        ChallengeStatus.ARCHIVED,
    }
)


def issuer_ids(challenge: Challenge) -> set[int]:
    """Ids of the issuing organisations (cached on the instance; prefetch `issuer_links`)."""
    cached = getattr(challenge, "_issuer_ids", None)
    if cached is None:
        if challenge.pk is None:
            return set()
        cached = {link.organisation_id for link in challenge.issuer_links.all()}  # type: ignore[attr-defined]
        challenge._issuer_ids = cached  # type: ignore[attr-defined]
    return set(cached)


def is_issuer_editor(user: Any, challenge: Challenge) -> bool:
    return any(has_role(user, org_id, "editor") for org_id in issuer_ids(challenge))


def juror_of(user: Any, challenge: Challenge) -> JuryMember | None:
    """The user's seat in the jury of `challenge`, or None (cached per challenge instance)."""
    if not is_authenticated(user) or challenge.pk is None:
        return None
    cache: dict[int, JuryMember | None] = challenge.__dict__.setdefault("_jurors", {})
    if user.pk not in cache:
        cache[user.pk] = JuryMember.objects.filter(challenge=challenge, user=user).first()
    return cache[user.pk]


def juror_cleared_for(juror: JuryMember, organisation_id: int) -> bool:
    """True when the juror declared no conflict with this candidate organisation."""
    return ConflictDeclaration.objects.filter(
        juror=juror, organisation_id=organisation_id, has_conflict=False
    ).exists()


# --- Challenges -------------------------------------------------------------------------------


@rule(Challenge, "view")
def challenge_view(user: Any, obj: Any) -> bool:
    return obj.is_public or is_secretariat(user) or is_issuer_editor(user, obj)


@rule(Challenge, "create")
def challenge_create(user: Any, obj: Any) -> bool:
    # Object checks (editor of the lead issuer, a collectivité) are made by the service.
    return is_secretariat(user) or any(
        role in ("editor", "admin") for role in user_roles(user).values()
    )


@rule(Challenge, "change")
def challenge_change(user: Any, obj: Any) -> bool:
    """Edit, submit, manage the jury and run the evaluation of the challenge."""
    return is_secretariat(user) or is_issuer_editor(user, obj)


@rule(Challenge, "review")
def challenge_review(user: Any, obj: Any) -> bool:
    """Publish a submitted challenge or return it to its issuers."""
    return is_secretariat(user)


@rule(Challenge, "ask")
def challenge_ask(user: Any, obj: Any) -> bool:
    return obj.is_public and is_network_member(user)


@rule(Challenge, "view_answers")
def challenge_view_answers(user: Any, obj: Any) -> bool:
    """List the answers (each one still checked by `Answer.view`)."""
    return is_secretariat(user) or (obj.status in AFTER_CLOSING and juror_of(user, obj) is not None)


@rule(Challenge, "score")
def challenge_score(user: Any, obj: Any) -> bool:
    return juror_of(user, obj) is not None


@rule(Challenge, "view_ranking")
def challenge_view_ranking(user: Any, obj: Any) -> bool:
    if is_secretariat(user):
        return True
    if obj.jury_closed_at is None:
        return False
    return is_issuer_editor(user, obj) or juror_of(user, obj) is not None


@rule(ChallengeAttachment, "view")
def challenge_attachment_view(user: Any, obj: Any) -> bool:
    return challenge_view(user, obj.challenge)


@rule(ChallengeQuestion, "view")
def question_view(user: Any, obj: Any) -> bool:
    challenge = obj.challenge
    if obj.is_published:
        return challenge_view(user, challenge)
    own = is_authenticated(user) and obj.asked_by_id == user.pk
    return own or is_secretariat(user) or is_issuer_editor(user, challenge)


@rule(ChallengeQuestion, "answer")
def question_answer(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or is_issuer_editor(user, obj.challenge)


# --- Answers ----------------------------------------------------------------------------------


@rule(Answer, "view")
def answer_view(user: Any, obj: Any) -> bool:
    """Its organisation's members, the secretariat, and jurors cleared of conflict after closing."""
    if is_secretariat(user) or role_in(user, obj.organisation_id) is not None:
        return True
    challenge = obj.challenge
    if challenge.status not in AFTER_CLOSING or obj.status == AnswerStatus.WITHDRAWN:
        return False
    juror = juror_of(user, challenge)
    return juror is not None and juror_cleared_for(juror, obj.organisation_id)


@rule(Answer, "change")
def answer_change(user: Any, obj: Any) -> bool:
    """Edit, attach files, withdraw: the editors of the answering organisation."""
    return has_role(user, obj.organisation_id, "editor")


@rule(AnswerAttachment, "view")
def answer_attachment_view(user: Any, obj: Any) -> bool:
    return answer_view(user, obj.answer)


@rule(Score, "view")
def score_view(user: Any, obj: Any) -> bool:
    """A juror sees their own marks; others' marks only once the jury is closed."""
    if is_authenticated(user) and obj.juror.user_id == user.pk:
        return True
    return challenge_view_ranking(user, obj.answer.challenge)


# --- Offers -----------------------------------------------------------------------------------


@rule(Offer, "view")
def offer_view(user: Any, obj: Any) -> bool:
    if obj.status == OfferStatus.PUBLISHED:
        return True
    return is_secretariat(user) or role_in(user, obj.organisation_id) is not None


@rule(Offer, "create")
def offer_create(user: Any, obj: Any) -> bool:
    return is_authenticated(user)


@rule(Offer, "change")
def offer_change(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or has_role(user, obj.organisation_id, "editor")


@rule(OfferReference, "confirm")
def offer_reference_confirm(user: Any, obj: Any) -> bool:
    """Only the city referred to confirms: an editor of that collectivité, or of a collectivité
    of that territory. The secretariat does not confirm on a city's behalf."""
    if not is_authenticated(user):
        return False
    if obj.organisation_id is not None:
        organisation = obj.organisation
        return organisation.kind == OrganisationKind.COLLECTIVITE and has_role(
            user, organisation.pk, "editor"
        )
    from mediane.directory.models import Organisation

    editable = [pk for pk in user_roles(user) if has_role(user, pk, "editor")]
    return Organisation.objects.filter(
        pk__in=editable, kind=OrganisationKind.COLLECTIVITE, territory_id=obj.territory_id
    ).exists()


# --- Invitations to answer (recommendation pages) -----------------------------------------------


@rule(Challenge, "invite")
def challenge_invite(user: Any, obj: Any) -> bool:
    """See the organisations to invite and invite them: issuers' editors, secretariat (the
    service also checks the state: submitted, or open and not yet closed)."""
    return is_secretariat(user) or is_issuer_editor(user, obj)


@rule(ChallengeInvitation, "view")
def challenge_invitation_view(user: Any, obj: Any) -> bool:
    """The invited organisation's members, the challenge's issuers' editors, the secretariat."""
    if is_secretariat(user) or role_in(user, obj.organisation_id) is not None:
        return True
    return is_issuer_editor(user, obj.challenge)
