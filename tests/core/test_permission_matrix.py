"""The permission matrix: every role × object type × registered action, written out explicitly.

A cell that allows more than the policy (docs/architecture.md, "Roles and visibility") is a leak
and fails; so does a cell that allows less. A rule registered without an expectation here fails
too (`test_every_registered_rule_has_an_expectation`), so new rules must extend this table.

Roles are relative to one organisation O: its member, editor and admin; the admin of another
organisation; an authenticated outsider with no membership; the secretariat; a superuser; an
anonymous visitor; and an O admin whose account is deactivated (who must get nothing more than
an anonymous visitor).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.models import AuditEntry
from mediane.core.permissions import can, registered_rules
from mediane.datahub.models import Dataset, DatasetVersion, PortalAccount, TableSchema
from mediane.directory.models import Expert, Organisation, Sector
from mediane.market.models import (
    Answer,
    AnswerAttachment,
    Challenge,
    ChallengeAttachment,
    ChallengeInvitation,
    ChallengeIssuer,
    ChallengeQuestion,
    JuryMember,
    Offer,
    OfferReference,
    Score,
)
from mediane.notifications.models import Follow, Notification, NotificationPreference
from mediane.summit.models import (
    Edition,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    Registration,
    ScheduleRun,
)
from mediane.territories.models import NetworkMembership, Territory, Twinning
from tests.accounts.factories import (
    ApiTokenFactory,
    AuditEntryFactory,
    ExpertFactory,
    InvitationFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
    TwinningFactory,
    UserFactory,
)
from tests.core.matrix_roles import (
    AUTHENTICATED,
    EVERYONE,
    NETWORK,
    NOBODY,
    O_ADMIN,
    O_EDITORS,
    O_MEMBERS,
    ROLES,
    STAFF,
)

# Later apps write their rows and objects in tests/core/matrix_parts/<app>.py: a dict
# EXPECTED like the one below, and objects(o, other, users) returning one object per key.
MATRIX_PARTS = tuple(
    importlib.import_module(f"tests.core.matrix_parts.{app}")
    for app in (
        "cooperation",
        "solutions",
        "incubation",
        "tierslieux",
        "support",
        "diagnostic",
        "plans",
        "labels",
    )
)


def organisation_row(view: frozenset[str]) -> dict[str, frozenset[str]]:
    return {
        "view": view,
        "change": O_EDITORS | STAFF,
        "delete": O_ADMIN | STAFF,
        "manage_members": O_ADMIN | STAFF,
        "create": AUTHENTICATED,
        "create_dataset": O_EDITORS | STAFF,
    }


def expert_row(view: frozenset[str], own: frozenset[str] = NOBODY) -> dict[str, frozenset[str]]:
    """An expert of O; `own` is the expert's own user, who may read, edit and delete it."""
    return {
        "view": view | own,
        "change": O_EDITORS | STAFF | own,
        "delete": O_ADMIN | STAFF | own,
        "create": AUTHENTICATED,
    }


SECRETARIAT_MANAGES = {
    "view": EVERYONE,
    "change": STAFF,
    "create": STAFF,
    "delete": STAFF,
}

SUPERUSER_ONLY = frozenset({"superuser"})
# Editors and admins of any organisation may start a challenge (the service checks the issuer).
ANY_EDITOR = frozenset({"editor", "admin", "admin_other"}) | STAFF


def challenge_row(
    view: frozenset[str], *, ask: frozenset[str] = SUPERUSER_ONLY, ranking: frozenset[str] = STAFF
) -> dict[str, frozenset[str]]:
    """A challenge issued by O (no juror among the roles: jurors are tested in tests/market)."""
    return {
        "view": view,
        "create": ANY_EDITOR,
        "change": O_EDITORS | STAFF,
        "review": STAFF,
        "ask": ask,
        "view_answers": STAFF,
        "score": SUPERUSER_ONLY,
        "view_ranking": ranking,
    }


