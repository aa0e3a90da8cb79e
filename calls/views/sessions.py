"""The sessions' pages: the list, a session with its registration form, the page "we sent you
an e-mail", the registrant's own page (by its token: details, online link, question, cancel)
and the agenda files. Thin: the rules are in ``calls.domain.sessions``.

A restricted session (a training day) is a 404 for anyone outside its audience. After an
anonymous registration the answer is always the same page, so it never tells whether the address
was already registered; the online link is only in the e-mail and on the registrant's page.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.domain import ical, sessions
from calls.interfaces.session_forms import QuestionForm, RegistrationForm
from calls.models import Registration, Session
from qmi import ratelimit
from qmi.permissions import signed_out

LIST_SIZE = 50


def _visible_session(request, pk):
    session = get_object_or_404(sessions.with_seats(Session.objects.all()), pk=pk)
    if not sessions.may_see(request.user, session):
        raise Http404
    return session


def session_list(request):
    now = timezone.now()
    upcoming = sessions.with_seats(
        sessions.visible_to(request.user, Session.objects.upcoming(now))
    ).order_by("starts_at", "pk")[:LIST_SIZE]
    return render(
        request,
        "calls/sessions/list.html",
        {"sessions": sessions.annotate_seats(upcoming), "now": now},
    )


def _mine(request, session):
    """The signed-in user's active registration for ``session``, or None."""
    if not request.user.is_authenticated:
        return None
    return (
        session.registrations.active()
        .filter(email=request.user.email.lower())
        .order_by("created_at")
        .first()
    )


def _form(request, session, data=None):
    applicants = None if session.is_public else sessions.applicants_for(request.user, session)
    return RegistrationForm(data, session=session, user=request.user, applicants=applicants)


def _detail(request, session, form=None, status=200):
    now = timezone.now()
    mine = _mine(request, session)
    bookable = not session.has_started(now) and mine is None and session.is_published
    if bookable and not session.is_public and not request.user.is_authenticated:
        bookable = False
    return render(
        request,
        "calls/sessions/detail.html",
        {
            "session": sessions.annotate_seats([session])[0],
            "mine": mine,
            "form": (form or _form(request, session)) if bookable else None,
            "started": session.has_started(now),
            "google_url": ical.google_calendar_url(session),
            "now": now,
        },
        status=status,
    )


def session_detail(request, pk):
    return _detail(request, _visible_session(request, pk))


def session_register(request, pk):
    session = _visible_session(request, pk)
    if request.method != "POST":
        return redirect(session)
    if not session.is_public and not request.user.is_authenticated:
        return signed_out(request)
    email = request.user.email if request.user.is_authenticated else request.POST.get("email")
    if not ratelimit.allowed(request, "session_register", key=email or ""):
        return ratelimit.refused(request)
    form = _form(request, session, request.POST)
    if not form.is_valid():
        return _detail(request, session, form, status=400)
    if not form.first_submission():  # the same form sent twice: it was handled the first time
        return _after(request, session, _mine(request, session))
    data = form.cleaned_data
    try:
        registration, _created = sessions.register(
            session,
            email=data["email"],
            name=data["name"],
            organisation=data.get("organisation", ""),
            language=(translation.get_language() or "fr")[:2],
            question=data["question"],
            user=request.user if request.user.is_authenticated else None,
            applicant=data.get("applicant"),
        )
    except sessions.SessionError as error:
        form.add_error(None, error.message)
        return _detail(request, session, form, status=400)
    return _after(request, session, registration)


def _after(request, session, registration):
    """Where a registration leads: a signed-in user to their registration's page; anyone else
    to the same "we sent you an e-mail" page whatever happened."""
    if request.user.is_authenticated and registration is not None:
        return redirect(registration)
    return redirect("calls:session_sent", pk=session.pk)


def session_sent(request, pk):
    return render(request, "calls/sessions/sent.html", {"session": _visible_session(request, pk)})


def session_ics(request, pk):
    """The public agenda file of a session (without its online link)."""
    session = _visible_session(request, pk)
    return _ics(ical.invitation(session, method="PUBLISH"), f"session-{session.pk}.ics")


def _ics(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The registrant's page, by its token ---------------------------------------------------------


def _registration(request, token):
    """The registration of ``token``: its link is its key, except that a registration made
    with an account is opened by that account (or staff) only."""
    registration = get_object_or_404(
        Registration.objects.select_related("session__edition", "session__call", "applicant"),
        token=token,
    )
    if registration.user_id is not None:
        user = request.user
        if not user.is_authenticated:
            raise _SignIn
        if user.pk != registration.user_id and not user.is_staff:
            raise Http404
    return registration


class _SignIn(Exception):
    pass


def _with_registration(view):
    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            registration = _registration(request, token)
        except _SignIn:
            return signed_out(request)
        return view(request, registration, *args, **kwargs)

    return wrapped


def _registration_page(request, registration, question_form=None, status=200):
    session = registration.session
    now = timezone.now()
    active = registration.status != Registration.Status.CANCELLED
    confirmed = registration.status == Registration.Status.CONFIRMED
    return render(
        request,
        "calls/sessions/registration.html",
        {
            "registration": registration,
            "session": session,
            "confirmed": confirmed,
            "position": sessions.waiting_position(registration),
            "started": session.has_started(now),
            "ended": session.ends_at <= now,
            "may_cancel": active and not session.has_started(now),
            "question_form": question_form
            or (QuestionForm() if active and not session.has_started(now) else None),
            "links": sessions.links(registration) if confirmed else None,
            "material": confirmed and session.material_published_at is not None,
        },
        status=status,
    )


registration_detail = _with_registration(_registration_page)


@require_POST
@_with_registration
def registration_cancel(request, registration):
    try:
        registration, _promoted = sessions.cancel(registration)
    except sessions.SessionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration is cancelled. Thank you for telling us."))
    return redirect(registration)


@require_POST
@_with_registration
def registration_question(request, registration):
    form = QuestionForm(request.POST)
    started = registration.session.has_started()
    if registration.status == Registration.Status.CANCELLED or started:
        raise Http404
    if not form.is_valid():
        return _registration_page(request, registration, form, status=400)
    sessions.ask(registration, form.cleaned_data["question"])
    messages.success(request, _("Your question is sent to Paris&Co."))
    return redirect(registration)


@_with_registration
def registration_ics(request, registration):
    """The registrant's agenda file, with the online link; for a seat only."""
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    content = ical.invitation(registration.session, registration=registration, method="PUBLISH")
    return _ics(content, f"session-{registration.session_id}.ics")
