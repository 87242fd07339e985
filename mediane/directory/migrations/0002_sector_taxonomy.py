"""Data migration: the managed sector taxonomy (French and English names, nature)."""

from django.db import migrations

# slug, French name, English name, nature (tech, craft, both)
SECTORS = [
    ("sport", "Sport", "Sport", "both"),
    ("sante", "Santé", "Health", "tech"),
    ("tourisme", "Tourisme", "Tourism", "both"),
    ("laine-textile", "Laine & textile", "Wool & textile", "both"),
    ("artisanat", "Artisanat", "Crafts", "craft"),
    ("numerique", "Numérique", "Digital", "tech"),
    ("industrie", "Industrie", "Industry", "tech"),
    ("energie", "Énergie", "Energy", "tech"),
    ("mobilite", "Mobilité", "Mobility", "tech"),
    ("agriculture-alimentation", "Agriculture & alimentation", "Agriculture & food", "both"),
    ("environnement", "Environnement", "Environment", "tech"),
    ("education", "Éducation", "Education", "both"),
    ("culture", "Culture", "Culture", "both"),
]


def create_sectors(apps, schema_editor):
    Sector = apps.get_model("directory", "Sector")
    for position, (slug, name, name_en, nature) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "nature": nature, "position": position},
        )


def delete_sectors(apps, schema_editor):
    Sector = apps.get_model("directory", "Sector")
    Sector.objects.filter(slug__in=[row[0] for row in SECTORS], organisations=None, experts=None).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_directory_organisations_sectors_experts")]

    operations = [migrations.RunPython(create_sectors, delete_sectors)]