def dataset_row(view: frozenset[str]) -> dict[str, frozenset[str]]:
    """A dataset of O: its editors edit, upload, transform, open and publish it; only its
    admins record a legal basis for personal data; its people see processing details."""
    return {
        "view": view,
        "view_internal": O_MEMBERS | STAFF,
        "change": O_EDITORS | STAFF,
        "upload": O_EDITORS | STAFF,
        "transform": O_EDITORS | STAFF,
        "set_visibility": O_EDITORS | STAFF,
        "publish": O_EDITORS | STAFF,
        "record_legal_basis": O_ADMIN | STAFF,
    }


# object key -> (model, {action: roles allowed})
EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "organisation_public": (Organisation, organisation_row(EVERYONE)),
    "organisation_network": (Organisation, organisation_row(NETWORK)),
    "organisation_private": (Organisation, organisation_row(O_MEMBERS | STAFF)),
    "expert_public": (Expert, expert_row(EVERYONE)),
    "expert_network": (Expert, expert_row(NETWORK)),
    "expert_private": (Expert, expert_row(O_MEMBERS | STAFF)),
    "expert_private_of_outsider": (
        Expert,
        expert_row(O_MEMBERS | STAFF, own=frozenset({"outsider"})),
    ),
    "sector": (Sector, dict(SECRETARIAT_MANAGES)),
    "territory": (Territory, {"view": EVERYONE, "change": STAFF}),
    "network_membership": (NetworkMembership, dict(SECRETARIAT_MANAGES)),
    "twinning": (Twinning, dict(SECRETARIAT_MANAGES)),
    # The membership of the "member" role in O: members see it, admins manage it, its user leaves.
    "membership": (
        Membership,
        {
            "view": O_MEMBERS | STAFF,
            "change": O_ADMIN | STAFF,
            "delete": O_ADMIN | STAFF | {"member"},
        },
    ),
    "invitation": (Invitation, {"view": O_ADMIN | STAFF, "revoke": O_ADMIN | STAFF}),
    # The API token of the "member" role: its owner only (and superusers pass every rule).
    "api_token": (
        ApiToken,
        {"view": frozenset({"member", "superuser"}), "revoke": frozenset({"member", "superuser"})},
    ),
    "audit_entry_of_o": (AuditEntry, {"view": O_ADMIN | STAFF}),
    "audit_entry_global": (AuditEntry, {"view": STAFF}),
    # The "member" user's private details (e-mail, memberships): themselves and the secretariat.
    "user": (User, {"view_private": frozenset({"member"}) | STAFF}),
    # Notifications, follows and e-mail preferences of the "member" role: their own only.
    "notification": (
        Notification,
        {
            "view": frozenset({"member", "superuser"}),
            "mark_read": frozenset({"member", "superuser"}),
        },
    ),
    "follow": (
        Follow,
        {
            "view": frozenset({"member", "superuser"}),
            "delete": frozenset({"member", "superuser"}),
            "create": AUTHENTICATED,
        },
    ),
    "notification_preference": (
        NotificationPreference,
        {"view": frozenset({"member", "superuser"}), "change": frozenset({"member", "superuser"})},
    ),
    # Innovation market (mediane/market/rules.py).
    "challenge_draft_of_o": (Challenge, challenge_row(O_EDITORS | STAFF)),
    "challenge_open_of_o": (Challenge, challenge_row(EVERYONE, ask=NETWORK)),
    "challenge_judged_of_o": (
        Challenge,
        challenge_row(EVERYONE, ask=NETWORK, ranking=O_EDITORS | STAFF),
    ),
    "challenge_attachment_of_draft": (ChallengeAttachment, {"view": O_EDITORS | STAFF}),
    # Asked by admin_other on O's open challenge, not answered yet; then published.
    "question_pending": (
        ChallengeQuestion,
        {"view": O_EDITORS | STAFF | {"admin_other"}, "answer": O_EDITORS | STAFF},
    ),
    "question_published": (ChallengeQuestion, {"view": EVERYONE, "answer": O_EDITORS | STAFF}),
    # O answers a challenge issued by the other organisation: its issuers do not read it.
    "answer_of_o": (Answer, {"view": O_MEMBERS | STAFF, "change": O_EDITORS | SUPERUSER_ONLY}),
    "answer_attachment_of_o": (AnswerAttachment, {"view": O_MEMBERS | STAFF}),
    # A mark given by O's member, juror of O's challenge in evaluation (jury still open).
    "score_by_member": (Score, {"view": frozenset({"member"}) | STAFF}),
    "offer_published_of_o": (
        Offer,
        {"view": EVERYONE, "create": AUTHENTICATED, "change": O_EDITORS | STAFF},
    ),
    "offer_draft_of_o": (
        Offer,
        {"view": O_MEMBERS | STAFF, "create": AUTHENTICATED, "change": O_EDITORS | STAFF},
    ),
    # Another organisation's offer citing O as a city: only O's editors confirm.
    "offer_reference_to_o": (OfferReference, {"confirm": O_EDITORS | SUPERUSER_ONLY}),
    # Invitations to answer (recommendation pages): O's challenges are invited to by O's
    # editors and the secretariat; O invited to the other organisation's open challenge.
    "challenge_open_of_o_invite": (Challenge, {"invite": O_EDITORS | STAFF}),
    "challenge_draft_of_o_invite": (Challenge, {"invite": O_EDITORS | STAFF}),
    "invitation_of_o_to_other_challenge": (
        ChallengeInvitation,
        {"view": O_MEMBERS | STAFF | {"admin_other"}},
    ),
    # Summit (mediane/summit/rules.py): an edition hosted by O, whose editors organise it; the
    # "member" and "outsider" roles are approved participants, "admin_other" is pending.
    "edition_published_by_o": (
        Edition,
        {
            "view": EVERYONE,
            "register": AUTHENTICATED,
            "manage": O_EDITORS | STAFF,
            "browse_participants": O_EDITORS | STAFF | {"member", "outsider"},
        },
    ),
    "edition_draft_by_o": (
        Edition,
        {
            "view": O_EDITORS | STAFF,
            "register": O_EDITORS | STAFF,
            "manage": O_EDITORS | STAFF,
            "browse_participants": O_EDITORS | STAFF,
        },
    ),
    "registration_of_member": (
        Registration,
        {
            "view": O_EDITORS | STAFF | {"member"},
            "change": O_EDITORS | STAFF | {"member"},
            "decide": O_EDITORS | STAFF,
            "checkin": O_EDITORS | STAFF,
        },
    ),
    # Sent by the member to the outsider.
    "meeting_request": (
        MeetingRequest,
        {
            "view": O_EDITORS | STAFF | {"member", "outsider"},
            "answer": frozenset({"outsider", "superuser"}),
            "cancel": frozenset({"member", "superuser"}),
        },
    ),
    "schedule_run": (ScheduleRun, {"view": O_EDITORS | STAFF, "publish": O_EDITORS | STAFF}),
    # The member meets the outsider in the published schedule, and in an unpublished draft.
    "meeting_published": (
        Meeting,
        {
            "view": O_EDITORS | STAFF | {"member", "outsider"},
            "move": O_EDITORS | STAFF,
            "record_outcome": frozenset({"member", "outsider", "superuser"}),
        },
    ),
    "meeting_draft": (
        Meeting,
        {
            "view": O_EDITORS | STAFF,
            "move": O_EDITORS | STAFF,
            "record_outcome": SUPERUSER_ONLY,
        },
    ),
    "meeting_outcome_by_member": (MeetingOutcome, {"view": O_EDITORS | STAFF | {"member"}}),
    # Data hub (mediane/datahub/rules.py): datasets of O at each access level, and versions.
    "dataset_public_of_o": (Dataset, dataset_row(EVERYONE)),
    "dataset_network_of_o": (Dataset, dataset_row(NETWORK)),
    "dataset_private_of_o": (Dataset, dataset_row(O_MEMBERS | STAFF)),
    "version_clear_of_public": (DatasetVersion, {"view": EVERYONE}),
    # A standing blocking personal-data finding: only O's people see it, even on a public dataset.
    "version_blocked_of_public": (DatasetVersion, {"view": O_MEMBERS | STAFF}),
    "version_processing_of_public": (DatasetVersion, {"view": O_MEMBERS | STAFF}),
    "version_clear_of_network": (DatasetVersion, {"view": NETWORK}),
    "version_clear_of_private": (DatasetVersion, {"view": O_MEMBERS | STAFF}),
    "table_schema": (
        TableSchema,
        {"view": EVERYONE, "add": frozenset({"member", "editor", "admin", "admin_other"}) | STAFF},
    ),
    # O's account on a national portal (its API key): O's admins and the secretariat only.
    "portal_account_of_o": (PortalAccount, {"view": O_ADMIN | STAFF, "change": O_ADMIN | STAFF}),
}


