from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mediane.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from mediane.accounts import (
            rules,  # noqa: F401  (registers permission rules)
            signals,  # noqa: F401  (password change notices)
        )
        from mediane.accounts.tasks import purge_personal_data
        from mediane.core.periodic import register_periodic

        register_periodic("accounts.retention", every=timedelta(days=1), task=purge_personal_data)
