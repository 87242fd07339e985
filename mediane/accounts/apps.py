from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mediane.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from mediane.accounts import rules  # noqa: F401  (registers permission rules)
