"""People, their memberships in organisations (with a role), invitations, API tokens and
two-factor authentication devices."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediane.core.crypto import EncryptedTextField
from mediane.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):  # type: ignore[no-untyped-def]
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        extra.update(is_staff=True, is_superuser=True, is_secretariat=True, email_verified=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None):  # type: ignore[no-untyped-def, override]
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; logs in with an e-mail address."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    is_secretariat = models.BooleanField(
        _("secrétariat du réseau"),
        default=False,
        help_text=_("Anime le réseau, le sommet et le label ; modère."),
    )
    email_verified = models.BooleanField(_("adresse vérifiée"), default=False)
    preferred_language = models.CharField(
        _("langue"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    EDITOR = "editor", _("Éditeur")
    MEMBER = "member", _("Membre")


class Membership(TimeStampedModel):
    """A person belongs to an organisation with a role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "editor", "member"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


def _token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(TimeStampedModel):
    """An invitation of a person (by e-mail) into an organisation with a role."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_token)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_pending_unique",
            )
        ]

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class ApiToken(TimeStampedModel):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TOTPDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238): at most one per person.

    The secret is encrypted at rest (`core.crypto`, re-encrypted by `mediane rotate-encryption`).
    The device is pending until the person has typed a first code (`confirmed`). `last_used_step`
    is the time step of the last accepted code: a code of that step or an earlier one is refused
    (no replay). `failed_attempts` and `locked_until` throttle wrong codes for this person,
    whatever their IP address.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedTextField(_("clé secrète"))
    confirmed = models.BooleanField(_("confirmée"), default=False)
    confirmed_at = models.DateTimeField(_("activée le"), null=True, blank=True)
    last_used_step = models.BigIntegerField(
        _("dernier pas de temps utilisé"), null=True, blank=True
    )
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("codes erronés"), default=0)
    locked_until = models.DateTimeField(_("bloquée jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("application d'authentification")
        verbose_name_plural = _("applications d'authentification")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed=False) | models.Q(confirmed_at__isnull=False),
                name="totp_device_confirmed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """A single-use recovery code of a device; only a salted PBKDF2 hash of it is stored."""

    device = models.ForeignKey(TOTPDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")

    def __str__(self) -> str:
        return f"code de secours {self.pk}"