for _part in MATRIX_PARTS:
    EXPECTED.update(_part.EXPECTED)


@pytest.fixture
def world(db) -> dict[str, Any]:
    """Users of every role and one object per key of EXPECTED."""
    o = OrganisationFactory(name="O", visibility="public")
    other = OrganisationFactory(name="Autre")
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "secretariat": UserFactory(is_secretariat=True),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    for role, org, name, active in [
        (Role.MEMBER, o, "member", True),
        (Role.EDITOR, o, "editor", True),
        (Role.ADMIN, o, "admin", True),
        (Role.ADMIN, other, "admin_other", True),
        (Role.ADMIN, o, "inactive_admin", False),
    ]:
        users[name] = MembershipFactory(organisation=org, role=role, user__is_active=active).user
    first, second = TerritoryFactory(), TerritoryFactory()

    def org_with(visibility: str) -> Organisation:
        copy = Organisation.objects.get(pk=o.pk)
        copy.visibility = visibility  # rules read the instance; O's memberships are unchanged
        return copy

    objects = {
        "organisation_public": org_with("public"),
        "organisation_network": org_with("network"),
        "organisation_private": org_with("private"),
        "expert_public": ExpertFactory(organisation=o, visibility="public"),
        "expert_network": ExpertFactory(organisation=o, visibility="network"),
        "expert_private": ExpertFactory(organisation=o, visibility="private"),
        "expert_private_of_outsider": ExpertFactory(
            organisation=o, visibility="private", user=users["outsider"]
        ),
        "sector": SectorFactory(),
        "territory": first,
        "network_membership": NetworkMembershipFactory(territory=first),
        "twinning": TwinningFactory(first=first, second=second),
        "membership": Membership.objects.get(user=users["member"], organisation=o),
        "invitation": InvitationFactory(organisation=o),
        "api_token": ApiTokenFactory(user=users["member"]),
        "audit_entry_of_o": AuditEntryFactory(organisation=o),
        "audit_entry_global": AuditEntryFactory(organisation=None),
        "user": users["member"],
        "notification": Notification.objects.create(
            recipient=users["member"], topic="challenge", verb="opened", title="Défi"
        ),
        "follow": Follow.objects.create(user=users["member"], sector=SectorFactory()),
        "notification_preference": NotificationPreference.objects.create(user=users["member"]),
        **_market_objects(o, other, users, org_with),
    }
    objects.update(_invitation_objects(objects, other))
    objects.update(_summit_objects(o, users))
    objects.update(_datahub_objects(o))
    for part in MATRIX_PARTS:
        objects.update(part.objects(o, other, users))
    return {"users": users, "objects": objects}


