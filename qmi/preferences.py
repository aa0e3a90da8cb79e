"""Which e-mails a person receives beyond the ones that always go (``/compte/notifications/``).

Every kind of e-mail the portal writes (``templates/emails/<kind>.txt``) is one of:

- **mandatory** (``MANDATORY``, below): about the person's account and its security, what they
  are invited to, what they submitted, what is asked of them, what was decided, a deadline of
  their own (and its extension), a registration to a session. Never filtered.
- **optional**: grouped in *topics* that the apps above ``qmi`` register from their
  ``AppConfig.ready`` (``register_topic``) — a new message in an experimentation's
  conversation, a report filed (told to the project manager and the referents), a session's
  reminder and its replay. Each person chooses, per topic, ``immediate`` (the default, when
  they never chose), ``digest`` (one e-mail a day: offered to Paris&Co staff and jury members,
  ``qmi.security.needs_strong_sign_in``) or ``off``.
- **governed otherwise** (``OTHERWISE``): "a call is open" has its own unsubscribe link, the
  confirmation of a sign-up to it goes to an address without an account, a question asked
  before a session goes to Paris&Co's shared address, and the digest is the digest.

``qmi.mail.send`` asks ``sort_out`` for each message of an optional kind: one query maps its
addresses to the accounts' choices; an address without an account is sent to as before.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from . import security
from .models import DigestItem, EmailPreference

Mode = EmailPreference.Mode

MANDATORY = (
    (
        _("Your account and its security"),
        _(
            "Closing of the account, an unused account about to be deleted, a membership "
            "confirmed, an organisation verified or claimed."
        ),
        (
            "account_deleted",
            "retention_warning",
            "membership_confirmed",
            "organisation_verified",
            "organisation_claimed",
            "organisation_claim_settled",
        ),
    ),
    (
        _("Invitations"),
        _("A colleague invites you to act for a municipality or an organisation."),
        ("invitation",),
    ),
    (
        _("What you submit"),
        _("The acknowledgement of an application, and its withdrawal or reopening."),
        ("acknowledgement", "application_withdrawn", "application_reopened"),
    ),
    (
        _("Corrections and changes asked of you"),
        _("Paris&Co asks you to correct an application or to change a report."),
        ("correction_requested", "report_changes_requested"),
    ),
    (
        _("Decisions"),
        _("The decision on an application, a place offered from the waiting list and its answer."),
        (
            "decision_selected",
            "decision_waitlisted",
            "decision_rejected",
            "decision_ineligible",
            "decision_promoted",
            "place_accepted",
            "place_declined",
        ),
    ),
    (
        _("Your deadlines"),
        _(
            "The reminders before the deadline of your application, report or assessment or of "
            "your answer to a place, a late report, and the extension of a deadline."
        ),
        (
            "deadline_reminder",
            "deadline_extended",
            "report_reminder",
            "report_late",
            "assessment_reminder",
            "assessment_extended",
            "offer_reminder",
        ),
    ),
    (
        _("Your registrations to sessions"),
        _(
            "The confirmation of a registration (with its calendar invitation), a seat freed for "
            "you, a cancellation."
        ),
        ("session_registered", "session_promoted", "session_cancelled"),
    ),
)
MANDATORY_KINDS = frozenset(kind for _label, _help, kinds in MANDATORY for kind in kinds)
OTHERWISE = frozenset({"call_open", "contact_confirm", "session_question", "digest"})


@dataclass(frozen=True)
class Topic:
    """Optional e-mails a person may choose to receive at once, in a digest, or not at all.

    ``audience(user)``: to whom the topic is offered (everyone signed in when ``None``);
    ``digest``: whether the daily digest is offered (to staff and jury members);
    ``mandatory_for(context)``: the addresses for which a message of the topic still always
    goes (e.g. a report filed is a receipt for its own authors)."""

    name: str
    label: str
    help: str
    kinds: tuple
    audience: Callable | None = None
    digest: bool = True
    mandatory_for: Callable | None = None

    def offered_to(self, user):
        return self.audience is None or bool(self.audience(user))

    def modes_for(self, user):
        """The modes ``user`` may choose, in the order shown."""
        digest = self.digest and security.needs_strong_sign_in(user)
        return [Mode.IMMEDIATE, *([Mode.DIGEST] if digest else []), Mode.OFF]


_topics = {}  # name -> Topic, in registration order
_by_kind = {}  # kind of e-mail -> Topic


def register_topic(name, label, help, *, kinds, audience=None, digest=True, mandatory_for=None):
    """Declare the optional e-mails ``kinds`` as topic ``name`` (from an ``AppConfig.ready``)."""
    kinds = tuple(kinds)
    for kind in kinds:
        if kind in MANDATORY_KINDS or kind in OTHERWISE:
            raise ImproperlyConfigured(f"The e-mail {kind!r} cannot be made optional.")
        owner = _by_kind.get(kind)
        if owner is not None and owner.name != name:
            raise ImproperlyConfigured(f"The e-mail {kind!r} is already in topic {owner.name!r}.")
    topic = Topic(name, label, help, kinds, audience, digest, mandatory_for)
    _topics[name] = topic
    for kind in kinds:
        _by_kind[kind] = topic
    return topic


def topics():
    return list(_topics.values())


def topic_of(kind):
    """The topic of an optional kind of e-mail, or ``None`` (mandatory or governed otherwise)."""
    return _by_kind.get(kind)


def topics_for(user):
    """The topics offered to ``user``, in registration order."""
    return [topic for topic in _topics.values() if topic.offered_to(user)]


# --- A person's choices ---------------------------------------------------------------------


def choices_of(user):
    """``{topic name: mode}`` of every registered topic (immediately when never chosen)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("topic", "mode"))
    return {name: chosen.get(name, Mode.IMMEDIATE) for name in _topics}


