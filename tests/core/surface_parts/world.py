"""The world of the surface matrix: users of every role and, for each object type and each of its
non-public states, one object whose title, name or text carries a unique marker
`ZQXLEAK-<key>` (public ones too, as controls that must show).

Roles are those of the permission matrix (tests/core/matrix_roles.py), relative to one city O:
its member, editor and admin (who hold the same role in O's members-only and private sister
organisations), the admin of another organisation, an outsider, the secretariat and O's
deactivated admin. Rows are written directly (as the matrix does), except the data hub, whose
datasets are uploaded and processed through its services so that their rows are really stored;
the search index is rebuilt at the end from the apps' indexers.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from mediane.accounts.models import Membership, Role, User
from mediane.cooperation.models import (
    PartnerRole,
    PoolingProposal,
    Project,
    ProjectDocument,
    ProjectPartner,
    Thread,
)
from mediane.datahub import processing
from mediane.datahub import services as datahub_services
from mediane.diagnostic.models import Answer as DiagnosticAnswer
from mediane.diagnostic.models import Diagnostic, QuestionnaireVersion
from mediane.directory.models import Expert, Organisation
from mediane.incubation.models import HostCapacity, SoftLandingRequest, TwinningAgreement
from mediane.labels.models import Label, LabelEvaluation
from mediane.market.models import (
    Answer,
    Challenge,
    ChallengeInvitation,
    ChallengeIssuer,
    ChallengeQuestion,
    JuryMember,
    Offer,
    OfferReference,
    Score,
)
from mediane.plans.models import Action, Axis, Plan
from mediane.search.services import registered_kinds, reindex
from mediane.solutions.models import Replication, SolutionSheet
from mediane.summit.models import (
    Edition,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    Registration,
    ScheduleRun,
)
from mediane.support.models import SupportOffer, SupportRequest
from mediane.territories.models import NetworkMembership, Territory
from mediane.tierslieux.models import Booking, BookingStatus, CalendarFeed, Resource

PREFIX = "ZQXLEAK-"


def marker(key: str) -> str:
    return f"{PREFIX}{key}"


@dataclass
class World:
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)  # marker key -> object carrying it
    refs: dict[str, Any] = field(default_factory=dict)  # unmarked objects the surfaces need
    tokens: dict[str, str] = field(default_factory=dict)  # role -> raw API token


def build_world() -> World:
    from mediane.accounts.services import api_token_create

    territory = Territory.objects.create(
        country="FR", kind="municipality", code="99001", name="Villemarque", slug="villemarque",
        population=30_000, latitude=45.0, longitude=1.0,
    )  # fmt: skip
    NetworkMembership.objects.create(territory=territory, status="active")

    def org(name: str, slug: str, visibility: str = "public", kind: str = "startup") -> Any:
        return Organisation.objects.create(
            name=name, slug=slug, kind=kind, country="FR", visibility=visibility,
            territory=territory, summary="Organisation du monde des surfaces",
        )  # fmt: skip

    o = org("Ville O", "ville-o", kind="collectivite")
    other = org("Autre organisation", "autre-organisation", kind="incubateur")
    o_network = org(marker("org_network"), "org-reseau", "network", "tiers-lieu")
    o_private = org(marker("org_private"), "org-privee", "private", "tiers-lieu")
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "outsider": User.objects.create_user(email="outsider@example.org", password=None),
        "secretariat": User.objects.create_user(
            email="secretariat@example.org", password=None, is_secretariat=True
        ),
    }
    for name, role, orgs, active in [
        ("member", Role.MEMBER, (o, o_network, o_private), True),
        ("editor", Role.EDITOR, (o, o_network, o_private), True),
        ("admin", Role.ADMIN, (o, o_network, o_private), True),
        ("admin_other", Role.ADMIN, (other,), True),
        ("inactive_admin", Role.ADMIN, (o,), False),
    ]:
        user = User.objects.create_user(
            email=f"{name.replace('_', '-')}@example.org", password=None, is_active=active
        )
        for organisation in orgs:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        users[name] = user
    world = World(users=users)
    for role, user in users.items():
        if role != "anonymous":  # the deactivated admin's token was made while it was active
            user.is_active = True
            world.tokens[role] = api_token_create(user=user, name="surfaces")[1]
            user.is_active = role != "inactive_admin"
            user.save(update_fields=["is_active"])
    world.refs.update(o=o, other=other, territory=territory, o_private=o_private)
    world.objects.update(org_network=o_network, org_private=o_private)
    world.objects.update(_directory(o))
    world.objects.update(_market(world, o, other))
    world.objects.update(_summit(world, o))
    world.objects.update(_datahub(world, o))
    world.objects.update(_cooperation(world, o, other))
    world.objects.update(_solutions(world, o, other))
    world.objects.update(_incubation(o, other))
    world.objects.update(_tierslieux(world, o, o_private))
    world.objects.update(_support(world, o, territory))
    world.objects.update(_diagnostic(world, o))
    world.objects.update(_plans(world, o))
    world.objects.update(_labels(world, o, territory))
    reindex(registered_kinds())
    return world


def _directory(o: Any) -> dict[str, Any]:
    def expert(key: str, visibility: str) -> Expert:
        return Expert.objects.create(
            name=marker(key), slug=key.replace("_", "-"), kind="person", organisation=o,
            headline="Experte", visibility=visibility,
        )  # fmt: skip

    return {
        "expert_public": expert("expert_public", "public"),
        "expert_network": expert("expert_network", "network"),
        "expert_private": expert("expert_private", "private"),
    }


def _challenge(key: str, issuer: Any, status: str, **extra: Any) -> Challenge:
    item = Challenge.objects.create(
        title=marker(key), slug=key.replace("_", "-"), problem="Problème", status=status, **extra
    )
    ChallengeIssuer.objects.create(challenge=item, organisation=issuer, role="lead")
    return item


def _market(world: World, o: Any, other: Any) -> dict[str, Any]:
    users = world.users
    opened = _challenge("challenge_open", o, "open")
    scoring = _challenge("challenge_evaluation", o, "evaluation")
    of_other = _challenge("challenge_of_other_open", other, "open")
    answer_to_o = Answer.objects.create(
        challenge=scoring, organisation=other, approach=marker("answer_to_o")
    )
    juror = JuryMember.objects.create(challenge=scoring, user=users["member"], kind="issuer")
    criterion = scoring.criteria.create(label="Prix", weight=10)
    offer_of_other = Offer.objects.create(
        organisation=other, title=marker("offer_of_other"), slug="offre-autre",
        status="published",
    )  # fmt: skip
    world.refs.update(challenge_open=opened, offer_of_other=offer_of_other)
    return {
        "challenge_draft": _challenge("challenge_draft", o, "draft"),
        "challenge_submitted": _challenge("challenge_submitted", o, "submitted"),
        "challenge_open": opened,
        "challenge_evaluation": scoring,
        "challenge_of_other_open": of_other,
        "answer_of_o": Answer.objects.create(
            challenge=of_other, organisation=o, approach=marker("answer_of_o")
        ),
        "answer_to_o": answer_to_o,
        "score_by_member": Score.objects.create(
            juror=juror,
            answer=answer_to_o,
            criterion=criterion,
            value=3,
            comment=marker("score_by_member"),
        ),  # fmt: skip
        "question_pending": ChallengeQuestion.objects.create(
            challenge=opened, asked_by=users["admin_other"], question=marker("question_pending")
        ),
        "question_published": ChallengeQuestion.objects.create(
            challenge=opened,
            asked_by=users["admin_other"],
            question=marker("question_published"),
            answer="Réponse",
            is_published=True,
        ),  # fmt: skip
        "offer_published": Offer.objects.create(
            organisation=o,
            title=marker("offer_published"),
            slug="offre-publiee",
            status="published",
        ),  # fmt: skip
        "offer_draft": Offer.objects.create(
            organisation=o, title=marker("offer_draft"), slug="offre-brouillon"
        ),
        "offer_of_other": offer_of_other,
        "reference_unconfirmed": OfferReference.objects.create(
            offer=offer_of_other, organisation=o, description=marker("reference_unconfirmed")
        ),
        "invitation_to_o": ChallengeInvitation.objects.create(
            challenge=of_other,
            organisation=o,
            invited_at=timezone.now(),
            message=marker("invitation_to_o"),
        ),  # fmt: skip
    }


def _summit(world: World, o: Any) -> dict[str, Any]:
    users = world.users
    day = dt.date.today() + dt.timedelta(days=30)

    def edition(key: str, status: str) -> Edition:
        return Edition.objects.create(
            slug=key.replace("_", "-"), year=day.year, title=marker(key), host_city="O",
            country="FR", organiser=o, starts_on=day, ends_on=day, status=status,
            registration_open=True, meetings_open=True,
        )  # fmt: skip

    published, draft = edition("edition_published", "published"), edition("edition_draft", "draft")

    def register(role: str, status: str, job: str = "") -> Registration:
        return Registration.objects.create(
            edition=published, user=users[role], participant_type="company", status=status,
            job_title=job,
        )  # fmt: skip

    member = register("member", "approved", marker("registration_member"))
    outsider = register("outsider", "approved")
    pending = register("admin_other", "pending", marker("registration_pending"))
    request = MeetingRequest.objects.create(
        edition=published, sender=member, recipient=outsider, message=marker("meeting_request"),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )  # fmt: skip
    run = ScheduleRun.objects.create(edition=published, status="done")
    published.published_run = run
    published.save()
    meeting = Meeting.objects.create(
        run=run, edition=published, first=member, second=outsider, priority="must"
    )
    world.refs.update(edition=published, registrations={"member": member, "outsider": outsider})
    return {
        "edition_published": published,
        "edition_draft": draft,
        "registration_member": member,
        "registration_pending": pending,
        "meeting_request": request,
        "meeting_outcome": MeetingOutcome.objects.create(
            meeting=meeting, registration=member, took_place=True, note=marker("meeting_outcome")
        ),
    }


PEOPLE_CSV = (
    "nom,courriel,telephone,montant\n"
    "Martin,julie.martin@example.fr,06 12 34 56 78,120\n"
    "Bernard,louis.bernard@example.org,+33 5 62 42 00 11,80\n"
    "Tremblay,chloe.tremblay@example.ca,(819) 555-0199,45\n"
    "{marker},marc.dubois@example.com,07 98 76 54 32,300\n"
)


def _rows(key: str) -> bytes:
    return f"annee;equipement;visites\n2023;{marker(key)};41000\n2024;Piscine;50100\n".encode()


def _datahub(world: World, o: Any) -> dict[str, Any]:
    editor = world.users["editor"]

    def upload(dataset: Any, content: bytes, note: str = "") -> Any:
        version = datahub_services.version_upload(
            actor=editor, dataset=dataset, file=io.BytesIO(content), filename="donnees.csv",
            note=note,
        )  # fmt: skip
        return processing.process_version(version.pk)

    def dataset(key: str, visibility: str, rows_key: str, note: str = "") -> tuple[Any, Any]:
        made = datahub_services.dataset_create(actor=editor, organisation=o, title=marker(key))
        version = upload(made, _rows(rows_key), note)
        if visibility != "private":
            made = datahub_services.dataset_set_visibility(
                actor=editor, dataset=made, visibility=visibility
            )
        return made, version

    public, public_v1 = dataset("dataset_public", "public", "rows_public")
    network, network_v1 = dataset("dataset_network", "network", "rows_network")
    private, private_v1 = dataset(
        "dataset_private", "private", "rows_private", note=marker("version_of_private")
    )
    # A second version of the public dataset with e-mail addresses: blocked by the privacy scan.
    blocked = upload(public, PEOPLE_CSV.format(marker=marker("rows_blocked")).encode())
    assert blocked.privacy_status == "block", blocked.privacy_status
    world.refs.update(datasets={"public": public, "network": network, "private": private})
    return {
        "dataset_public": public,
        "dataset_network": network,
        "dataset_private": private,
        "version_of_private": private_v1,
        "rows_public": public_v1,
        "rows_network": network_v1,
        "rows_private": private_v1,
        "rows_blocked": blocked,
    }


def _cooperation(world: World, o: Any, other: Any) -> dict[str, Any]:
    today = dt.date(2026, 1, 5)

    def project(key: str, status: str, visibility: str, lead: Any = o) -> Project:
        made = Project.objects.create(
            title=marker(key), slug=key.replace("_", "-"), status=status, visibility=visibility
        )
        ProjectPartner.objects.create(
            project=made, organisation=lead, role=PartnerRole.LEAD, joined_on=today
        )
        return made

    public = project("project_public", "active", "public")
    world.refs.update(project_public=public)
    return {
        "project_public": public,
        "project_draft": project("project_draft", "draft", "public"),
        "project_network": project("project_network", "active", "network"),
        "thread_of_public_project": Thread.objects.create(
            project=public, title=marker("thread_of_public_project")
        ),
        "document_of_public_project": ProjectDocument.objects.create(
            project=public,
            title=marker("document_of_public_project"),
            file=ContentFile(marker("document_of_public_project").encode(), name="note.txt"),
            content_type="text/plain",
            size=len(marker("document_of_public_project")),
        ),  # fmt: skip
        "pooling_to_o": PoolingProposal.objects.create(
            from_organisation=other,
            to_organisation=o,
            target_project=public,
            message=marker("pooling_to_o"),
        ),  # fmt: skip
    }


def _solutions(world: World, o: Any, other: Any) -> dict[str, Any]:
    now = timezone.now()

    def sheet(key: str, visibility: str, status: str = "published") -> SolutionSheet:
        return SolutionSheet.objects.create(
            organisation=o, slug=key.replace("_", "-"), title=marker(key), problem="p",
            solution="s", visibility=visibility, status=status,
            published_at=now if status == "published" else None,
        )  # fmt: skip

    public = sheet("solution_public", "public")

    def replicate(key: str, **target: Any) -> Replication:
        kind = "challenge" if "challenge" in target else "project"
        return Replication.objects.create(
            solution=public, organisation=other, kind=kind, outcome_note=marker(key), **target
        )

    def project(key: str, status: str, visibility: str) -> Project:
        made = Project.objects.create(
            title=marker(key), slug=key.replace("_", "-"), status=status, visibility=visibility
        )
        ProjectPartner.objects.create(
            project=made, organisation=other, role=PartnerRole.LEAD, joined_on=now.date()
        )
        return made

    draft_challenge = _challenge("replicated_challenge_draft", other, "draft")
    open_challenge = _challenge("replicated_challenge_open", other, "open")
    draft_project = project("replicated_project_draft", "draft", "public")
    world.refs.update(solution_public=public)
    return {
        "solution_public": public,
        "solution_network": sheet("solution_network", "network"),
        "solution_private": sheet("solution_private", "private"),
        "solution_draft": sheet("solution_draft", "public", "draft"),
        "replicated_challenge_draft": draft_challenge,
        "replicated_challenge_open": open_challenge,
        "replicated_project_draft": draft_project,
        "replication_challenge_draft": replicate(
            "replication_challenge_draft", challenge=draft_challenge
        ),
        "replication_challenge_open": replicate(
            "replication_challenge_open", challenge=open_challenge
        ),
        "replication_project_draft": replicate("replication_project_draft", project=draft_project),
    }


def _incubation(o: Any, other: Any) -> dict[str, Any]:
    day = dt.date(2025, 1, 1)
    young = Organisation.objects.create(name="Jeune pousse", slug="jeune-pousse", kind="startup")

    def agreement(key: str, first: Any, second: Any, status: str) -> TwinningAgreement:
        return TwinningAgreement.objects.create(
            first=first, second=second, title=marker(key), start=day, status=status
        )

    signed = agreement("agreement_signed", o, other, "signed")
    return {
        "agreement_signed": signed,
        "agreement_proposed_to_o": agreement("agreement_proposed_to_o", other, o, "proposed"),
        "soft_landing_to_o": SoftLandingRequest.objects.create(
            startup=young,
            home=other,
            host=o,
            agreement=signed,
            start=day,
            end=day,
            requested_start=day,
            requested_end=day,
            status="requested",
            message=marker("soft_landing_to_o"),
        ),  # fmt: skip
        "capacity_of_o": HostCapacity.objects.create(
            host=o, start=day, end=day, places=1, note=marker("capacity_of_o")
        ),
    }


def _tierslieux(world: World, o: Any, o_private: Any) -> dict[str, Any]:
    users = world.users

    def resource(key: str, owner: Any = o, **extra: Any) -> Resource:
        return Resource.objects.create(
            organisation=owner, kind="desk", name=marker(key), slug=key.replace("_", "-"),
            who_may_book="network", **extra,
        )  # fmt: skip

    network = resource("resource_network")
    start = timezone.now() + dt.timedelta(days=2)

    def booking(key: str, status: str, unit: int) -> Booking:
        return Booking.objects.create(
            resource=network, user=users["member"], unit=unit, starts_at=start,
            ends_at=start + dt.timedelta(hours=1), status=status, tariff="member",
            price=Decimal("0"), currency="EUR", note=marker(key),
        )  # fmt: skip

    world.refs.update(feed=CalendarFeed.objects.create(user=users["member"]))
    return {
        "resource_network": network,
        "resource_inactive": resource("resource_inactive", is_active=False),
        "resource_of_private_org": resource("resource_of_private_org", o_private),
        "booking_of_member": booking("booking_of_member", BookingStatus.CONFIRMED, 1),
        "booking_cancelled": booking("booking_cancelled", BookingStatus.CANCELLED, 1),
    }


def _support(world: World, o: Any, territory: Territory) -> dict[str, Any]:
    expert = Expert.objects.create(
        name="Experte de l'accompagnement", slug="experte-accompagnement", kind="person",
        user=world.users["admin_other"], visibility="public",
    )  # fmt: skip
    now = timezone.now()
    found: dict[str, Any] = {}
    for status in ("offered", "declined", "taken"):
        key = f"support_request_{status}"
        taken = status == "taken"
        request = SupportRequest.objects.create(
            subject=marker(key), description="Besoin d'un accompagnement.",
            requester=world.users["member"], organisation=o, territory=territory,
            status="taken" if taken else "routed", expert=expert if taken else None,
            taken_at=now if taken else None,
        )  # fmt: skip
        SupportOffer.objects.create(
            request=request, expert=expert, status=status,
            decline_reason="Pas disponible" if status == "declined" else "",
        )  # fmt: skip
        found[key] = request
    return found


def _diagnostic(world: World, o: Any) -> dict[str, Any]:
    version = QuestionnaireVersion.objects.filter(is_published=True).order_by("pk").first()
    assert version is not None, "the migrations ship a published questionnaire"
    question = version.questions.filter(kind="level").order_by("pk").first()
    now = timezone.now()
    found: dict[str, Any] = {}
    for year, status in ((2025, "draft"), (2024, "submitted"), (2023, "validated")):
        diagnostic = Diagnostic.objects.create(
            organisation=o, year=year, version=version, status=status, share_name=True,
            validated_at=now if status == "validated" else None, population=30_000,
        )  # fmt: skip
        key = f"diagnostic_{status}"
        DiagnosticAnswer.objects.create(
            diagnostic=diagnostic, question=question, level=3, comment=marker(key),
            answered_at=now, answered_by=world.users["editor"],
        )  # fmt: skip
        found[key] = diagnostic
    return found


def _plans(world: World, o: Any) -> dict[str, Any]:
    def plan(key: str, status: str, visibility: str) -> Plan:
        return Plan.objects.create(
            organisation=o, title=marker(key), slug=key.replace("_", "-"), start_year=2022,
            end_year=2030, status=status, visibility=visibility,
        )  # fmt: skip

    private = plan("plan_private", "active", "private")
    axis = Axis.objects.create(plan=private, number=1, title="Axe")
    return {
        "plan_public": plan("plan_public", "active", "public"),
        "plan_draft": plan("plan_draft", "draft", "public"),
        "plan_network": plan("plan_network", "active", "network"),
        "plan_private": private,
        "action_of_private_plan": Action.objects.create(
            plan=private, axis=axis, number=1, title=marker("action_of_private_plan")
        ),
    }


def _labels(world: World, o: Any, territory: Territory) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate()
    confirmed = LabelEvaluation.objects.create(
        organisation=o, status="confirmed", evaluated_at=now - dt.timedelta(days=10),
        decided_at=now - dt.timedelta(days=9), results=[],
    )  # fmt: skip
    Label.objects.create(
        organisation=o, evaluation=confirmed, valid_from=today,
        valid_until=today + dt.timedelta(days=365), awarded_at=now,
    )  # fmt: skip
    refused = LabelEvaluation.objects.create(
        organisation=o, status="refused", evaluated_at=now - dt.timedelta(days=400),
        decided_at=now - dt.timedelta(days=399), results=[],
        refusal_reason=marker("label_evaluation_refused"),
    )  # fmt: skip
    # A public city whose label expired: listed in the directory, not in the label's list.
    expired_city = Organisation.objects.create(
        name=marker("city_label_expired"), slug="ville-label-expire", kind="collectivite",
        country="FR", visibility="public", territory=territory,
    )  # fmt: skip
    old = LabelEvaluation.objects.create(
        organisation=expired_city, status="confirmed", evaluated_at=now - dt.timedelta(days=800),
        decided_at=now - dt.timedelta(days=799), results=[],
    )  # fmt: skip
    Label.objects.create(
        organisation=expired_city, evaluation=old, status="expired",
        valid_from=today - dt.timedelta(days=799), valid_until=today - dt.timedelta(days=434),
        awarded_at=now - dt.timedelta(days=799), expired_at=now - dt.timedelta(days=434),
    )  # fmt: skip
    world.refs.update(expired_city=expired_city)
    return {
        "label_evaluation_refused": refused,
        "city_label_expired": expired_city,
    }
