"""Account pages: login, registration, profile and tokens, members, invitations, audit log."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from mediane.accounts import services
from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.models import AuditEntry
from tests.accounts.factories import (
    PASSWORD,
    AuditEntryFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's HTML with entities decoded (Django escapes apostrophes)."""
    return unescape(response.content.decode())


# --- login, logout, language -------------------------------------------------------------------


def test_login_page_is_french_and_labelled(client):
    response = client.get(reverse("accounts:login"))
    html = text(response)
    assert response.status_code == 200
    assert '<label for="id_username">Adresse e-mail' in html
    assert '<label for="id_password">Mot de passe' in html


def test_login_sets_the_preferred_language(client):
    user = UserFactory(email="anglo@example.org", preferred_language="en")
    response = client.post(
        reverse("accounts:login"), {"username": "ANGLO@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_wrong_password_shows_french_error(client):
    UserFactory(email="camille@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "camille@example.org", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in text(response)


def test_logout_is_post_only(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- registration and verification -------------------------------------------------------------


def test_register_logs_in_and_sends_verification(client, django_capture_on_commit_callbacks):
    data = {
        "full_name": "Camille Laurent",
        "email": "camille@example.org",
        "password": "Laine-des-Pyrenees-2030",
        "preferred_language": "fr",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user = User.objects.get(email="camille@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    link = re.search(r"http://\S+/comptes/verification/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link.split("8000", 1)[1] if ":8000" in link else link)
    assert response.status_code == 200
    assert "est vérifiée" in text(response)
    user.refresh_from_db()
    assert user.email_verified


def test_register_errors_are_shown_on_fields(client):
    UserFactory(email="camille@example.org")
    response = client.post(
        reverse("accounts:register"),
        {
            "full_name": "C",
            "email": "camille@example.org",
            "password": "court",
            "preferred_language": "fr",
        },
    )
    html = text(response)
    assert response.status_code == 200
    assert "Un compte existe déjà" in html
    assert 'aria-invalid="true"' in html
    assert User.objects.count() == 1


def test_register_redirects_to_safe_next_only(client):
    data = {
        "full_name": "C",
        "email": "c@example.org",
        "password": "Laine-des-Pyrenees-2030",
        "preferred_language": "fr",
    }
    response = client.post(reverse("accounts:register") + "?next=https://evil.example.com/", data)
    assert response.url == reverse("accounts:profile")


def test_verify_email_bad_token_is_a_clear_400(client):
    response = client.get(reverse("accounts:verify_email", kwargs={"token": "abc:def"}))
    assert response.status_code == 400
    assert "lien de vérification n'est pas valide" in text(response)


# --- password reset --------------------------------------------------------------------------


def test_password_reset_flow(client):
    user = UserFactory(email="camille@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "camille@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "réinitialisation" in message.subject
    path = re.search(r"https?://[^/]+(/comptes/mot-de-passe/nouveau/\S+/)", message.body).group(1)
    response = client.get(path, follow=True)
    assert response.status_code == 200 and "Nouveau mot de passe" in text(response)
    form_url = response.redirect_chain[-1][0]
    new = "Tourisme-durable-Lourdes-65"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@example.org"})
    assert response.status_code == 302
    assert not mail.outbox


# --- profile and API tokens --------------------------------------------------------------------


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_lists_organisations_and_tokens(client, org, member, django_assert_max_num_queries):
    services.api_token_create(user=member, name="Tableur")
    client.force_login(member)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:profile"))
    html = text(response)
    assert org.name in html and "Membre" in html
    assert "Tableur" in html


def test_profile_update_sets_language_cookie(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Jo", "preferred_language": "en", "time_zone": "America/Toronto"},
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    outsider.refresh_from_db()
    assert outsider.time_zone == "America/Toronto"


def test_profile_update_invalid_time_zone_is_a_form_error(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Jo", "preferred_language": "fr", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400
    outsider.refresh_from_db()
    assert outsider.time_zone == "Europe/Paris"


def test_token_raw_value_shown_once_and_not_cached(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("accounts:api_token_create"), {"name": "Import"})
    assert response.status_code == 200
    raw = re.search(r'value="(mdn_[^"]+)"', text(response)).group(1)
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=outsider)
    assert token.digest == ApiToken.hash(raw)
    assert raw not in text(client.get(reverse("accounts:profile")))


def test_token_revoke_confirms_then_revokes(client, outsider):
    token, raw = services.api_token_create(user=outsider, name="Import")
    client.force_login(outsider)
    url = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    assert "définitive" in text(client.get(url))
    assert client.post(url).status_code == 302
    assert services.api_token_authenticate(raw) is None


def test_token_of_someone_else_is_not_found(client, outsider):
    token, raw = services.api_token_create(user=UserFactory(), name="Import")
    client.force_login(outsider)
    url = reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert services.api_token_authenticate(raw) is not None


# --- organisation members ------------------------------------------------------------------------


def members_url(org) -> str:
    return reverse("accounts:organisation_members", kwargs={"slug": org.slug})


def test_members_page_for_admin(client, org, admin, editor, member, django_assert_max_num_queries):
    InvitationFactory(organisation=org, email="attente@example.org")
    MembershipFactory.create_batch(10, organisation=org)
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        response = client.get(members_url(org))
    html = text(response)
    assert response.status_code == 200
    assert "attente@example.org" in html
    assert "Inviter une personne" in html
    assert html.count("Changer le rôle") == 13


def test_members_page_for_member_hides_management(client, org, admin, member):
    InvitationFactory(organisation=org, email="attente@example.org")
    client.force_login(member)
    html = text(client.get(members_url(org)))
    assert admin.get_full_name() in html
    assert "attente@example.org" not in html
    assert "Inviter une personne" not in html
    assert admin.email not in html
    assert "Quitter l'organisation" in html


def test_members_page_refused_to_outsider_and_anonymous(client, org, outsider):
    assert client.get(members_url(org)).status_code == 302
    client.force_login(outsider)
    response = client.get(members_url(org))
    assert response.status_code == 403
    assert "Accès refusé" in text(response)


def test_members_page_of_private_org_is_404_for_outsider(client, outsider):
    private = OrganisationFactory(visibility="private")
    client.force_login(outsider)
    assert client.get(members_url(private)).status_code == 404


def test_invite_from_members_page(client, org, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            members_url(org), {"email": "nouvelle@example.org", "role": "editor"}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(organisation=org, email="nouvelle@example.org").exists()
    assert len(mail.outbox) == 1
    response = client.post(members_url(org), {"email": "nouvelle@example.org", "role": "editor"})
    assert response.status_code == 400
    assert "déjà en attente" in text(response)


def test_invite_refused_to_editor(client, org, editor):
    client.force_login(editor)
    response = client.post(members_url(org), {"email": "nouvelle@example.org", "role": "admin"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_change_role_and_last_admin_message(client, org, admin, member):
    client.force_login(admin)
    target = Membership.objects.get(user=member)
    url = reverse("accounts:member_change_role", kwargs={"slug": org.slug, "pk": target.pk})
    client.post(url, {"role": "editor"})
    assert Membership.objects.get(pk=target.pk).role == Role.EDITOR
    own = Membership.objects.get(user=admin)
    url = reverse("accounts:member_change_role", kwargs={"slug": org.slug, "pk": own.pk})
    response = client.post(url, {"role": "member"}, follow=True)
    assert "au moins un administrateur" in text(response)
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN


def test_change_role_refused_to_member(client, org, admin, member):
    client.force_login(member)
    target = Membership.objects.get(user=admin)
    url = reverse("accounts:member_change_role", kwargs={"slug": org.slug, "pk": target.pk})
    assert client.post(url, {"role": "member"}).status_code == 403


def test_remove_member_with_confirmation(client, org, admin, member):
    client.force_login(admin)
    target = Membership.objects.get(user=member)
    url = reverse("accounts:member_remove", kwargs={"slug": org.slug, "pk": target.pk})
    assert "Retirer" in text(client.get(url))
    assert Membership.objects.filter(pk=target.pk).exists()
    client.post(url)
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_member_can_leave_but_not_remove_others(client, org, admin, editor, member):
    client.force_login(member)
    other = Membership.objects.get(user=editor)
    url = reverse("accounts:member_remove", kwargs={"slug": org.slug, "pk": other.pk})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    own = Membership.objects.get(user=member)
    url = reverse("accounts:member_remove", kwargs={"slug": org.slug, "pk": own.pk})
    assert "Quitter" in text(client.get(url))
    assert client.post(url).url == reverse("accounts:profile")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_membership_of_another_org_is_not_reachable(client, org, admin):
    foreign = MembershipFactory(role=Role.MEMBER)
    client.force_login(admin)
    url = reverse("accounts:member_remove", kwargs={"slug": org.slug, "pk": foreign.pk})
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_revoke_invitation_from_members_page(client, org, admin):
    invitation = InvitationFactory(organisation=org)
    client.force_login(admin)
    url = reverse("accounts:invitation_revoke", kwargs={"slug": org.slug, "pk": invitation.pk})
    assert client.post(url).status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


# --- invitation acceptance -----------------------------------------------------------------------


def test_invitee_without_account_registers_then_accepts(client, org):
    invitation = InvitationFactory(organisation=org, email="nouvelle@example.org", role=Role.EDITOR)
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation.token})
    html = text(client.get(url))
    assert org.name in html and "Créer un compte" in html
    data = {
        "full_name": "Nouvelle",
        "email": "nouvelle@example.org",
        "password": "Laine-des-Pyrenees-2030",
        "preferred_language": "fr",
    }
    response = client.post(reverse("accounts:register") + f"?next={url}", data)
    assert response.url == url
    response = client.post(url, {})
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert Membership.objects.get(user=user, organisation=org).role == Role.EDITOR
    assert user.email_verified


def test_accept_with_other_address_asks_confirmation(client, org):
    invitation = InvitationFactory(organisation=org, email="pro@example.org")
    user = UserFactory(email="perso@example.org")
    client.force_login(user)
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation.token})
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Confirmez" in text(response)
    assert not Membership.objects.filter(user=user).exists()
    response = client.post(url, {"confirm_other_email": "on"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organisation=org).exists()


def test_unknown_invitation_is_a_friendly_404(client):
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": "nope"}))
    assert response.status_code == 404
    assert "n'existe pas" in text(response)


def test_anonymous_cannot_accept(client, org):
    invitation = InvitationFactory(organisation=org)
    url = reverse("accounts:invitation_accept", kwargs={"token": invitation.token})
    assert client.post(url, {}).status_code == 403
    assert not Membership.objects.exists()


# --- audit log -----------------------------------------------------------------------------------


def test_audit_log_secretariat_sees_everything_with_filters(
    client, org, secretariat, django_assert_max_num_queries
):
    other = OrganisationFactory()
    AuditEntryFactory.create_batch(25, organisation=org, actor=secretariat)
    AuditEntryFactory(organisation=other, action="invitation.create", object_repr="Chez les autres")
    client.force_login(secretariat)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:audit_log"))
    html = text(response)
    assert response.status_code == 200
    assert "26 entrées" in html
    assert "Page 1 sur 2" in html
    response = client.get(reverse("accounts:audit_log"), {"action": "invitation.create"})
    html = text(response)
    assert "1 entrée" in html and "Chez les autres" in html
    response = client.get(
        reverse("accounts:audit_log"), {"action": "organisation.update", "page": 2}
    )
    assert "Page 2 sur 2" in text(response)


def test_audit_log_admin_sees_own_organisations_only(client, org, admin):
    AuditEntryFactory(organisation=org, object_repr="Chez nous")
    AuditEntryFactory(organisation=OrganisationFactory(), object_repr="Chez les autres")
    AuditEntryFactory(organisation=None, object_repr="Global")
    client.force_login(admin)
    html = text(client.get(reverse("accounts:audit_log")))
    assert "Chez nous" in html
    assert "Chez les autres" not in html and "Global" not in html


def test_audit_log_date_filter(client, secretariat):
    from datetime import timedelta

    from django.utils import timezone

    old = AuditEntryFactory(object_repr="Ancien")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    AuditEntryFactory(object_repr="Récent")
    client.force_login(secretariat)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    html = text(client.get(reverse("accounts:audit_log"), {"date_from": since}))
    assert "Récent" in html and "Ancien" not in html


@pytest.mark.parametrize("who", ["member", "editor", "outsider"])
def test_audit_log_refused_to_non_admins(client, request, org, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("accounts:audit_log")).status_code == 403