def _datahub_objects(o: Any) -> dict[str, Any]:
    def dataset(visibility: str) -> Dataset:
        return Dataset.objects.create(
            organisation=o, slug=f"donnees-{visibility}", title="Données", visibility=visibility
        )

    public, network, private = dataset("public"), dataset("network"), dataset("private")

    def version(of: Dataset, number: int, **fields: Any) -> DatasetVersion:
        values = {"status": "ready", "privacy_status": "ok", **fields}
        return DatasetVersion.objects.create(dataset=of, number=number, **values)

    blocked_scan = {"columns": [{"column": "courriel", "verdict": "block"}]}
    return {
        "dataset_public_of_o": public,
        "dataset_network_of_o": network,
        "dataset_private_of_o": private,
        "version_clear_of_public": version(public, 1),
        "version_blocked_of_public": version(public, 2, privacy_status="block", scan=blocked_scan),
        "version_processing_of_public": version(
            public, 3, status="processing", privacy_status="unknown"
        ),
        "version_clear_of_network": version(network, 1),
        "version_clear_of_private": version(private, 1),
        "table_schema": TableSchema.objects.get(identifier="scdl/subventions"),
        "portal_account_of_o": PortalAccount.objects.create(
            organisation=o,
            kind="udata",
            base_url="https://www.data.gouv.fr",
            api_key="cle-secrete",
            remote_organisation="org-o",
        ),
    }


