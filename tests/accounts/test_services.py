"""Services of accounts: registration, e-mail verification, invitations, memberships, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mediane.accounts import services
from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.errors import Conflict, NotFound, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.core.permissions import role_in
from tests.accounts.factories import (
    ApiTokenFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STRONG = "Laine-des-Pyrenees-2030"


def register(django_capture_on_commit_callbacks, **overrides) -> User:
    data = {"email": "Camille@Example.org", "password": STRONG, "full_name": "Camille Laurent"}
    data.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        return services.user_register(**data)


# --- registration and verification -------------------------------------------------------------


def test_register_creates_unverified_user_with_argon2_and_sends_verification(
    django_capture_on_commit_callbacks, project_password_hashers
):
    user = register(django_capture_on_commit_callbacks, language="en")
    assert user.email == "camille@example.org"
    assert user.preferred_language == "en"
    assert not user.email_verified
    assert user.password.startswith("argon2$")
    assert user.check_password(STRONG)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille@example.org"]
    assert "/comptes/verification/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()


def test_register_refuses_duplicate_email_case_insensitively(django_capture_on_commit_callbacks):
    register(django_capture_on_commit_callbacks)
    with pytest.raises(Conflict) as exc:
        register(django_capture_on_commit_callbacks, email="CAMILLE@example.org")
    assert "email" in exc.value.field_errors
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password", ["court", "1234567890123", "motdepasse", "Pyrenees-27", "Laine-" * 22]
)
def test_register_refuses_weak_password_without_saving(password):
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(email="a@example.org", password=password, full_name="A")
    assert exc.value.field_errors["password"]
    assert not User.objects.exists()
    assert not mail.outbox


def test_register_accepts_a_passphrase_of_128_characters():
    passphrase = ("laine des Pyrénées " * 7)[:128]
    assert len(passphrase) == 128
    user = services.user_register(email="a@example.org", password=passphrase, full_name="A")
    assert user.check_password(passphrase)


def test_register_refuses_bad_email_and_language():
    with pytest.raises(ValidationFailed):
        services.user_register(email="pas-une-adresse", password=STRONG, full_name="A")
    with pytest.raises(ValidationFailed):
        services.user_register(email="a@example.org", password=STRONG, full_name="A", language="xx")
    assert not User.objects.exists()


def test_verify_email_with_the_token_of_the_mail(django_capture_on_commit_callbacks):
    user = register(django_capture_on_commit_callbacks)
    token = services.email_verification_token(user)
    assert token in mail.outbox[0].body
    verified = services.user_verify_email(token=token)
    assert verified.pk == user.pk
    user.refresh_from_db()
    assert user.email_verified
    # A second click is harmless.
    services.user_verify_email(token=token)


def test_verify_email_refuses_tampered_expired_and_stale_tokens(django_capture_on_commit_callbacks):
    user = register(django_capture_on_commit_callbacks)
    token = services.email_verification_token(user)
    with pytest.raises(ValidationFailed):
        services.user_verify_email(token=token + "x")
    other_salt = signing.TimestampSigner(salt="other").sign(f"{user.pk}:{user.email}")
    with pytest.raises(ValidationFailed):
        services.user_verify_email(token=other_salt)
    later = timezone.now() + services.VERIFY_EMAIL_MAX_AGE + timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("time.time", lambda: later.timestamp())
        with pytest.raises(ValidationFailed) as exc:
            services.user_verify_email(token=token)
    assert exc.value.code == "token_expired"
    # The address changed since the mail was sent: the old link no longer verifies.
    User.objects.filter(pk=user.pk).update(email="new@example.org")
    with pytest.raises(ValidationFailed):
        services.user_verify_email(token=token)
    user.refresh_from_db()
    assert not user.email_verified


def test_update_profile_is_audited_and_validates_time_zone(outsider, secretariat):
    services.user_update_profile(
        actor=outsider,
        user=outsider,
        full_name="Jo",
        preferred_language="en",
        time_zone="America/Toronto",
    )
    outsider.refresh_from_db()
    assert (outsider.full_name, outsider.preferred_language, outsider.time_zone) == (
        "Jo",
        "en",
        "America/Toronto",
    )
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.changes["time_zone"] == ["Europe/Paris", "America/Toronto"]
    with pytest.raises(ValidationFailed):
        services.user_update_profile(
            actor=outsider,
            user=outsider,
            full_name="Jo",
            preferred_language="en",
            time_zone="Mars/Olympus",
        )
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.user_update_profile(
            actor=other, user=outsider, full_name="X", preferred_language="fr", time_zone="UTC"
        )
    services.user_update_profile(
        actor=secretariat, user=outsider, full_name="Jo B", preferred_language="fr", time_zone="UTC"
    )


def test_set_secretariat_is_for_superusers_only(outsider, secretariat, superuser):
    with pytest.raises(PermissionDenied):
        services.user_set_secretariat(actor=secretariat, user=outsider, value=True)
    services.user_set_secretariat(actor=superuser, user=outsider, value=True)
    outsider.refresh_from_db()
    assert outsider.is_secretariat
    assert AuditEntry.objects.filter(action="user.set_secretariat", actor=superuser).exists()


# --- invitations ---------------------------------------------------------------------------------


def invite(
    django_capture_on_commit_callbacks, actor, org, email="nouvelle@example.org", role="editor"
):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(actor=actor, organisation=org, email=email, role=role)


def test_invitation_create_sends_link_and_audits(django_capture_on_commit_callbacks, org, admin):
    invitation = invite(
        django_capture_on_commit_callbacks, admin, org, email=" Nouvelle@Example.org "
    )
    assert invitation.email == "nouvelle@example.org"
    assert invitation.role == Role.EDITOR
    assert invitation.is_pending
    assert len(mail.outbox) == 1
    assert f"/comptes/invitation/{invitation.token}/" in mail.outbox[0].body
    assert org.name in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action="invitation.create")
    assert entry.organisation == org and entry.actor == admin


@pytest.mark.parametrize("who", ["editor", "member", "outsider"])
def test_invitation_create_requires_manage_members(request, org, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=actor, organisation=org, email="x@example.org", role="member"
        )
    assert not Invitation.objects.exists()


def test_invitation_create_by_secretariat(django_capture_on_commit_callbacks, org, secretariat):
    invite(django_capture_on_commit_callbacks, secretariat, org)
    assert Invitation.objects.filter(organisation=org).count() == 1


def test_invitation_duplicates_refused_with_clear_message(
    django_capture_on_commit_callbacks, org, admin, member
):
    invite(django_capture_on_commit_callbacks, admin, org)
    with pytest.raises(Conflict) as exc:
        invite(django_capture_on_commit_callbacks, admin, org, email="NOUVELLE@example.org")
    assert exc.value.code == "invitation_pending"
    assert "déjà en attente" in exc.value.message
    with pytest.raises(Conflict) as exc:
        invite(django_capture_on_commit_callbacks, admin, org, email=member.email)
    assert "déjà membre" in exc.value.message
    with pytest.raises(ValidationFailed):
        invite(
            django_capture_on_commit_callbacks, admin, org, email="autre@example.org", role="owner"
        )


def test_expired_invitation_is_replaced(django_capture_on_commit_callbacks, org, admin):
    old = InvitationFactory(
        organisation=org, email="nouvelle@example.org", expires_at=timezone.now()
    )
    new = invite(django_capture_on_commit_callbacks, admin, org)
    assert new.pk != old.pk
    assert not Invitation.objects.filter(pk=old.pk).exists()


def test_invitation_accept_creates_membership_and_verifies_email(org, admin):
    invitation = InvitationFactory(organisation=org, email="nouvelle@example.org", role=Role.EDITOR)
    user = UserFactory(email="nouvelle@example.org", email_verified=False)
    assert role_in(user, org.pk) is None  # caches the (empty) roles
    membership = services.invitation_accept(user=user, token=invitation.token)
    assert membership.role == Role.EDITOR and membership.organisation == org
    assert role_in(user, org.pk) == Role.EDITOR  # the role cache was dropped
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    user.refresh_from_db()
    assert user.email_verified
    with pytest.raises(NotFound):
        services.invitation_accept(user=user, token=invitation.token)


def test_invitation_accept_with_another_address_needs_confirmation(org):
    invitation = InvitationFactory(organisation=org, email="pro@example.org")
    user = UserFactory(email="perso@example.org", email_verified=False)
    with pytest.raises(services.EmailMismatch) as exc:
        services.invitation_accept(user=user, token=invitation.token)
    assert "pro@example.org" in exc.value.message
    assert not Membership.objects.filter(user=user).exists()
    services.invitation_accept(user=user, token=invitation.token, confirm_other_email=True)
    assert Membership.objects.filter(user=user, organisation=org).exists()
    user.refresh_from_db()
    assert not user.email_verified  # the link did not go to this address


def test_invitation_accept_refuses_expired_unknown_and_anonymous(org):
    from django.contrib.auth.models import AnonymousUser

    expired = InvitationFactory(organisation=org, expires_at=timezone.now() - timedelta(seconds=1))
    user = UserFactory(email=expired.email)
    with pytest.raises(ValidationFailed):
        services.invitation_accept(user=user, token=expired.token)
    with pytest.raises(NotFound):
        services.invitation_accept(user=user, token="inconnu")
    with pytest.raises(PermissionDenied):
        services.invitation_accept(user=AnonymousUser(), token=expired.token)
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_accept_by_existing_member_keeps_membership(org, member):
    invitation = InvitationFactory(organisation=org, email=member.email, role=Role.ADMIN)
    membership = services.invitation_accept(user=member, token=invitation.token)
    assert membership.role == Role.MEMBER
    assert Membership.objects.filter(user=member, organisation=org).count() == 1


def test_invitation_revoke(org, admin, editor):
    invitation = InvitationFactory(organisation=org)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=editor, invitation=invitation)
    services.invitation_revoke(actor=admin, invitation=invitation)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert AuditEntry.objects.filter(action="invitation.revoke", organisation=org).exists()


# --- memberships ---------------------------------------------------------------------------------


def test_change_role_by_admin_is_audited(org, admin, member):
    membership = Membership.objects.get(user=member, organisation=org)
    services.membership_change_role(actor=admin, membership=membership, role=Role.EDITOR)
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    entry = AuditEntry.objects.get(action="membership.change_role")
    assert entry.changes == {"role": ["member", "editor"]} and entry.organisation == org


def test_change_role_refused_to_editor_and_member(org, editor, member):
    membership = Membership.objects.get(user=member, organisation=org)
    for actor in (editor, member):
        with pytest.raises(PermissionDenied):
            services.membership_change_role(actor=actor, membership=membership, role=Role.ADMIN)
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_last_admin_cannot_be_demoted_or_removed(org, admin, secretariat):
    membership = Membership.objects.get(user=admin, organisation=org)
    with pytest.raises(Conflict) as exc:
        services.membership_change_role(actor=secretariat, membership=membership, role=Role.MEMBER)
    assert exc.value.code == "last_admin"
    with pytest.raises(Conflict):
        services.membership_remove(actor=admin, membership=membership)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    # With a second admin, the first one may step down.
    MembershipFactory(organisation=org, role=Role.ADMIN)
    services.membership_change_role(actor=admin, membership=membership, role=Role.MEMBER)
    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER


def test_membership_remove_by_admin_secretariat_or_self(
    org, admin, editor, member, outsider, secretariat
):
    member_ms = Membership.objects.get(user=member, organisation=org)
    editor_ms = Membership.objects.get(user=editor, organisation=org)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=editor, membership=member_ms)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=outsider, membership=member_ms)
    services.membership_remove(actor=member, membership=member_ms)  # leaving
    services.membership_remove(actor=secretariat, membership=editor_ms)
    assert list(Membership.objects.filter(organisation=org).values_list("user", flat=True)) == [
        admin.pk
    ]
    assert AuditEntry.objects.filter(action="membership.remove", organisation=org).count() == 2


def test_membership_add(org, admin, outsider):
    services.membership_add(actor=admin, organisation=org, user=outsider, role=Role.EDITOR)
    assert role_in(outsider, org.pk) == Role.EDITOR
    with pytest.raises(Conflict):
        services.membership_add(actor=admin, organisation=org, user=outsider, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=outsider, organisation=OrganisationFactory(), user=outsider, role="admin"
        )


# --- API tokens ----------------------------------------------------------------------------------


def test_api_token_create_stores_only_digest(outsider):
    token, raw = services.api_token_create(user=outsider, name="  Import du tableur ")
    assert raw.startswith("mdn_") and len(raw) > 40
    assert token.name == "Import du tableur"
    assert token.prefix == raw[:12]
    assert token.digest == ApiToken.hash(raw)
    stored = ApiToken.objects.filter(pk=token.pk).values_list()[0]
    assert raw not in [str(value) for value in stored]
    assert AuditEntry.objects.filter(action="api_token.create", actor=outsider).exists()


def test_api_token_create_validates_name_and_limit(outsider):
    with pytest.raises(ValidationFailed):
        services.api_token_create(user=outsider, name="  ")
    ApiTokenFactory.create_batch(services.API_TOKEN_MAX_ACTIVE, user=outsider)
    with pytest.raises(Conflict):
        services.api_token_create(user=outsider, name="un de trop")


def test_api_token_authenticate_and_revoke(outsider):
    token, raw = services.api_token_create(user=outsider, name="script")
    assert services.api_token_authenticate(raw) == outsider
    assert services.api_token_authenticate(raw + "x") is None
    assert services.api_token_authenticate("") is None
    assert services.api_token_authenticate(None) is None
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=other, token=token)
    services.api_token_revoke(actor=outsider, token=token)
    assert services.api_token_authenticate(raw) is None


def test_api_token_of_inactive_user_is_refused(outsider):
    _token, raw = services.api_token_create(user=outsider, name="script")
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    assert services.api_token_authenticate(raw) is None


def test_api_token_last_used_written_at_most_once_a_minute(outsider, django_assert_num_queries):
    token, raw = services.api_token_create(user=outsider, name="script")
    with django_assert_num_queries(2):  # lookup + first touch
        services.api_token_authenticate(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # lookup only
        services.api_token_authenticate(raw)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    services.api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)
