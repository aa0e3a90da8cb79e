"""E-mail backends used only by the tests' worker processes.

``SlowFileBackend`` writes each message to a file like Django's file-based backend, but first
drops a marker in ``<mail dir>/sending/`` and sleeps ``QMI_TEST_MAIL_DELAY`` seconds: a test can
see that a message is being sent and kill the worker right then, before it is written.
``FailingBackend`` refuses every message, as a mail server that is down. ``CountingBackend``
is the in-memory one, counting the connections made.
"""

import os
import smtplib
import time
import uuid
from pathlib import Path

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class SlowFileBackend(FileBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        file_path = file_path or os.environ["QMI_TEST_MAIL_DIR"]
        super().__init__(*args, file_path=file_path, **kwargs)

    def send_messages(self, email_messages):
        sending = Path(self.file_path) / "sending"
        sending.mkdir(exist_ok=True)
        (sending / uuid.uuid4().hex).touch()
        time.sleep(float(os.environ.get("QMI_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("the mail server is down")


class CountingBackend(locmem.EmailBackend):
    """Django's in-memory backend, counting the connections made (``CountingBackend.made``)."""

    made = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1
