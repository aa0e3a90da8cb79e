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


def _render(template_name, context):
    """Render a plain-text template in each language, without HTML escaping."""
    template = get_template(template_name).template
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            values = Context({**context, "language": language}, autoescape=False)
            parts.append(template.render(values).strip())
    return parts


def render_message(kind, *, context):
    """The subject and the plain-text body of message ``kind``, French then English — what
    ``send`` sends, for staff to read before it goes."""
    context = {"site_url": settings.SITE_URL, **context}
    subject_fr, subject_en = (
        " ".join(s.split()) for s in _render(f"emails/{kind}_subject.txt", context)
    )
    subject = subject_fr if subject_fr == subject_en else f"{subject_fr} / {subject_en}"
    separator = "\n\n" + "—" * 40 + "\n\n"
    body = separator.join(_render(f"emails/{kind}.txt", context))
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def send(kind, *, to, context, connection=None):
    """Render and send the bilingual message ``kind`` to the addresses ``to`` (through
    ``connection`` when a batch shares one). A failure is told to the recorders, then raised
    again for the caller to retry."""
    if not to:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    subject, body = render_message(kind, context=context)
    message = EmailMessage(subject=subject, body=body, to=sorted(set(to)), connection=connection)
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
