"""Personal data (GDPR): what the portal holds about a person, the deletion of their account
and the retention job the privacy page promises.

``qmi`` knows the account, its e-mail addresses, memberships, invitations and e-mail choices
(with the messages kept for the daily digest); the apps above it hold the rest (applications,
registrations, jury seats, messages…) and register, from their
``AppConfig.ready``, in one call — ``register("calls", data=..., anonymise=..., ...)`` — the
dotted paths of what they provide, each optional:

- ``data(user)``: what the app holds about the person, JSON-ready, put under the app's name
  in ``personal_data(user)`` (the export);
- ``anonymise(user, *, email)``: deletes or anonymises what the app holds about a person
  whose account is deleted (``email``: their address before); what history needs is kept,
  without the person in it;
- ``refuse(user)``: why the person may not delete their account themselves (a jury seat…),
  or ``""``;
- ``archive(*, closed_before)``: anonymises the personal fields of the applications to the
  calls closed before that instant (never deletes them); answers how many rows it changed.
"""

import io
import json
import logging
import zipfile
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import mail, preferences
from .models import Invitation, Membership, User

logger = logging.getLogger(__name__)

ANONYMOUS_DOMAIN = "invalid"  # RFC 2606: never delivered

_registry = {}  # app name -> {"data": path, "anonymise": path, "refuse": path, "archive": path}


def register(name, **paths):
    """Register what app ``name`` provides (``data``, ``anonymise``, ``refuse``, ``archive``)."""
    unknown = set(paths) - {"data", "anonymise", "refuse", "archive"}
    if unknown:
        raise TypeError(f"Unknown privacy provider(s): {sorted(unknown)}")
    _registry[name] = paths


def _providers(role):
    """``(name, function)`` of each app that registered ``role``, in registration order."""
    return [(name, import_string(p[role])) for name, p in _registry.items() if p.get(role)]


def anonymous_email(user):
    return f"deleted-{user.pk}@{ANONYMOUS_DOMAIN}"


def is_anonymised(user):
    return user.email == anonymous_email(user)


# --- What the portal holds about a person -----------------------------------------------------


def _account(user):
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


def _memberships(user):
    return [
        {
            "applicant": m.applicant.name,
            "applicant_kind": m.applicant.kind,
            "role": m.role,
            "job_title": m.job_title,
            "request_note": m.request_note,
            "requested_at": m.created_at,
            "confirmed_at": m.confirmed_at,
        }
        for m in Membership.objects.filter(user=user).select_related("applicant")
    ]


def _invitation(invitation):
    return {
        "applicant": invitation.applicant.name,
        "email": invitation.email,
        "sent_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
    }


def personal_data(user):
    """Everything the portal holds about ``user``, as JSON-ready data (the export)."""
    invitations = Invitation.objects.select_related("applicant")
    data = {
        "generated_at": timezone.now(),
        "site": settings.SITE_URL,
        "account": _account(user),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "memberships": _memberships(user),
        "invitations_sent": [_invitation(i) for i in invitations.filter(invited_by=user)],
        "invitations_received": [
            _invitation(i) for i in invitations.filter(email__iexact=user.email)
        ],
        "email_preferences": preferences.data_of(user),
    }
    for name, provider in _providers("data"):
        data[name] = provider(user)
    return data


def _readme():
    """What the ZIP holds, in French then in English."""
    context = {"site_url": settings.SITE_URL, "dpo_email": settings.PRIVACY_DPO_EMAIL}
    parts = []
    for language in mail.LANGUAGES:
        with translation.override(language):
            parts.append(render_to_string("qmi/privacy_readme.txt", context).strip())
    return ("\n\n" + "—" * 40 + "\n\n").join(parts) + "\n"