def _summit_objects(o: Any, users: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    day = dt.date.today() + dt.timedelta(days=30)

    def edition(status: str) -> Edition:
        return Edition.objects.create(
            slug=f"sommet-{status}",
            year=day.year,
            title="Sommet",
            host_city="O",
            country="FR",
            organiser=o,
            starts_on=day,
            ends_on=day,
            status=status,
            registration_open=True,
            meetings_open=True,
        )

    published, draft = edition("published"), edition("draft")

    def register(e: Edition, role: str, status: str = "approved") -> Registration:
        return Registration.objects.create(
            edition=e, user=users[role], participant_type="company", status=status
        )

    member = register(published, "member")
    outsider = register(published, "outsider")
    register(published, "admin_other", "pending")
    register(draft, "member")
    request = MeetingRequest.objects.create(
        edition=published,
        sender=member,
        recipient=outsider,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    run = ScheduleRun.objects.create(edition=published, status="done")
    draft_run = ScheduleRun.objects.create(edition=published, status="done")
    published.published_run = run
    published.save()

    def meeting(r: ScheduleRun) -> Meeting:
        return Meeting.objects.create(
            run=r, edition=published, first=member, second=outsider, priority="must"
        )

    shown = meeting(run)
    return {
        "edition_published_by_o": published,
        "edition_draft_by_o": draft,
        "registration_of_member": member,
        "meeting_request": request,
        "schedule_run": run,
        "meeting_published": shown,
        "meeting_draft": meeting(draft_run),
        "meeting_outcome_by_member": MeetingOutcome.objects.create(
            meeting=shown, registration=member, took_place=True
        ),
    }


def _market_objects(o: Any, other: Any, users: dict[str, Any], org_with: Any) -> dict[str, Any]:
    from django.utils import timezone

    def challenge(issuer: Any, status: str, **extra: Any) -> Challenge:
        item = Challenge.objects.create(
            title=f"Défi {status}",
            slug=f"defi-{Challenge.objects.count()}",
            problem="p",
            status=status,
        )
        for name, value in extra.items():
            setattr(item, name, value)
        item.save()
        ChallengeIssuer.objects.create(challenge=item, organisation=issuer, role="lead")
        return item

    draft = challenge(o, "draft")
    opened = challenge(o, "open")
    judged = challenge(o, "evaluation", jury_closed_at=timezone.now())
    scoring = challenge(o, "evaluation")
    of_other = challenge(other, "open")
    answer_of_o = Answer.objects.create(challenge=of_other, organisation=o, approach="a")
    answer_to_o = Answer.objects.create(challenge=scoring, organisation=other, approach="a")
    juror = JuryMember.objects.create(challenge=scoring, user=users["member"], kind="issuer")
    criterion = scoring.criteria.create(label="Prix", weight=10)
    pending = ChallengeQuestion.objects.create(
        challenge=opened, asked_by=users["admin_other"], question="q"
    )
    published = ChallengeQuestion.objects.create(
        challenge=opened, asked_by=users["admin_other"], question="q", answer="r", is_published=True
    )
    offer = Offer.objects.create(organisation=o, title="Offre", slug="offre-o", status="published")
    draft_offer = Offer.objects.create(organisation=o, title="Brouillon", slug="offre-o-brouillon")
    offer_of_other = Offer.objects.create(organisation=other, title="Autre", slug="offre-autre")
    reference = OfferReference.objects.create(offer=offer_of_other, organisation=o)
    city = org_with("public")
    city.kind = "collectivite"  # O seen as a city by the rule; its memberships are unchanged
    reference.organisation = city
    attachment = {
        "title": "f",
        "file": "market/f.pdf",
        "content_type": "application/pdf",
        "size": 1,
    }
    return {
        "challenge_draft_of_o": draft,
        "challenge_open_of_o": opened,
        "challenge_judged_of_o": judged,
        "challenge_attachment_of_draft": ChallengeAttachment.objects.create(
            challenge=draft, **attachment
        ),
        "question_pending": pending,
        "question_published": published,
        "answer_of_o": answer_of_o,
        "answer_attachment_of_o": AnswerAttachment.objects.create(answer=answer_of_o, **attachment),
        "score_by_member": Score.objects.create(
            juror=juror, answer=answer_to_o, criterion=criterion, value=3
        ),
        "offer_published_of_o": offer,
        "offer_draft_of_o": draft_offer,
        "offer_reference_to_o": reference,
    }


def _invitation_objects(objects: dict[str, Any], other: Any) -> dict[str, Any]:
    """Invitations to answer: O invited by the other organisation to its open challenge."""
    from django.utils import timezone

    of_other = Challenge.objects.filter(issuer_links__organisation=other).get()
    o = objects["answer_of_o"].organisation
    return {
        "challenge_open_of_o_invite": objects["challenge_open_of_o"],
        "challenge_draft_of_o_invite": objects["challenge_draft_of_o"],
        "invitation_of_o_to_other_challenge": ChallengeInvitation.objects.create(
            challenge=of_other, organisation=o, invited_at=timezone.now()
        ),
    }


@pytest.mark.parametrize("key", list(EXPECTED))
def test_permission_matrix(world, key):
    model, expectations = EXPECTED[key]
    obj = world["objects"][key]
    assert type(obj) is model
    wrong = []
    for action, allowed in expectations.items():
        for role in ROLES:
            expected = role in allowed
            actual = can(world["users"][role], action, obj)
            if actual != expected:
                kind = "LEAK" if actual else "refused"
                wrong.append(f"{kind}: {role} {action} {key} -> {actual}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_registered_rule_has_an_expectation():
    expected_pairs = {(model, action) for model, actions in EXPECTED.values() for action in actions}
    missing = {
        f"{model.__name__}.{action}"
        for model, action in registered_rules()
        if (model, action) not in expected_pairs
    }
    assert not missing, f"rules without a row in the permission matrix: {sorted(missing)}"


def test_every_expectation_has_a_registered_rule():
    registered = set(registered_rules())
    unknown = {
        f"{model.__name__}.{action}"
        for model, actions in EXPECTED.values()
        for action in actions
        if (model, action) not in registered
    }
    assert not unknown, f"expected rules that nobody registered: {sorted(unknown)}"


def test_unregistered_action_is_refused_even_to_superusers(world):
    superuser = world["users"]["superuser"]
    assert not can(superuser, "publish", world["objects"]["organisation_public"])
    assert not can(superuser, "view", object())
