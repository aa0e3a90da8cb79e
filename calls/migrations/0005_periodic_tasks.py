"""The periodic tasks of the calls, run by the one Celery beat (DatabaseScheduler).

Created only when missing (by name), so that staff can change them in the admin
(Periodic tasks) and a later migration never overwrites their changes.
"""

from django.db import migrations

PERIODIC_TASKS = [
    # name, task, every (seconds), expires after (seconds): a scan queued while the workers were
    # down is dropped rather than run late, the next one computes what is due from the database.
    ("Deadline reminders", "calls.tasks.send_due_reminders", 5 * 60, 4 * 60),
    ("Clean up exports", "calls.tasks.clean_up_exports", 15 * 60, 10 * 60),
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
        ("calls", "0004_reminders_exports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
