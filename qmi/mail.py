"""The portal's one way to write and send an e-mail.

``send(kind, to=..., context=...)`` renders ``templates/emails/<kind>.txt`` (and
``<kind>_subject.txt``) in French then in English — the portal does not know which language
each recipient prefers — and sends one bilingual message. Apps that keep a record of what was
sent register a recorder (``register_recorder``): ``calls`` stores each message about an
application as a ``Notification``. Messages sent from a Celery task are built from ids by a
registered builder (``register_message``; ``qmi.tasks.send_message``), so every e-mail goes
through the same retrying task.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

LANGUAGES = ("fr", "en")

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
    separator = "\n\n" + "—" * 40 + "\n\n"
    body = separator.join(_render(f"emails/{kind}.txt", context, languages))
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
    type)``, an ``.ics`` invitation…). A failure is told to the recorders, then raised again
    for the caller to retry."""
    if not to:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    subject, body = render_message(kind, context=context, language=language)
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
