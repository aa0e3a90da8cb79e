"""The e-mails a person chooses (``qmi.preferences``) and the messages kept for their daily
digest; the digest sent by beat each morning at 7, Paris time (``qmi.tasks.send_digests``),
created only when missing (by name), so that staff can change it in the admin (Periodic tasks).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


DIGEST_TASK = "Daily e-mail digest"


def create_task(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=DIGEST_TASK).exists():
        return
    every_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.create(
        name=DIGEST_TASK,
        task="qmi.tasks.send_digests",
        crontab=every_morning,
        expire_seconds=6 * 3600,  # a digest queued while the workers were down goes the same day
        enabled=True,
    )


def remove_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=DIGEST_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("qmi", "0006_retention_periodic_task"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="DigestItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=60, verbose_name="kind")),
                ("subject", models.TextField(verbose_name="subject")),
                ("body", models.TextField(verbose_name="body")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="created at"
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digest_items",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "message kept for the daily digest",
                "verbose_name_plural": "messages kept for the daily digest",
                "ordering": ["created_at", "pk"],
                "indexes": [models.Index(fields=["sent_at", "user"], name="digest_item_pending")],
            },
        ),
        migrations.CreateModel(
            name="EmailPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("topic", models.CharField(max_length=60, verbose_name="topic")),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("immediate", "Immediately, one e-mail each time"),
                            ("digest", "Grouped in one e-mail a day (daily digest)"),
                            ("off", "Never"),
                        ],
                        default="immediate",
                        max_length=10,
                        verbose_name="mode",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_preferences",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail preference",
                "verbose_name_plural": "e-mail preferences",
                "ordering": ["user", "topic"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "topic"), name="email_preference_once_per_topic"
                    )
                ],
            },
        ),
        migrations.RunPython(create_task, remove_task),
    ]
