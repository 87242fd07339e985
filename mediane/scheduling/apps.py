from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Only exposes the `schedule` command; the scheduler itself has no Django import."""

    name = "mediane.scheduling"
    label = "scheduling"
