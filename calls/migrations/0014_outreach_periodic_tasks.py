"""The periodic task of the audience before the calls: unconfirmed "keep me informed" sign-ups
are purged after 30 days. (The "a call is open" notices and the sessions' reminders go out with
the deadline reminders' scan, as reminder sources.) Created only when missing, by name."""

from django.db import migrations

PERIODIC_TASKS = [
    ("Purge unconfirmed contacts", "calls.tasks.purge_unconfirmed_contacts", 24 * 3600, 3600),
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
        ("calls", "0013_outreach_sessions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
