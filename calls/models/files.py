"""Files attached to applications, in the private storage."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from .application import Application


class _PrivateStorage(LazyObject):
    """The "private" storage of ``STORAGES``, looked up when first used and again after the
    setting changes (tests point it at a temporary folder)."""

    def _setup(self):
        self._wrapped = storages["private"]


PRIVATE_STORAGE = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        PRIVATE_STORAGE._wrapped = empty


def _private_storage():
    return PRIVATE_STORAGE


# For ``FileField(storage=private_storage)`` of the apps that keep private files too.
private_storage = _private_storage


def _attachment_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class PrivateFile(models.Model):
    """What the portal keeps of a checked upload (``qmi.uploads.store_upload``) besides the
    file itself, which each model declares with its own storage path."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        abstract = True


class Attachment(PrivateFile):
    """A file attached to an application, stored privately under a random name."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    slot = models.CharField(_("document"), max_length=40)
    file = models.FileField(_("file"), storage=_private_storage, upload_to=_attachment_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["slot", "uploaded_at"]
        indexes = [models.Index(fields=["application", "slot"])]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "calls:attachment",
            kwargs={"reference": self.application.reference, "pk": self.pk},
        )

    @property
    def delete_url(self):
        return reverse(
            "calls:attachment_delete",
            kwargs={"reference": self.application.reference, "pk": self.pk},
        )
