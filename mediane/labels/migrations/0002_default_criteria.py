"""Seed the label's default criteria (issue 7); codes already present are left as they are."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from mediane.labels.criteria import seed_default_criteria

    seed_default_criteria(apps.get_model("labels", "LabelCriterion"))


class Migration(migrations.Migration):
    dependencies = [("labels", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
