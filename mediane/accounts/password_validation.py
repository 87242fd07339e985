"""Password rules Django does not ship: an upper bound on the length (OWASP ASVS 2.1.2:
passwords up to 128 characters are accepted, longer ones refused, so a hash of a huge input
cannot be asked for)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Ce mot de passe est trop long : %(max_length)d caractère au plus.",
                    "Ce mot de passe est trop long : %(max_length)d caractères au plus.",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Votre mot de passe ne doit pas dépasser %(max_length)d caractères.") % {
            "max_length": self.max_length
        }
