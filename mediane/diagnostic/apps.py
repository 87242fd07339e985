"""Diagnostic de territoire intelligent : questionnaire versionné, réponses en plusieurs séances,
validation, scores, comparaison aux pairs, recommandations et rapport PDF.
"""

from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "mediane.diagnostic"
    verbose_name = "Diagnostic"
    label = "diagnostic"

    def ready(self) -> None:
        from mediane.diagnostic import rules  # noqa: F401  (registers the permission rules)