def zip_archive(user):
    """The ZIP of ``user``'s data: ``personal-data.json`` and a README in both languages."""
    buffer = io.BytesIO()
    content = json.dumps(personal_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("personal-data.json", content)
        zipped.writestr("README.txt", _readme())
    buffer.seek(0)
    return buffer


# --- Deleting an account ------------------------------------------------------------------------


def _owned_with_others(user):
    """The applicants ``user`` owns that have other confirmed members: hand them over first."""
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values("applicant")
    return (
        Membership.objects.confirmed()
        .filter(applicant__in=owned)
        .exclude(user=user)
        .values_list("applicant__name", flat=True)
        .distinct()
    )


def deletion_refusal(user):
    """Why ``user`` may not delete their own account, or ``""``."""
    if user.is_staff or user.is_superuser:
        return _(
            "The account of a Paris&Co staff member is closed by Paris&Co: write to %(email)s."
        ) % {"email": settings.PRIVACY_DPO_EMAIL}
    owned = sorted(_owned_with_others(user))
    if owned:
        return _(
            "You own %(names)s, which has other members: first hand it over to one of them on "
            "its page, then delete your account."
        ) % {"names": ", ".join(owned)}
    for _name, refuse in _providers("refuse"):
        refusal = refuse(user)
        if refusal:
            return refusal
    return ""


def end_sessions(user_ids):
    """Sign ``user_ids`` out everywhere: their sessions are deleted (database and cache)."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") in wanted:
            engine(session_key=session.session_key).delete()


@transaction.atomic
def anonymise(user):
    """Delete ``user``'s account and personal data; keep, without the person in them, the rows
    that history needs (submitted applications, status history, reviews, messages)."""
    email = user.email
    for _name, anonymise_ in _providers("anonymise"):
        anonymise_(user, email=email)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).delete()
    Invitation.objects.filter(email__iexact=email).update(email=anonymous_email(user))
    Membership.objects.filter(user=user).delete()
    preferences.forget(user)
    user.groups.clear()
    user.user_permissions.clear()
    user.email = anonymous_email(user)
    user.first_name = user.last_name = user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    transaction.on_commit(lambda: end_sessions([user.pk]))


def _tell(kind, user, context=None):
    """Send ``kind`` to ``user``'s address now; a mail server down is logged, not raised."""
    try:
        mail.send(kind, to=[user.email], context={"user": user, **(context or {})})
    except Exception:
        logger.exception("Could not send %s to user %s", kind, user.pk)
        return False
    return True


def delete_account(user):
    """The person asked: tell them at their address, then anonymise the account."""
    _tell("account_deleted", user, retention_context())
    anonymise(user)


# --- Retention ----------------------------------------------------------------------------------


def _years(days):
    """Whole years when ``days`` is a whole number of them (1095: 3), else one decimal."""
    return days // 365 if days % 365 == 0 else round(days / 365, 1)


def retention_context():
    """The durations the privacy page, the e-mails and the deletion page state."""
    return {
        "account_retention_days": settings.ACCOUNT_RETENTION_DAYS,
        "account_retention_years": _years(settings.ACCOUNT_RETENTION_DAYS),
        "retention_warning_days": settings.RETENTION_WARNING_DAYS,
        "archive_retention_days": settings.ARCHIVE_RETENTION_DAYS,
        "archive_retention_years": _years(settings.ARCHIVE_RETENTION_DAYS),
    }


def _unused_accounts(since):
    """Accounts not anonymised yet, neither staff, whose last sign-in (or sign-up) is before."""
    return (
        User.objects.filter(is_staff=False, is_superuser=False)
        .exclude(email__endswith=f"@{ANONYMOUS_DOMAIN}")
        .annotate(last_used=Coalesce("last_login", "date_joined"))
        .filter(last_used__lt=since)
    )


def warn_unused_accounts(now):
    """Warn once the accounts that will be deleted in ``RETENTION_WARNING_DAYS`` days."""
    retention = timedelta(days=settings.ACCOUNT_RETENTION_DAYS)
    notice = timedelta(days=settings.RETENTION_WARNING_DAYS)
    due = _unused_accounts(now - retention + notice).filter(
        Q(retention_warned_at__isnull=True) | Q(retention_warned_at__lt=F("last_used"))
    )
    warned = 0
    for user in due.iterator():
        deleted_on = timezone.localdate(max(user.last_used + retention, now + notice))
        if _tell("retention_warning", user, {**retention_context(), "deleted_on": deleted_on}):
            User.objects.filter(pk=user.pk).update(retention_warned_at=now)
            warned += 1
    return warned


def anonymise_unused_accounts(now):
    """Anonymise the accounts still unused ``RETENTION_WARNING_DAYS`` after their warning."""
    notice = timedelta(days=settings.RETENTION_WARNING_DAYS)
    due = _unused_accounts(now - timedelta(days=settings.ACCOUNT_RETENTION_DAYS)).filter(
        retention_warned_at__gte=F("last_used"), retention_warned_at__lte=now - notice
    )
    count = 0
    for user in list(due):
        anonymise(user)
        count += 1
    return count


def archive_applications(now):
    """Anonymise the personal fields of applications kept past the archive period."""
    closed_before = now - timedelta(days=settings.ARCHIVE_RETENTION_DAYS)
    return sum(archive_(closed_before=closed_before) for _name, archive_ in _providers("archive"))


def apply_retention(now=None):
    """The daily retention job: warn, then anonymise unused accounts; anonymise the old
    applications. Answers what it did."""
    now = now or timezone.now()
    return {
        "warned": warn_unused_accounts(now),
        "anonymised": anonymise_unused_accounts(now),
        "applications": archive_applications(now),
    }
