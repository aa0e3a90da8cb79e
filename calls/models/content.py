"""The contract every kind's answers keep: the abstract base of the content models.

A kind of call stores its answers in a model one-to-one with the envelope (``Application``),
declared in its ``KindSpec`` (``content_model``, ``related_name``). The model derives from
``ApplicationContent`` and declares:

- ``application``: the ``OneToOneField`` to ``calls.Application`` (primary key), with the
  kind's own ``related_name``;
- ``REQUIRED_FIELDS``: the fields that must be filled before submitting;
- ``HEADLINE_FIELD``: the field that names the application, if any (a project's title), shown
  beside its reference on the dashboard, the receipt and the dossier;
- ``missing_details()``, for what its own rows need (commitments ticked, wished districts,
  team), when there is more than required fields, challenges and attachments.

``missing_items()`` then answers, for both calls and every later form, the (field, message)
pairs still needed to submit: required fields, at least one urban challenge, the kind's own
details, a file in each required attachment slot (``KindSpec.attachment_slots``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.domain.kinds import required_slots

from .programme import UrbanChallenge

FIELD_REQUIRED = _("This field is required to submit.")


class ApplicationContent(models.Model):
    challenges = models.ManyToManyField(
        UrbanChallenge, blank=True, related_name="+", verbose_name=_("urban challenges")
    )

    REQUIRED_FIELDS = ()
    HEADLINE_FIELD = ""

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.application)

    @property
    def headline(self):
        """The name the application gives itself (a project's title), or ""."""
        return getattr(self, self.HEADLINE_FIELD) if self.HEADLINE_FIELD else ""

    def missing_items(self):
        """What must still be filled before submitting: a list of (field name, message).

        Reads the challenges and attachments through ``.all()`` so that what a list
        prefetched is used.
        """
        missing = [
            (name, FIELD_REQUIRED)
            for name in self.REQUIRED_FIELDS
            if getattr(self, name) in (None, "")
        ]
        if not list(self.challenges.all()):
            missing.append(("challenges", _("Choose at least one urban challenge.")))
        missing += self.missing_details()
        filled = {attachment.slot for attachment in self.application.attachments.all()}
        missing += [
            (slot.name, slot.required)
            for slot in required_slots(self.application.kind)
            if slot.name not in filled
        ]
        return missing

    def missing_details(self):
        """The kind's own missing items, beyond required fields, challenges and files."""
        return []
