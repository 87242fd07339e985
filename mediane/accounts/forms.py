"""Forms of the account pages: they parse input; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mediane.accounts.models import Role
from mediane.accounts.services import COMMON_TIME_ZONES
from mediane.core.errors import MedianeError


def apply_error(form: forms.Form, error: MedianeError) -> None:
    """Show a service error on the form: on its fields when known, else as a form error."""
    placed = False
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
    if isinstance(form, AccessibleForm):
        form.mark_invalid()


class AccessibleForm(forms.Form):
    """Marks invalid fields with aria-invalid and links them to their error list."""

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_errors"]
            if self.fields[name].help_text:
                ids.insert(0, f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(ids)


class LoginForm(AuthenticationForm):
    """E-mail + password; the field keeps the name `username` that the throttling watches."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Après plusieurs essais, la connexion est "
            "suspendue pendant quelques minutes."
        ),
        "inactive": _("Ce compte est désactivé."),
    }


class RegisterForm(AccessibleForm):
    full_name = forms.CharField(
        label=_("Nom complet"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres, pas trop courant."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Langue"), choices=settings.LANGUAGES, initial="fr"
    )


class ProfileForm(AccessibleForm):
    full_name = forms.CharField(
        label=_("Nom complet"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(label=_("Langue"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Fuseau horaire"),
        choices=[(zone, zone) for zone in COMMON_TIME_ZONES],
        help_text=_("Les dates vous sont présentées dans ce fuseau."),
    )


class ApiTokenForm(AccessibleForm):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour vous souvenir de son usage, par exemple « Import du tableur »."),
    )


class InvitationForm(AccessibleForm):
    email = forms.EmailField(label=_("Adresse e-mail de la personne invitée"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(AccessibleForm):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class InvitationAcceptForm(AccessibleForm):
    confirm_other_email = forms.BooleanField(
        label=_("J'accepte cette invitation avec le compte auquel je suis connecté."),
        required=False,
    )


class AuditFilterForm(AccessibleForm):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Type d'objet"), required=False)
    date_from = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        action, object_type = self.fields["action"], self.fields["object_type"]
        assert isinstance(action, forms.ChoiceField) and isinstance(object_type, forms.ChoiceField)
        action.choices = [("", _("Toutes"))] + [(a, a) for a in actions]
        object_type.choices = [("", _("Tous"))] + [(t, t) for t in object_types]


def _code_field(label: Any, *, help_text: Any = "", autofocus: bool = False) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
    if autofocus:
        attrs["autofocus"] = "autofocus"
    return forms.CharField(
        label=label,
        max_length=32,
        help_text=help_text
        or _("Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours."),
        widget=forms.TextInput(attrs=attrs),
    )


class TwoFactorCodeForm(AccessibleForm):
    """The login's second step."""

    code = _code_field(_("Code de vérification"), autofocus=True)


class TwoFactorConfirmForm(AccessibleForm):
    """The first code of an enrolment, which proves the app is set up."""

    code = _code_field(
        _("Code affiché par l'application"),
        help_text=_("Les 6 chiffres affichés par votre application après l'ajout du compte."),
    )


class TwoFactorRegenerateForm(AccessibleForm):
    """New recovery codes: the password, or a code of the app."""

    password = forms.CharField(
        label=_("Mot de passe"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("ou un code de votre application"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("password") and not data.get("code"):
            raise forms.ValidationError(
                _("Saisissez votre mot de passe ou un code de votre application.")
            )
        return data


class TwoFactorDisableForm(AccessibleForm):
    """Removing two-factor authentication: the password and a code."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = _code_field(_("Code de vérification"))
