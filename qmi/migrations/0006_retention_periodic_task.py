"""The retention job the privacy page names, run by beat once a day: unused accounts warned
then anonymised, old applications' personal fields anonymised. Created only when missing (by
name), so that staff can change it in the admin (Periodic tasks)."""

from django.db import migrations

PERIODIC_TASKS = [
    # name, task, every (seconds), expires after (seconds)
    ("Personal data retention", "qmi.tasks.apply_retention", 24 * 3600, 3600),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, expires in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
        PeriodicTask.objects.create(
            name=name, task=task, interval=interval, expire_seconds=expires, enabled=True
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[p[0] for p in PERIODIC_TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("qmi", "0005_user_retention_warned_at"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
