"""The Celery application. Tasks take ids, reload objects and call one service function."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmi.settings")

app = Celery("qmi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
