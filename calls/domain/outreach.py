"""Keep me informed: people who want to hear of the next calls, without an account.

- **Double opt-in.** ``sign_up`` records the answers unconfirmed and sends a confirmation link
  in the language chosen; nothing else is ever sent before ``confirm``. An unconfirmed sign-up
  is deleted after ``UNCONFIRMED_DAYS`` (``purge_unconfirmed``, beat, daily).
- **Twice changes nothing, reveals nothing.** Signing up again with a known address keeps the
  first answers; an unconfirmed one gets its link again, a confirmed one nothing; whoever
  typed it reads the same page in every case (and the form is rate limited per address and
  per client).
- **One "a call is open" e-mail per contact and call.** A reminder ``Source`` of the
  exactly-once engine (``calls.domain.reminders``): when a published call is open, every
  confirmed contact whose profile its kind addresses (``KindSpec.contact_profiles``; "other"
  hears of every call) is due; ``send_many`` locks the contacts, records the ``CallNotice``
  (unique per contact and call) and sends, in one transaction, through the batch's mail
  connection; a worker killed mid-batch leaves the rest to the next scan.
- **One-click unsubscribe.** Every e-mail names its link in the body and in the
  ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058).
- **The funnel** of a call for staff: interested → signed up → submitted → selected.
"""

from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain import deliveries, reminders
from calls.domain.kinds import spec_for
from calls.domain.workflow import Status
from calls.models import Application, Call, CallNotice, Contact
from qmi import mail

UNCONFIRMED_DAYS = 30
RESEND_AFTER = timedelta(minutes=5)  # a pending sign-up gets its link again after this
SOURCE = "call_notices"
EVERY_CALL = Contact.Profile.OTHER

CONSENT = _(
    "I agree that the Métropole du Grand Paris and Paris&Co keep these answers to tell me when "
    "a call of the Quartiers Métropolitains d'Innovation programme opens, and to count the "
    "interest in the programme. I can unsubscribe at any time with the link in every e-mail."
)


# --- Signing up -----------------------------------------------------------------------------------


def sign_up(*, email, profile, organisation="", commune_code="", challenges=(), language="fr"):
    """Record a sign-up (unconfirmed) and send its confirmation link; a known address keeps
    its first answers (a pending one gets its link again). Answers the contact."""
    email = email.strip().lower()
    if profile != Contact.Profile.MUNICIPALITY:
        commune_code = ""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(email=email).first()
        if contact is None:
            try:
                with transaction.atomic():
                    contact = Contact.objects.create(
                        email=email,
                        profile=profile,
                        organisation=organisation,
                        commune_code=commune_code
                        if profile == Contact.Profile.MUNICIPALITY
                        else "",
                        language=language,
                        consent=str(CONSENT),
                    )
            except IntegrityError:  # the same address at the same moment: one row
                return Contact.objects.get(email=email)
            contact.challenges.set(challenges)
        elif contact.unsubscribed_at is not None:  # back after unsubscribing: confirm again
            contact.unsubscribed_at = contact.confirmed_at = None
            contact.save(update_fields=["unsubscribed_at", "confirmed_at"])
        elif contact.confirmed_at is not None:
            return contact  # already subscribed: nothing changes, nothing is sent
        elif timezone.now() - contact.created_at < RESEND_AFTER:
            return contact  # its link has just been sent (a double submission)
        transaction.on_commit(lambda: send_confirmation(contact))
    return contact


def send_confirmation(contact):
    mail.send(
        "contact_confirm",
        to=[contact.email],
        context={"contact": contact, "confirm_url": _absolute("calls:contact_confirm", contact)},
        language=contact.language,
        headers=unsubscribe_headers(contact),
    )


def confirm(contact, now=None):
    """Confirm the sign-up (idempotent); False when the contact unsubscribed since."""
    if contact.unsubscribed_at is not None:
        return False
    if contact.confirmed_at is None:
        Contact.objects.filter(pk=contact.pk, confirmed_at__isnull=True).update(
            confirmed_at=now or timezone.now()
        )
        contact.refresh_from_db(fields=["confirmed_at"])
    return True


def unsubscribe(contact, now=None):
    """Stop every e-mail to the contact (idempotent)."""
    Contact.objects.filter(pk=contact.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now or timezone.now()
    )
    contact.refresh_from_db(fields=["unsubscribed_at"])


