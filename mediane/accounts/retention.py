"""Retention of personal data: what is removed once its delay has passed.

The delays are settings (0 keeps forever): read notifications
(`MEDIANE_RETENTION_NOTIFICATIONS_DAYS`), audit entries (`MEDIANE_RETENTION_AUDIT_DAYS`), and
accounts whose address was never verified and that never logged in
(`MEDIANE_RETENTION_INACTIVE_ACCOUNTS_DAYS`, deleted like a deletion asked by the person).
Run every day by the worker (`accounts.retention`) and by `mediane purge-personal-data`;
idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from mediane.core.errors import MedianeError

logger = logging.getLogger(__name__)


def purge_personal_data(now: datetime | None = None) -> dict[str, int]:
    """Apply the retention delays; returns the number of rows removed per kind."""
    from mediane.accounts.models import User
    from mediane.accounts.personal_data import DELETED_EMAIL_DOMAIN
    from mediane.accounts.services import user_delete_account
    from mediane.core.models import AuditEntry
    from mediane.notifications.models import Notification

    at = now or timezone.now()
    counts = {"notifications": 0, "audit_entries": 0, "inactive_accounts": 0}
    days = settings.RETENTION_NOTIFICATIONS_DAYS
    if days > 0:
        counts["notifications"] = Notification.objects.filter(
            read_at__isnull=False, read_at__lt=at - timedelta(days=days)
        ).delete()[0]
    days = settings.RETENTION_AUDIT_DAYS
    if days > 0:
        counts["audit_entries"] = AuditEntry.objects.filter(
            at__lt=at - timedelta(days=days)
        ).delete()[0]
    days = settings.RETENTION_INACTIVE_ACCOUNTS_DAYS
    if days > 0:
        stale = User.objects.filter(
            email_verified=False,
            last_login__isnull=True,
            date_joined__lt=at - timedelta(days=days),
            is_staff=False,
            is_superuser=False,
            is_secretariat=False,
        ).exclude(email__endswith="@" + DELETED_EMAIL_DOMAIN)
        for user in stale:
            try:
                user_delete_account(actor=None, user=user)
            except MedianeError as error:  # e.g. last administrator of an organisation
                logger.info("inactive account %s kept: %s", user.pk, error.message)
            else:
                counts["inactive_accounts"] += 1
    return counts
