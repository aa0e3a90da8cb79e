"""A session as an iCalendar event (RFC 5545, written by ``icalendar``) and as a Google Calendar
"add" link.

One VEVENT whose UID is stable per session (``session-<pk>@<host of SITE_URL>``), so a calendar
that received the invitation updates the same event; times in Paris time with their
VTIMEZONE. The online link is written only into the invitation of a registration (the e-mail's
attachment, the registrant's ``agenda.ics``): the public file and link say "Online".
"""

from datetime import timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

PARIS = ZoneInfo("Europe/Paris")
ORGANISER = "Paris&Co — Quartiers Métropolitains d'Innovation"


def uid(session):
    host = urlsplit(settings.SITE_URL).hostname or "qmi.local"
    return f"session-{session.pk}@{host}"


def registration_ics_url(registration):
    return reverse("calls:registration_ics", kwargs={"token": registration.token})


def _location(session, registration):
    if session.place:
        return session.place
    if registration is not None and session.online_url:
        return session.online_url
    return _("Online")


def _description(session, registration):
    parts = [session.localized_description.strip()]
    if registration is not None:
        if session.online_url:
            parts.append(_("Online link: %(url)s") % {"url": session.online_url})
        page = settings.SITE_URL + registration.get_absolute_url()
        parts.append(_("Your registration (cancel, ask a question): %(url)s") % {"url": page})
    else:
        page = settings.SITE_URL + session.get_absolute_url()
        parts.append(_("Register: %(url)s") % {"url": page})
    return "\n\n".join(part for part in parts if part)


def _language(registration):
    return registration.language if registration is not None and registration.language else None


def invitation(session, *, registration=None, method="REQUEST", now=None):
    """The ``.ics`` of ``session`` (bytes): for ``registration`` (in its language, with the
    online link and the registrant as attendee) or public; ``method`` REQUEST for an e-mail's
    invitation, PUBLISH for a file to download."""
    with translation.override(_language(registration) or translation.get_language()):
        calendar = Calendar()
        calendar.add("prodid", "-//Paris&Co//QMI//FR")
        calendar.add("version", "2.0")
        calendar.add("method", method)
        event = Event()
        event.add("uid", uid(session))
        event.add("dtstamp", now or timezone.now())
        event.add("dtstart", session.starts_at.astimezone(PARIS))
        event.add("dtend", session.ends_at.astimezone(PARIS))
        event.add("summary", session.localized_title)
        event.add("description", _description(session, registration))
        event.add("location", _location(session, registration))
        event.add("sequence", 0)
        event.add("status", "CONFIRMED")
        page = registration.get_absolute_url() if registration else session.get_absolute_url()
        event.add("url", settings.SITE_URL + page)
        organizer = vCalAddress(f"mailto:{settings.CONTACT_EMAIL}")
        organizer.params["cn"] = vText(ORGANISER)
        event.add("organizer", organizer)
        if registration is not None:
            attendee = vCalAddress(f"mailto:{registration.email}")
            attendee.params["cn"] = vText(registration.name)
            attendee.params["partstat"] = vText("ACCEPTED")
            attendee.params["rsvp"] = vText("FALSE")
            event.add("attendee", attendee)
        calendar.add_component(event)
        start = session.starts_at.date()
        calendar.add_missing_timezones(
            first_date=start - timedelta(days=366), last_date=start + timedelta(days=366)
        )
        return calendar.to_ical()


def google_calendar_url(session, *, registration=None):
    """The Google Calendar link that adds ``session`` (with the online link only for
    ``registration``)."""
    with translation.override(_language(registration) or translation.get_language()):
        dates = "/".join(
            moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
            for moment in (session.starts_at, session.ends_at)
        )
        query = {
            "action": "TEMPLATE",
            "text": session.localized_title,
            "dates": dates,
            "details": _description(session, registration),
            "location": _location(session, registration),
        }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)
