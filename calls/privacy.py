"""What ``calls`` holds about a person (``qmi.privacy``): the applications they started or
submitted, their session registrations, their "keep me informed" sign-up, the messages sent
to them. Registered from ``CallsConfig.ready``."""

from django.db.models import Q
from django.utils import timezone

from qmi.privacy import ANONYMOUS_DOMAIN, anonymous_email

from .models import Application, ApplicationVersion, Contact, Notification, Registration


def applications_of(user):
    applications = (
        Application.objects.filter(Q(created_by=user) | Q(submitted_by=user))
        .select_related("call", "applicant")
        .order_by("created_at", "pk")
    )
    return [
        {
            "reference": a.reference,
            "call": a.call.title,
            "applicant": a.applicant.name,
            "status": a.status,
            "created_by_me": a.created_by_id == user.pk,
            "submitted_by_me": a.submitted_by_id == user.pk,
            "created_at": a.created_at,
            "submitted_at": a.submitted_at,
        }
        for a in applications
    ]


def registrations_of(user):
    registrations = (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("session")
        .order_by("created_at", "pk")
    )
    return [
        {
            "session": r.session.title,
            "starts_at": r.session.starts_at,
            "name": r.name,
            "email": r.email,
            "organisation": r.organisation,
            "question": r.question,
            "status": r.status,
            "registered_at": r.created_at,
        }
        for r in registrations
    ]


def contacts_of(user):
    return [
        {
            "email": c.email,
            "profile": c.profile,
            "organisation": c.organisation,
            "commune_code": c.commune_code,
            "language": c.language,
            "consent": c.consent,
            "signed_up_at": c.created_at,
            "confirmed_at": c.confirmed_at,
            "unsubscribed_at": c.unsubscribed_at,
        }
        for c in Contact.objects.filter(email__iexact=user.email)
    ]


def notifications_of(user):
    sent = Notification.objects.filter(recipients__icontains=user.email).order_by("created_at")
    return [
        {"kind": n.kind, "subject": n.subject, "sent_at": n.sent_at or n.created_at} for n in sent
    ]


def anonymise(user, *, email):
    """The account of ``user`` (``email`` before) is deleted: their registrations keep the
    session's counts without them, their sign-up to be kept informed is deleted, the record of
    the messages sent to them no longer names them. Applications keep their author, the
    anonymised account."""
    anonymous = anonymous_email(user)
    now = timezone.now()
    for registration in Registration.objects.filter(Q(user=user) | Q(email__iexact=email)):
        registration.user = None
        registration.name = registration.organisation = registration.question = ""
        registration.email = f"deleted-registration-{registration.pk}@{ANONYMOUS_DOMAIN}"
        if (
            registration.session.starts_at > now
            and registration.status != Registration.Status.CANCELLED
        ):
            registration.status = Registration.Status.CANCELLED
            registration.cancelled_at = now
        registration.save()
    Contact.objects.filter(email__iexact=email).delete()
    for notification in Notification.objects.filter(recipients__icontains=email):
        recipients = [r.strip() for r in notification.recipients.split(",")]
        notification.recipients = ", ".join(
            anonymous if r.lower() == email.lower() else r for r in recipients
        )
        notification.save(update_fields=["recipients"])


def anonymise_versions(applications, fields=(), rows=None):
    """Blank ``fields`` of the content filed in every version of ``applications``, and the keys
    of ``rows`` (``{relation: keys}``, e.g. a team's names); for the kinds' archivers."""
    changed = 0
    for version in ApplicationVersion.objects.filter(application__in=applications):
        content = version.data.get("content") or {}
        before = repr(content)
        for field in fields:
            if content.get(field):
                content[field] = ""
        for relation, keys in (rows or {}).items():
            for row in content.get(relation) or ():
                row.update({key: "" for key in keys if row.get(key)})
        if repr(content) != before:
            version.save(update_fields=["data"])
            changed += 1
    return changed


def archive(*, closed_before):
    """Past the archive period, the record of the messages about an application no longer names
    their recipients; the kinds blank their answers' personal fields themselves."""
    old = Notification.objects.filter(application__call__closes_at__lt=closed_before).exclude(
        recipients=""
    )
    return old.update(recipients="")


def data_of(user):
    return {
        "applications": applications_of(user),
        "session_registrations": registrations_of(user),
        "keep_informed": contacts_of(user),
        "messages_received": notifications_of(user),
    }
