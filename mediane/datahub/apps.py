"""The territorial data hub: datasets, versions, validation, personal-data scan, tabular API,
DCAT-AP export and publication to national portals."""

from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "mediane.datahub"
    verbose_name = "Données"
    label = "datahub"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from mediane.datahub import rules  # noqa: F401  (registers the permission rules)
        from mediane.datahub.search import register

        register()
        from mediane.datahub import interruptions

        interruptions.register()  # recovery of work cut short by a dead process
        post_migrate.connect(_sync_schemas, sender=self)


def _sync_schemas(sender: AppConfig, **kwargs: object) -> None:
    """The SCDL schemas shipped with Médiane are in the database after every `migrate`."""
    from mediane.datahub.services import schemas_sync_shipped

    schemas_sync_shipped()
