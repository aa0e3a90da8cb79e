"""The portal's one way to write and send an e-mail.

``send(kind, to=..., context=...)`` renders ``templates/emails/<kind>.txt`` (and
``<kind>_subject.txt``) in French then in English — the portal does not know which language
each recipient prefers — and sends one bilingual message. Apps that keep a record of what was
sent register a recorder (``register_recorder``): ``calls`` stores each message about an
application as a ``Notification``. Messages sent from a Celery task are built from ids by a
registered builder (``register_message``; ``qmi.tasks.send_message``), so every e-mail goes
through the same retrying task.

Each person's choices are asked here (``qmi.preferences.sort_out``): an optional kind of
message is not sent to whoever switched it off, and kept for the daily digest of whoever chose
it (``send_digests``, beat, daily); the others still get it at once. Mandatory kinds are never
filtered.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from . import preferences

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
SEPARATOR = "\n\n" + "—" * 40 + "\n\n"  # between the French and the English of a body

_recorders = []
_builders = {}


def register_recorder(recorder):
    """``recorder(kind, message, context)`` is called before a message goes; it answers a
    function called once the mail server answered (with the error, or ``None``), or ``None``."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def register_message(name, builder):
    """``builder(*ids)`` answers ``(kind, recipients, context)``, or ``None`` when there is
    nothing to send any more; ``qmi.tasks.send_message(name, *ids)`` calls it."""
    _builders[name] = builder


def build(name, *ids):
    return _builders[name](*ids)


def _render(template_name, context, languages=LANGUAGES):
    """Render a plain-text template in each language, without HTML escaping."""
    template = get_template(template_name).template
    parts = []
    for language in languages:
        with translation.override(language):
            values = Context({**context, "language": language}, autoescape=False)
            parts.append(template.render(values).strip())
    return parts


def render_message(kind, *, context, language=None):
    """The subject and the plain-text body of message ``kind``, French then English — what
    ``send`` sends, for staff to read before it goes — or only in ``language`` when the
    recipient chose one."""
    context = {"site_url": settings.SITE_URL, **context}
    languages = (language,) if language else LANGUAGES
    subjects = [
        " ".join(s.split()) for s in _render(f"emails/{kind}_subject.txt", context, languages)
    ]
    subject = " / ".join(dict.fromkeys(subjects))
    body = SEPARATOR.join(_render(f"emails/{kind}.txt", context, languages))
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def message_id(key):
    """A ``Message-ID`` made of ``key`` (e.g. ``reminder-42-168``): the same for every attempt
    to send the same message, so that a duplicate after a worker died is recognisable (mail
    servers and clients group, or drop, the second)."""
    domain = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "qmi"
    return f"<qmi.{key}@{domain}>"


def send(kind, *, to, context, connection=None, language=None, headers=None, attachments=()):
    """Render and send the message ``kind`` to the addresses ``to`` (through ``connection``
    when a batch shares one): bilingual, or only in ``language`` when the recipient chose it;
    with extra ``headers`` (``List-Unsubscribe``…) and ``attachments`` (``(name, content,
    type)``, an ``.ics`` invitation…). The recipients of an optional kind who chose so get it
    in their digest, or not at all (``preferences.sort_out``). A failure is told to the
    recorders, then raised again for the caller to retry."""
    if not to:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    to, digest = preferences.sort_out(kind, to, context)
    if not to and not digest:
        return 0
    subject, body = render_message(kind, context=context, language=language)
    if digest:
        preferences.keep_for_digest(kind, digest, subject=subject, body=body)
    if not to:
        return 0
    message = EmailMessage(
        subject=subject,
        body=body,
        to=sorted(set(to)),
        connection=connection,
        headers=headers or None,
        attachments=list(attachments) or None,
    )
    answers = [recorder(kind, message, context) for recorder in _recorders]
    answers = [answer for answer in answers if answer is not None]
    try:
        sent = message.send()
    except Exception as error:
        for answer in answers:
            answer(error)
        raise
    for answer in answers:
        answer(None)
    return sent


# --- The daily digest -------------------------------------------------------------------------


def _entry(item):
    """An item of the digest: its subject and its text in each language (one text when the
    message was written in one language only)."""
    parts = item.body.split(SEPARATOR)
    return {
        "kind": item.kind,
        "subject": item.subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX),
        "created_at": item.created_at,
        "fr": parts[0],
        "en": parts[-1],
    }


def send_digest(user_id, now=None):
    """Send ``user_id`` one e-mail listing the messages kept for them, and mark those sent, in
    one transaction (a refusal of the mail server leaves them waiting); nothing when none is
    waiting or another run is sending them. True when a digest went."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            items = preferences.take_pending(user_id, now)
            if not items or not items[0].user.is_active:
                return False
            user = items[0].user
            context = {"user": user, "items": [_entry(item) for item in items], "now": now}
            return bool(send("digest", to=[user.email], context=context))
    except preferences.AlreadyTaken:
        return False


def send_digests(now=None):
    """The daily digest (``qmi.tasks.send_digests``): one e-mail to each person with messages
    waiting, each message in one digest however often it runs. A person whose digest fails
    does not stop the others; the first failure is raised at the end for the task to retry."""
    sent, failure = 0, None
    for user_id in preferences.pending_users():
        try:
            sent += send_digest(user_id, now)
        except Exception as error:
            logger.exception("The digest of user %s was not sent", user_id)
            failure = failure or error
    if failure is not None:
        raise failure
    return sent
