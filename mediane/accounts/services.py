"""Every write on people, memberships, invitations and API tokens.

Each service checks the actor's permission, runs in one transaction and records an audit entry.
E-mails are sent once the transaction has committed, so a rolled-back write sends nothing.
"""

from __future__ import annotations

import logging
import secrets
import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.errors import Conflict, NotFound, ValidationFailed
from mediane.core.permissions import forget_roles, is_authenticated, require
from mediane.core.services import audit_record

logger = logging.getLogger(__name__)

VERIFY_EMAIL_SALT = "mediane.accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = timedelta(days=3)
INVITATION_LIFETIME = timedelta(days=14)
API_TOKEN_PREFIX = "mdn_"  # noqa: S105 (a public marker, not a secret)
API_TOKEN_MAX_ACTIVE = 20
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

# Time zones offered in the profile form; any valid IANA name is accepted by the service.
COMMON_TIME_ZONES = [
    "Europe/Paris",
    "America/Toronto",
    "America/Montreal",
    "America/Moncton",
    "America/Halifax",
    "Indian/Reunion",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "Pacific/Noumea",
    "UTC",
]


# --- helpers -----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send_after_commit(*, template: str, to: str, context: dict[str, Any], language: str) -> None:
    """Render `accounts/email/<template>_subject.txt` and `_body.txt`; send after the commit."""

    def send() -> None:
        with translation.override(language):
            subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
            body = render_to_string(f"accounts/email/{template}_body.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [to])
        except Exception:  # the write is committed; a mail failure must not turn into a 500
            logger.exception("could not send the %s e-mail to %s", template, to)

    transaction.on_commit(send)


#: Changes of a person's sign-in that they are told of by e-mail (OWASP ASVS 2.2.3, 2.5.5):
#: someone who took over the account cannot do it unnoticed.
SECURITY_EVENTS = {
    "password_changed": gettext_lazy("Le mot de passe de votre compte a été modifié."),
    "two_factor_enabled": gettext_lazy(
        "La double authentification a été activée sur votre compte."
    ),
    "two_factor_disabled": gettext_lazy(
        "La double authentification a été désactivée sur votre compte."
    ),
    "recovery_codes_regenerated": gettext_lazy(
        "De nouveaux codes de secours ont été créés pour votre compte ; les anciens ne "
        "fonctionnent plus."
    ),
}


def security_notice_send(*, user: Any, event: str) -> None:
    """E-mail `user` that their sign-in changed (after the commit; never the secret itself)."""
    if event not in SECURITY_EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    if not getattr(user, "email", "") or not getattr(user, "is_active", False):
        return
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        what = str(SECURITY_EVENTS[event])
    _send_after_commit(
        template="security_notice",
        to=user.email,
        language=language,
        context={
            "user": user,
            "what": what,
            "when": timezone.localtime(timezone.now(), _user_zone(user)),
            "profile_link": _absolute(reverse("accounts:profile")),
            "reset_link": _absolute(reverse("accounts:password_reset")),
        },
    )


def _user_zone(user: Any) -> Any:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _unwrap(obj: Any) -> Any:
    """The real object behind `request.user` (a lazy proxy), so rules are found by its type."""
    if isinstance(obj, LazyObject):
        obj.pk  # noqa: B018  (forces the proxy to load its object)
        return obj._wrapped
    return obj


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("Saisissez une adresse e-mail valide."),
            field_errors={"email": [_("Saisissez une adresse e-mail valide.")]},
        ) from None
    return email


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationFailed(
            _("Rôle inconnu : %(role)s.") % {"role": role},
            field_errors={"role": [_("Choisissez un rôle dans la liste.")]},
        )
    return role


