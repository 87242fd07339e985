"""Diagnostic de territoire intelligent : questionnaire versionné, réponses en plusieurs séances,
validation, scores, comparaison aux pairs, recommandations et rapport PDF.
"""

from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "mediane.diagnostic"
    verbose_name = "Diagnostic"
    label = "diagnostic"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from mediane.diagnostic import rules  # noqa: F401  (registers the permission rules)

        post_migrate.connect(_sync_questionnaire, sender=self)


def _sync_questionnaire(sender: AppConfig, **kwargs: object) -> None:
    """The questionnaire versions shipped with Médiane are in the database after `migrate`."""
    from mediane.diagnostic.services import questionnaire_sync_shipped

    questionnaire_sync_shipped()
