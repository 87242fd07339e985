"""Personal data: export of one's own data, account deletion with anonymisation, retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mediane.accounts import personal_data, services
from mediane.accounts.models import ApiToken, Membership, Role, User
from mediane.accounts.retention import purge_personal_data
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.notifications.models import Follow, Notification
from tests.accounts.factories import PASSWORD, ApiTokenFactory, MembershipFactory, UserFactory


def _notify(user, **extra):
    return Notification.objects.create(
        recipient=user, topic="test", verb="test", title=f"pour {user.email}", **extra
    )


def test_every_relation_to_the_user_is_declared():
    """A new model pointing to the user must say what becomes of its rows (owner/attribution)."""
    declared = {
        (entry.model, name)
        for entry in personal_data.entries()
        for name in (*entry.owner, *entry.attribution)
    }
    user_model = get_user_model()
    missing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.auto_created or not field.is_relation or field.related_model is not user_model:
                continue
            if (model._meta.label, field.name) not in declared:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []


def test_export_contains_my_data_and_nothing_of_others(admin, member, client):
    _notify(member)
    _notify(admin)
    ApiTokenFactory(user=member)
    client.force_login(member)
    response = client.post(reverse("accounts:personal_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    account = json.loads(archive.read("accounts.User.json"))
    assert account[0]["email"] == "member@example.org"
    notifications = json.loads(archive.read("notifications.Notification.json"))
    assert [n["title"] for n in notifications] == ["pour member@example.org"]
    memberships = json.loads(archive.read("accounts.Membership.json"))
    assert [m["user"] for m in memberships] == [member.pk]
    tokens = json.loads(archive.read("accounts.ApiToken.json"))
    assert "digest" not in tokens[0]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"admin@example.org" not in everything


def test_export_requires_login_and_post(client):
    assert client.get(reverse("accounts:personal_data_export")).status_code in (302, 405)


def test_deletion_erases_and_anonymises(org, admin, member, client):
    ApiTokenFactory(user=member)
    _notify(member)
    Follow.objects.create(user=member, organisation=org)
    entry = AuditEntry.objects.create(actor=member, action="x", object_type="t")
    client.force_login(member)
    response = client.post(
        reverse("accounts:account_delete"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=member.pk)
    assert user.full_name == "Compte supprimé"
    assert user.email.endswith("@" + personal_data.DELETED_EMAIL_DOMAIN)
    assert not user.is_active and not user.has_usable_password()
    assert services.is_deleted(user)
    assert not Membership.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Follow.objects.filter(user=user).exists()
    entry.refresh_from_db()
    assert entry.actor_id == user.pk  # the audit entry stays, shown as « Compte supprimé »
    assert str(entry.actor) == "Compte supprimé"
    # the address is free again
    again = services.user_register(email="member@example.org", password=PASSWORD, full_name="N")
    assert again.pk != user.pk
    # logged out
    assert "_auth_user_id" not in client.session


def test_deletion_needs_password_and_confirmation(member, client):
    client.force_login(member)
    url = reverse("accounts:account_delete")
    assert client.post(url, {"password": PASSWORD}).status_code == 400
    response = client.post(url, {"password": "faux", "confirm": "on"})
    assert response.status_code == 400
    assert "Le mot de passe est incorrect." in response.content.decode()
    assert User.objects.get(pk=member.pk).email == "member@example.org"
    with pytest.raises(ValidationFailed):
        services.user_delete_account(actor=member, user=member, password="faux")


def test_last_admin_is_refused(org, admin, client):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:account_delete"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 400
    assert "dernier administrateur" in response.content.decode()
    assert Membership.objects.filter(user=admin).exists()
    MembershipFactory(organisation=org, role=Role.ADMIN)
    services.user_delete_account(actor=admin, user=admin, password=PASSWORD)
    assert not Membership.objects.filter(user=admin).exists()


def test_only_secretariat_deletes_others(member, outsider):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.user_delete_account(actor=outsider, user=member)
    secretariat = UserFactory(is_secretariat=True)
    services.user_delete_account(actor=secretariat, user=member)
    assert services.is_deleted(User.objects.get(pk=member.pk))
    with pytest.raises(Conflict):
        services.user_delete_account(actor=secretariat, user=User.objects.get(pk=member.pk))


def test_retention_purge_removes_only_what_is_past(settings, member, outsider):
    settings.RETENTION_NOTIFICATIONS_DAYS = 10
    settings.RETENTION_AUDIT_DAYS = 100
    settings.RETENTION_INACTIVE_ACCOUNTS_DAYS = 30
    now = timezone.now()
    old_read = _notify(member, read_at=now - timedelta(days=11))
    recent_read = _notify(member, read_at=now - timedelta(days=9))
    old_unread = _notify(member)
    old_entry = AuditEntry.objects.create(action="x", object_type="t")
    AuditEntry.objects.filter(pk=old_entry.pk).update(at=now - timedelta(days=101))
    new_entry = AuditEntry.objects.create(action="y", object_type="t")
    stale = UserFactory(email_verified=False, date_joined=now - timedelta(days=31))
    young = UserFactory(email_verified=False, date_joined=now - timedelta(days=29))
    used = UserFactory(email_verified=False, date_joined=now - timedelta(days=31), last_login=now)
    counts = purge_personal_data(now)
    assert counts["notifications"] == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        recent_read.pk,
        old_unread.pk,
    }
    assert old_read.pk not in Notification.objects.values_list("pk", flat=True)
    assert not AuditEntry.objects.filter(pk=old_entry.pk).exists()
    assert AuditEntry.objects.filter(pk=new_entry.pk).exists()
    assert services.is_deleted(User.objects.get(pk=stale.pk))
    assert not services.is_deleted(User.objects.get(pk=young.pk))
    assert not services.is_deleted(User.objects.get(pk=used.pk))
    assert not services.is_deleted(User.objects.get(pk=outsider.pk))
    assert purge_personal_data(now)["inactive_accounts"] == 0  # idempotent


def test_purge_command(db, settings):
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "Notifications lues supprimées : 0" in out.getvalue()


def test_privacy_page_and_footer_link(client, db):
    response = client.get("/confidentialite/")
    assert response.status_code == 200
    assert "Vos droits" in response.content.decode()
    assert 'href="/confidentialite/"' in client.get("/").content.decode()