def _check_language(language: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationFailed(
            _("Langue non prise en charge."),
            field_errors={"preferred_language": [_("Choisissez une langue dans la liste.")]},
        )
    return language


# --- users ---------------------------------------------------------------------------------------


def user_register(*, email: str, password: str, full_name: str, language: str = "fr") -> User:
    """Create an account (e-mail not yet verified) and send the verification e-mail."""
    email = _normalise_email(email)
    full_name = (full_name or "").strip()[:150]
    language = _check_language(language)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("Un compte existe déjà avec cette adresse e-mail."),
            field_errors={
                "email": [
                    _(
                        "Un compte existe déjà avec cette adresse. "
                        "Connectez-vous ou réinitialisez votre mot de passe."
                    )
                ]
            },
        )
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Le mot de passe ne convient pas."), field_errors={"password": list(exc.messages)}
        ) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, preferred_language=language
            )
            audit_record(actor=user, action="user.register", obj=user)
            user_send_verification(user=user)
    except IntegrityError:  # a concurrent registration with the same address won the race
        raise Conflict(
            _("Un compte existe déjà avec cette adresse e-mail."),
            field_errors={"email": [_("Un compte existe déjà avec cette adresse.")]},
        ) from None
    return user


def email_verification_token(user: User) -> str:
    """A signed, expiring token bound to the user and their current address."""
    return signing.TimestampSigner(salt=VERIFY_EMAIL_SALT).sign(f"{user.pk}:{user.email.lower()}")


def user_send_verification(*, user: User) -> None:
    """(Re)send the e-mail verification link to the user."""
    if user.email_verified:
        return
    link = _absolute(
        reverse("accounts:verify_email", kwargs={"token": email_verification_token(user)})
    )
    _send_after_commit(
        template="verify_email",
        to=user.email,
        context={"user": user, "link": link, "days": VERIFY_EMAIL_MAX_AGE.days},
        language=user.preferred_language,
    )


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address verified when the token is authentic, recent and still matches it."""
    invalid = _(
        "Ce lien de vérification n'est pas valide. Demandez-en un nouveau depuis votre profil."
    )
    try:
        value = signing.TimestampSigner(salt=VERIFY_EMAIL_SALT).unsign(
            token, max_age=VERIFY_EMAIL_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ValidationFailed(
            _("Ce lien de vérification a expiré. Demandez-en un nouveau depuis votre profil."),
            code="token_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(invalid, code="token_invalid") from None
    pk, _sep, email = value.partition(":")
    user = User.objects.select_for_update().filter(pk=pk, is_active=True).first()
    if user is None or user.email.lower() != email:
        raise ValidationFailed(invalid, code="token_invalid")
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_record(actor=user, action="user.verify_email", obj=user)
    return user


@transaction.atomic
def user_update_profile(
    *, actor: Any, user: User, full_name: str, preferred_language: str, time_zone: str
) -> User:
    """Change a person's name, language and time zone (themselves or the secretariat)."""
    user = _unwrap(user)
    require(actor, "view_private", user)
    language = _check_language(preferred_language)
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationFailed(
            _("Fuseau horaire inconnu."),
            field_errors={"time_zone": [_("Choisissez un fuseau horaire dans la liste.")]},
        )
    before = {
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
    }
    user.full_name = (full_name or "").strip()[:150]
    user.preferred_language = language
    user.time_zone = time_zone
    after = {
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
    }
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        user.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.update", obj=user, changes=changes)
    return user


@transaction.atomic
def user_set_secretariat(*, actor: Any, user: User, value: bool) -> User:
    """Grant or withdraw the network secretariat role; only a superuser may."""
    if not (is_authenticated(actor) and actor.is_superuser):
        raise PermissionDenied("set_secretariat")
    if user.is_secretariat != value:
        user.is_secretariat = value
        user.save(update_fields=["is_secretariat"])
        audit_record(
            actor=actor, action="user.set_secretariat", obj=user, changes={"is_secretariat": value}
        )
    return user


# --- memberships ------------------------------------------------------------------------------


def _admin_count(organisation_id: int) -> int:
    # Lock the organisation's memberships so two concurrent demotions cannot both pass the check.
    rows = Membership.objects.select_for_update().filter(organisation_id=organisation_id)
    return sum(1 for role in rows.values_list("role", flat=True) if role == Role.ADMIN)


def _last_admin_error() -> Conflict:
    return Conflict(
        _(
            "Une organisation doit garder au moins un administrateur. "
            "Nommez d'abord un autre administrateur."
        ),
        code="last_admin",
    )


