"""A person is told by e-mail when their password changes, whatever the way (the profile's
form, a reset link, the admin, `mediane changepassword`): Django's `AbstractBaseUser.save()`
keeps the new raw password in `_password` until the save is done, which is the sign used here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from mediane.accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.password_changed_notice")
def password_changed_notice(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if created or kwargs.get("raw") or getattr(instance, "_password", None) is None:
        return
    from mediane.accounts.services import security_notice_send

    security_notice_send(user=instance, event="password_changed")
