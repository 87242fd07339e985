from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "mediane.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        from mediane.directory import rules  # noqa: F401  (registers the permission rules)
        from mediane.directory.facet_index import connect_write_signals
        from mediane.directory.services import iter_expert_documents, iter_organisation_documents
        from mediane.search.services import register_indexer

        register_indexer("organisation", iter_organisation_documents)
        register_indexer("expert", iter_expert_documents)
        connect_write_signals()