@transaction.atomic
def membership_add(*, actor: Any, organisation: Any, user: User, role: str) -> Membership:
    """Add a person to an organisation directly (administrators, the secretariat)."""
    require(actor, "manage_members", organisation)
    role = _check_role(role)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise Conflict(_("Cette personne est déjà membre de l'organisation."))
    membership = Membership.objects.create(organisation=organisation, user=user, role=role)
    audit_record(
        actor=actor,
        action="membership.add",
        obj=membership,
        organisation=organisation,
        changes={"role": role},
    )
    forget_roles(user)
    return membership


@transaction.atomic
def membership_change_role(*, actor: Any, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last administrator cannot be demoted."""
    require(actor, "change", membership)
    role = _check_role(role)
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    if old == Role.ADMIN and _admin_count(membership.organisation_id) <= 1:
        raise _last_admin_error()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="membership.change_role",
        obj=membership,
        organisation=membership.organisation,
        changes={"role": [old, role]},
    )
    forget_roles(membership.user)
    forget_roles(actor)
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Remove a member (administrators, the secretariat) or leave (the member themselves)."""
    require(actor, "delete", membership)
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admin_count(membership.organisation_id) <= 1:
        raise _last_admin_error()
    audit_record(
        actor=actor,
        action="membership.remove",
        obj=membership,
        organisation=membership.organisation,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
    forget_roles(membership.user)
    forget_roles(actor)


# --- invitations ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, actor: Any, organisation: Any, email: str, role: str) -> Invitation:
    """Invite a person by e-mail into an organisation with a role, and e-mail them the link."""
    require(actor, "manage_members", organisation)
    email = _normalise_email(email)
    role = _check_role(role)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise Conflict(
            _("Cette personne est déjà membre de l'organisation."),
            field_errors={"email": [_("Cette personne est déjà membre de l'organisation.")]},
        )
    pending = Invitation.objects.select_for_update().filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    )
    now = timezone.now()
    if any(invitation.expires_at > now for invitation in pending):
        raise Conflict(
            _("Une invitation est déjà en attente pour cette adresse."),
            code="invitation_pending",
            field_errors={
                "email": [
                    _(
                        "Une invitation est déjà en attente pour cette adresse. "
                        "Révoquez-la pour en envoyer une nouvelle."
                    )
                ]
            },
        )
    pending.delete()  # expired, never accepted: replaced by the new one
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        organisation=organisation,
        changes={"email": email, "role": role},
    )
    link = _absolute(reverse("accounts:invitation_accept", kwargs={"token": invitation.token}))
    _send_after_commit(
        template="invitation",
        to=email,
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter": actor,
            "role": invitation.get_role_display(),
            "link": link,
            "days": INVITATION_LIFETIME.days,
        },
        language=getattr(actor, "preferred_language", "fr") or "fr",
    )
    return invitation


class EmailMismatch(Conflict):
    """The invitation was sent to another address; the invitee must confirm."""

    code = "email_mismatch"


@transaction.atomic
def invitation_accept(*, user: Any, token: str, confirm_other_email: bool = False) -> Membership:
    """Join the organisation of a pending invitation; the token in the link is the authority.

    When the invitation was sent to another address than the user's, the user must confirm.
    """
    if not is_authenticated(user):
        raise PermissionDenied("accept")
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound(_("Cette invitation n'existe pas ou a déjà été utilisée."))
    if invitation.expires_at <= timezone.now():
        raise ValidationFailed(
            _(
                "Cette invitation a expiré. "
                "Demandez à l'administrateur de vous en envoyer une nouvelle."
            ),
            code="invitation_expired",
        )
    same_email = invitation.email.lower() == user.email.lower()
    if not same_email and not confirm_other_email:
        raise EmailMismatch(
            _(
                "Cette invitation a été envoyée à %(invited)s, mais vous êtes connecté avec "
                "%(current)s. Confirmez pour l'accepter avec ce compte."
            )
            % {"invited": invitation.email, "current": user.email}
        )
    membership, created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if same_email and not user.email_verified:
        # The link was delivered to this address: that proves the user receives its mail.
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    audit_record(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        organisation=invitation.organisation,
        changes={"role": membership.role, "new_member": created},
    )
    forget_roles(user)
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> None:
    """Cancel a pending invitation (its link stops working)."""
    require(actor, "revoke", invitation)
    if invitation.accepted_at is not None:
        raise Conflict(_("Cette invitation a déjà été acceptée."))
    audit_record(
        actor=actor,
        action="invitation.revoke",
        obj=invitation,
        organisation=invitation.organisation,
        changes={"email": invitation.email},
    )
    invitation.delete()


