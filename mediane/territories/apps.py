from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "mediane.territories"
    label = "territories"
    verbose_name = "Territoires"

    def ready(self) -> None:
        from mediane.territories import indexing, rules  # noqa: F401  (registers the rules)

        indexing.register()
