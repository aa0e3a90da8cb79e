"""Beat queues again, every minute, the exports whose worker died (no heartbeat for a minute).
Created only when missing, by name."""

from django.db import migrations

PERIODIC_TASKS = [
    ("Resume interrupted exports", "calls.tasks.resume_stalled_exports", 60, 50),
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
        ("calls", "0015_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