class PreferenceError(ValueError):
    """A choice that is not offered to the person (an unknown topic, a mode not allowed)."""


def check(user, choices):
    """Raise ``PreferenceError`` unless every ``{topic: mode}`` of ``choices`` is offered."""
    offered = {topic.name: topic for topic in topics_for(user)}
    for name, mode in choices.items():
        topic = offered.get(name)
        if topic is None:
            raise PreferenceError(name)
        if mode not in topic.modes_for(user):
            raise PreferenceError(name)


@transaction.atomic
def save(user, choices):
    """Keep ``user``'s ``{topic: mode}`` choices, all or none (``PreferenceError``)."""
    check(user, choices)
    for name, mode in choices.items():
        EmailPreference.objects.update_or_create(user=user, topic=name, defaults={"mode": mode})


def data_of(user):
    """The choices and the pending digest, for the personal-data export."""
    return {
        "choices": [
            {"topic": p.topic, "mode": p.mode, "updated_at": p.updated_at}
            for p in EmailPreference.objects.filter(user=user).order_by("topic")
        ],
        "digest_items": [
            {"kind": i.kind, "subject": i.subject, "created_at": i.created_at, "sent_at": i.sent_at}
            for i in DigestItem.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }


def forget(user):
    """Delete ``user``'s choices and digest (their account is deleted)."""
    EmailPreference.objects.filter(user=user).delete()
    DigestItem.objects.filter(user=user).delete()


# --- Sending: who gets a message now, who in the digest -------------------------------------


def sort_out(kind, to, context):
    """Split the addresses ``to`` of a message ``kind``: ``(send now, [user ids for the
    digest])``. A mandatory kind, an address without an account or a choice left at
    "immediately" is sent now; "never" drops the address. One query, whatever the number of
    addresses (two when the topic keeps some addresses mandatory and someone opted out)."""
    topic = _by_kind.get(kind)
    if topic is None or not to:
        return list(to), []
    addresses = {address.lower() for address in to}
    rows = list(
        EmailPreference.objects.annotate(address=Lower("user__email"))
        .filter(topic=topic.name, address__in=addresses, user__is_active=True)
        .exclude(mode=Mode.IMMEDIATE)
        .values_list("address", "user_id", "mode")
    )
    if not rows:
        return list(to), []
    kept = set()
    if topic.mandatory_for is not None:
        kept = {address.lower() for address in topic.mandatory_for(context)}
    held, digest = set(), []
    for address, user_id, mode in rows:
        if address in kept:
            continue
        held.add(address)
        if mode == Mode.DIGEST:
            digest.append(user_id)
    return [address for address in to if address.lower() not in held], digest


def keep_for_digest(kind, user_ids, *, subject, body):
    """Keep the rendered message for the digest of each of ``user_ids`` (one query)."""
    DigestItem.objects.bulk_create(
        DigestItem(user_id=user_id, kind=kind, subject=subject, body=body) for user_id in user_ids
    )


def pending_users():
    """The ids of the users with messages waiting for their digest."""
    pending = DigestItem.objects.filter(sent_at__isnull=True)
    return list(pending.order_by("user_id").values_list("user_id", flat=True).distinct())


class AlreadyTaken(Exception):
    """Another run of the digest marked some of these messages meanwhile."""


def take_pending(user_id, now):
    """Inside the caller's transaction: lock ``user_id``'s waiting messages (skipping those
    another run holds), mark them sent at ``now`` and answer them, oldest first; ``[]`` when
    there are none. A conditional update keeps a message from two digests even where rows
    cannot be locked (``AlreadyTaken``: roll back)."""
    items = list(
        DigestItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(user_id=user_id, sent_at__isnull=True)
        .order_by("created_at", "pk")
    )
    if not items:
        return []
    ids = [item.pk for item in items]
    if DigestItem.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=now) != len(ids):
        raise AlreadyTaken
    return items
