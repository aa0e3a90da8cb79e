"""The conversation of an experimentation between its experimenter's members, the members of
the municipality hosting its district and Paris&Co staff: messages with an optional checked
file, an e-mail notice to the other parties (``qmi.tasks.send_message``, the one way the portal
sends mail), and what each one has not read yet."""

from datetime import UTC, datetime
from pathlib import PurePath

from django.db import transaction
from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.models import Membership
from qmi.permissions import require
from qmi.statemachine import WorkflowError
from qmi.tasks import send_message
from qmi.uploads import store_upload

from .models import Message, MessageRead

IMAGES = (".png", ".jpg", ".jpeg")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # before any message: "never read"


def post(experimentation, *, by, body="", upload=None, now=None):
    """``by`` writes to the conversation; the other parties are told by e-mail."""
    require("experimenters.converse", by, experimentation)
    body = (body or "").strip()
    if not body and upload is None:
        raise WorkflowError(_("Write a message or attach a file."))
    message = Message(
        experimentation=experimentation, author=by, body=body, created_at=now or timezone.now()
    )
    if upload is not None:
        kind = "image" if PurePath(upload.name).suffix.lower() in IMAGES else "pdf"
        store_upload(message, upload, kind=kind)
    with transaction.atomic():
        message.save()
        mark_read(experimentation, by, now=message.created_at)
        transaction.on_commit(lambda: send_message.delay("experimentation_message", message.pk))
    return message


def mark_read(experimentation, user, *, now=None):
    MessageRead.objects.update_or_create(
        experimentation=experimentation, user=user, defaults={"read_at": now or timezone.now()}
    )


def with_unread(queryset, user):
    """``queryset`` of experimentations annotated with ``unread``: the messages of others
    since ``user`` last read the conversation — one query with the list."""
    read_at = MessageRead.objects.filter(experimentation=OuterRef("pk"), user=user).values(
        "read_at"
    )[:1]
    since = Coalesce(Subquery(read_at), Value(EPOCH), output_field=DateTimeField())
    return queryset.annotate(
        unread=Count(
            "messages",
            filter=Q(messages__created_at__gt=since) & ~Q(messages__author=user),
        )
    )


def parties(experimentation):
    """The e-mail addresses of everyone in the conversation: the organisation's and the
    municipality's confirmed members, the referents, the project manager."""
    emails = set(
        Membership.objects.confirmed()
        .filter(
            Q(applicant_id=experimentation.application.applicant_id)
            | Q(applicant__commune=experimentation.district.commune_id),
            user__is_active=True,
        )
        .values_list("user__email", flat=True)
    )
    emails |= set(experimentation.referents.values_list("email", flat=True))
    if experimentation.manager_id:
        emails.add(experimentation.manager.email)
    return emails


def message_notice(message_id):
    """The e-mail telling the other parties of a new message (``qmi.mail`` builder)."""
    message = (
        Message.objects.select_related(
            "author",
            "experimentation__application__applicant",
            "experimentation__application__project",
            "experimentation__district__commune",
            "experimentation__manager",
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return None
    experimentation = message.experimentation
    recipients = parties(experimentation) - {message.author.email}
    url = reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk})
    return (
        "experimentation_message",
        sorted(recipients),
        {"message": message, "experimentation": experimentation, "url": url},
    )
