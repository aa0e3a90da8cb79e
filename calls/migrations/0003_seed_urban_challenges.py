from django.db import migrations

CODES = [
    "public-spaces",
    "climate",
    "flows",
    "local-activities",
    "renewal",
    "housing",
    "circular",
    "sport",
]


def seed(apps, schema_editor):
    UrbanChallenge = apps.get_model("calls", "UrbanChallenge")
    for position, code in enumerate(CODES):
        UrbanChallenge.objects.update_or_create(code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