# --- API tokens -------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw value is returned once and never stored."""
    if not is_authenticated(user):
        raise PermissionDenied("create")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Donnez un nom au jeton (100 caractères au plus)."),
            field_errors={"name": [_("Donnez un nom au jeton (100 caractères au plus).")]},
        )
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= API_TOKEN_MAX_ACTIVE:
        raise Conflict(
            _(
                "Vous avez atteint le nombre maximal de %(count)s jetons actifs. "
                "Révoquez-en un d'abord."
            )
            % {"count": API_TOKEN_MAX_ACTIVE}
        )
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=ApiToken.hash(raw)
    )
    audit_record(actor=user, action="api_token.create", obj=token, changes={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: requests using it are refused from now on."""
    require(actor, "revoke", token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_authenticate(raw: str | None) -> User | None:
    """The active user owning the (unrevoked) raw token, or None; notes its last use."""
    if not raw or len(raw) > 200 or not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_TOUCH_INTERVAL:
        # At most one write a minute per token, whatever the request rate.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user


# --- personal data ----------------------------------------------------------------------------


def _orphaned_organisations(user: User) -> list[str]:
    """Names of the organisations where `user` is the only administrator."""
    names = []
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN).select_related("organisation")
    for membership in admin_of:
        if _admin_count(membership.organisation_id) <= 1:
            names.append(str(membership.organisation))
    return names


@transaction.atomic
def user_delete_account(*, actor: Any, user: User, password: str | None = None) -> User:
    """Delete a person's account: erase their personal data, anonymise what must stay.

    The person deletes their own account by giving their password again; the secretariat (or a
    superuser) deletes another one, and `actor=None` is the retention job. The account row stays,
    anonymised (« Compte supprimé », an address of its own that cannot receive mail, no
    password), so answers, jury scores, messages and audit entries keep an author; the address is
    free to register again. Refused while the person is the last administrator of an organisation.
    """
    from mediane.accounts import personal_data

    user = User.objects.select_for_update().get(pk=user.pk)
    if is_deleted(user):
        raise Conflict(_("Ce compte a déjà été supprimé."), code="already_deleted")
    if actor is not None:
        if is_authenticated(actor) and actor.pk == user.pk:
            if not password or not user.check_password(password):
                raise ValidationFailed(
                    _("Le mot de passe est incorrect."),
                    field_errors={"password": [_("Le mot de passe est incorrect.")]},
                )
        elif not (getattr(actor, "is_superuser", False) or getattr(actor, "is_secretariat", False)):
            raise PermissionDenied("delete_account")
    orphaned = _orphaned_organisations(user)
    if orphaned:
        raise Conflict(
            _(
                "Vous êtes le dernier administrateur de : %(names)s. Nommez d'abord un autre "
                "administrateur (ou demandez au secrétariat de le faire), puis supprimez le compte."
            )
            % {"names": ", ".join(orphaned)},
            code="last_admin",
        )
    personal_data.erase(user)
    user.email = f"{secrets.token_hex(8)}-{user.pk}@{personal_data.DELETED_EMAIL_DOMAIN}"
    user.full_name = personal_data.DELETED_NAME
    user.is_active = False
    user.is_staff = user.is_superuser = user.is_secretariat = False
    user.email_verified = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    forget_roles(user)
    audit_record(
        actor=actor if actor is not None and actor.pk != user.pk else None,
        action="user.delete_account",
        obj=user,
    )
    return user


def is_deleted(user: Any) -> bool:
    """True for an account deleted by `user_delete_account`."""
    from mediane.accounts.personal_data import DELETED_EMAIL_DOMAIN

    return str(getattr(user, "email", "")).endswith("@" + DELETED_EMAIL_DOMAIN)