def purge_unconfirmed(now=None):
    """Delete the sign-ups left unconfirmed for ``UNCONFIRMED_DAYS``; answers how many."""
    limit = (now or timezone.now()) - timedelta(days=UNCONFIRMED_DAYS)
    deleted, _details = Contact.objects.filter(
        confirmed_at__isnull=True, created_at__lt=limit
    ).delete()
    return deleted


def _absolute(name, contact):
    return f"{settings.SITE_URL}{reverse(name, kwargs={'token': contact.token})}"


def unsubscribe_headers(contact):
    """RFC 8058: the one-click unsubscribe a mail client offers next to the sender."""
    return {
        "List-Unsubscribe": f"<{_absolute('calls:contact_unsubscribe', contact)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- "A call is open": once per contact and call --------------------------------------------------


def profiles_for(call):
    """The profiles of contacts a call's kind addresses, "other" included."""
    return (*spec_for(call.kind).contact_profiles, EVERY_CALL)


def _open_calls(now):
    return Call.objects.published().open_at(now).order_by("pk")


def due(now=None):
    """``[(contact id, call id), …]``: the notices due now."""
    now = now or timezone.now()
    pairs = []
    for call in _open_calls(now):
        told = CallNotice.objects.filter(call=call, contact=OuterRef("pk"))
        ids = (
            Contact.objects.confirmed()
            .filter(profile__in=profiles_for(call))
            .exclude(Exists(told))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        pairs.extend((pk, call.pk) for pk in ids)
    return pairs


@lru_cache(maxsize=16)
def _open_call(call_id, now):
    """The call ``call_id`` if open at ``now``: read once per batch (its ``now``)."""
    return _open_calls(now).filter(pk=call_id).select_related("edition").first()


def send_many(contact_ids, call_id, *, now=None, connection=None):
    """Tell the contacts ``contact_ids`` that call ``call_id`` is open, unless done or no longer
    due (told already: the ``CallNotice`` unique per contact and call refuses a second one)."""
    now = now or timezone.now()
    call = _open_call(call_id, now)
    if call is None:
        return 0, 0

    def still_due(contact):
        return contact.profile in profiles_for(call)

    def record(contact):
        return CallNotice(contact=contact, call=call, sent_at=now)

    def send(contact, connection):
        mail.send(
            "call_open",
            to=[contact.email],
            context={
                "contact": contact,
                "call": call,
                "call_url": f"{settings.SITE_URL}{call.get_absolute_url()}",
                "unsubscribe_url": _absolute("calls:contact_unsubscribe", contact),
            },
            language=contact.language,
            headers=unsubscribe_headers(contact),
            connection=connection,
        )

    return reminders.deliver(
        Contact.objects.confirmed(),
        contact_ids,
        key=lambda contact: ("call-open", call.pk, contact.pk),
        still_due=still_due,
        record=record,
        send=send,
        connection=connection,
    )


reminders.register(reminders.Source(SOURCE, due, send_many))
deliveries.register_kind("call-open", _("“A call is open” notices to interested contacts"))


# --- For staff ------------------------------------------------------------------------------------


def funnel(calls):
    """Per call of ``calls``: interested (confirmed contacts its kind addresses), told, and
    the municipalities or organisations that started an application, submitted one, had one
    selected (once the results are published). Three queries whatever the number of calls and
    contacts."""
    by_profile = dict(
        Contact.objects.confirmed().values_list("profile").annotate(n=Count("pk")).order_by()
    )
    calls = list(calls.annotate(told=Count("contact_notices", distinct=True)))
    counts = (
        Application.objects.filter(call__in=calls)
        .values("call")
        .annotate(
            signed_up=Count("applicant", distinct=True),
            submitted=Count("applicant", distinct=True, filter=Q(submitted_at__isnull=False)),
            selected=Count("applicant", distinct=True, filter=Q(status=Status.SELECTED)),
        )
        .order_by()
    )
    by_call = {row["call"]: row for row in counts}
    rows = []
    for call in calls:
        found = by_call.get(call.pk, {})
        rows.append(
            {
                "call": call,
                "interested": sum(by_profile.get(p, 0) for p in profiles_for(call)),
                "told": call.told,
                "signed_up": found.get("signed_up", 0),
                "submitted": found.get("submitted", 0),
                "selected": found.get("selected", 0) if call.results_published_at else None,
            }
        )
    return rows
