from django.db import migrations

from municipalities.reference import load_communes


def load(apps, schema_editor):
    load_communes(apps.get_model("municipalities", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
