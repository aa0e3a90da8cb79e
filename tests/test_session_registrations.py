"""Sessions (webinars, training days) as the public and the applicants meet them: registering
with or without an account, the waiting list, cancelling, the registrant's page, the agenda file,
who sees a training day, the reminder the day before, questions in advance."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from calls.domain import reminders
from calls.domain import sessions as domain
from calls.domain.workflow import Status
from calls.models import Application, Registration, Session
from qmi.models import Applicant, Membership
from tests.factories import (
    ApplicantFactory,
    CallFactory,
    EditionFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)
from tests.html import element, error_next_to, message_texts

pytestmark = pytest.mark.django_db

ONLINE = "https://visio.example/qmi-webinaire"


def form_data(client, session, **values):
    """What the session's form posts: its fields and its one-time stamp."""
    page = client.get(session.get_absolute_url())
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.content.decode()).group(1)
    return {"name": "Camille Martin", "email": "camille@ville.example", "stamp": stamp, **values}


def register(client, session, **values):
    return client.post(
        reverse("calls:session_register", args=[session.pk]), form_data(client, session, **values)
    )


def selected(applicant, edition, *, published=True):
    """``applicant`` selected in a call of ``edition`` (its results published or not)."""
    call = CallFactory(edition=edition, results_published_at=timezone.now() if published else None)
    Application.objects.create(
        call=call,
        kind=call.kind,
        applicant=applicant,
        created_by=UserFactory(),
        reference=f"QMI-T-{call.pk}-{applicant.pk}",
        status=Status.SELECTED,
    )
    return applicant


def laureate_member(edition):
    """A confirmed member of an organisation selected in ``edition``."""
    organisation = ApplicantFactory(kind=Applicant.Kind.ORGANISATION, name="Urbanlab")
    selected(organisation, edition)
    return Membership.objects.create(
        applicant=organisation, user=UserFactory(), confirmed_at=timezone.now()
    )


@pytest.fixture(autouse=True)
def _commit_at_once(monkeypatch):
    """A test's transaction never commits: what waits for the commit (the e-mails) runs at
    once, as after the commit of the request's transaction."""
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def webinar():
    return SessionFactory()


# --- Public pages ---------------------------------------------------------------------------------


def test_public_webinar_is_listed_on_home_call_and_list_pages_without_its_online_link(client):
    call = CallFactory()
    session = SessionFactory(call=call, edition=call.edition)

    pages = [
        client.get(reverse("home")),
        client.get(call.get_absolute_url()),
        client.get(reverse("calls:sessions")),
        client.get(session.get_absolute_url()),
    ]

    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    assert all(session.title in p.content.decode() for p in pages)
    assert all(ONLINE not in p.content.decode() for p in pages)


def test_a_training_day_is_not_listed_publicly(client):
    training = SessionFactory(kind="training", audience="both", title="Formation réservée")

    listed = client.get(reverse("calls:sessions")).content.decode()

    assert training.title not in listed
    assert client.get(training.get_absolute_url()).status_code == 404


# --- Registering ----------------------------------------------------------------------------------


def test_anonymous_registration_sends_the_invitation_and_shows_the_same_page(client, webinar):
    response = register(client, webinar, question="")

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("calls:session_sent", args=[webinar.pk])
    assert registration.status == "confirmed" and registration.user is None
    (message,) = mail.outbox
    assert message.to == ["camille@ville.example"]
    assert ONLINE in message.body and str(registration.token) in message.body
    (attachment,) = message.attachments
    assert attachment[0] == "invitation.ics"
    assert attachment[2].startswith("text/calendar; method=REQUEST")


def test_an_address_already_registered_gets_the_same_answer_and_its_link_again(client, webinar):
    first = register(client, webinar)
    again = register(client, webinar, email="CAMILLE@ville.example ")

    assert again.status_code == first.status_code == 302
    assert again["Location"] == first["Location"]
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 2
    assert str(Registration.objects.get().token) in mail.outbox[1].body


def test_the_same_form_sent_twice_registers_and_mails_once(client, webinar):
    data = form_data(client, webinar)
    url = reverse("calls:session_register", args=[webinar.pk])

    responses = [client.post(url, data), client.post(url, data)]

    assert [r.status_code for r in responses] == [302, 302]
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_form_without_its_stamp_is_refused_and_nothing_saved(in_english, webinar):
    response = in_english.post(
        reverse("calls:session_register", args=[webinar.pk]),
        {"name": "Camille", "email": "camille@ville.example"},
    )

    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert Registration.objects.count() == 0


def test_bad_input_is_shown_next_to_its_field_and_nothing_saved(in_english, webinar):
    response = register(in_english, webinar, name="", email="not an address")

    assert response.status_code == 400
    assert error_next_to(response, "id_name") == "This field is required."
    assert error_next_to(response, "id_email") == "Enter a valid email address."
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_a_signed_in_user_registers_with_the_account_address_and_sees_the_registration(
    client, webinar
):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    client.force_login(user)

    response = register(client, webinar, email="someone.else@ville.example")

    registration = Registration.objects.get()
    assert registration.email == user.email and registration.user == user
    assert response["Location"] == registration.get_absolute_url()
    page = client.get(response["Location"])
    assert ONLINE in page.content.decode()


def test_a_full_session_puts_the_registration_on_the_waiting_list(in_english):
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)

    register(in_english, session)

    registration = Registration.objects.get(email="camille@ville.example")
    assert registration.status == "waiting"
    (message,) = mail.outbox
    assert "number 1 on the waiting list" in message.body
    assert ONLINE not in message.body and message.attachments == []


def test_a_past_session_refuses_registration(in_english):
    session = SessionFactory(starts_at=timezone.now() - timedelta(minutes=5))
    stamp_page = in_english.get(session.get_absolute_url())

    response = in_english.post(
        reverse("calls:session_register", args=[session.pk]),
        {"name": "Camille", "email": "camille@ville.example", "stamp": "x"},
    )

    assert "registration is closed" in stamp_page.content.decode()
    assert response.status_code == 400
    assert Registration.objects.count() == 0
    with pytest.raises(domain.SessionError, match="has started"):
        domain.register(session, email="late@ville.example", name="Late")


def test_registration_is_rate_limited_per_address_and_per_client(client, webinar, settings):
    settings.ACCOUNT_RATE_LIMITS = {"session_register": "3/m/ip,1/m/key"}

    first = register(client, webinar, email="one@ville.example")
    same_address = register(client, webinar, email="one@ville.example")
    other = register(client, webinar, email="two@ville.example")
    third = register(client, webinar, email="three@ville.example")

    assert [first.status_code, same_address.status_code] == [302, 429]
    assert [other.status_code, third.status_code] == [302, 429]
    assert Registration.objects.count() == 2


# --- Cancelling and the waiting list --------------------------------------------------------------


def test_cancelling_frees_the_seat_once_and_promotes_the_waiting_list_in_order(in_english):
    session = SessionFactory(capacity=1)
    seat = RegistrationFactory(session=session)
    first = RegistrationFactory(session=session, status="waiting")
    second = RegistrationFactory(session=session, status="waiting")
    url = reverse("calls:registration_cancel", args=[seat.token])

    in_english.post(url)
    again = in_english.post(url)

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {seat.pk: "cancelled", first.pk: "confirmed", second.pk: "waiting"}
    assert again.status_code == 302
    promoted = [m for m in mail.outbox if m.to == [first.email]]
    assert len(promoted) == 1 and promoted[0].attachments
    assert [m.to for m in mail.outbox].count([seat.email]) == 1  # told once it is cancelled


def test_a_cancelled_waiting_registration_promotes_nobody(webinar):
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status="waiting")

    _registration, promoted = domain.cancel(waiting)

    assert promoted == []
    assert session.registrations.confirmed().count() == 1


def test_cancelling_after_the_start_is_refused(webinar):
    registration = RegistrationFactory(session=webinar)

    with pytest.raises(domain.SessionError):
        domain.cancel(registration, now=webinar.starts_at + timedelta(minutes=1))

    assert Registration.objects.get().status == "confirmed"


# --- The registrant's page and the agenda file ----------------------------------------------------


def test_the_registrant_page_shows_the_online_link_only_with_a_seat(client):
    session = SessionFactory(capacity=1)
    seat = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status="waiting")

    assert ONLINE in client.get(seat.get_absolute_url()).content.decode()
    assert ONLINE not in client.get(waiting.get_absolute_url()).content.decode()


def test_an_unknown_token_or_someone_elses_registration_is_not_found(client, webinar):
    owner = UserFactory()
    registration = RegistrationFactory(session=webinar, user=owner, email=owner.email)
    unknown = reverse("calls:registration", args=["8d7b0c3e-3f5e-4b8e-9d0a-1b2c3d4e5f60"])

    anonymous = client.get(registration.get_absolute_url())
    client.force_login(UserFactory())
    other = client.get(registration.get_absolute_url())

    assert client.get(unknown).status_code == 404
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert other.status_code == 404
    assert (
        client.post(reverse("calls:registration_cancel", args=[registration.token])).status_code
        == 404
    )
    assert Registration.objects.get().status == "confirmed"


def _event(content):
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_invitation_parses_back_with_its_times_uid_and_online_link(client, webinar):
    register(client, webinar)
    registration = Registration.objects.get()

    calendar, event = _event(mail.outbox[0].attachments[0][1])
    _calendar, download = _event(
        client.get(reverse("calls:registration_ics", args=[registration.token])).content
    )

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"session-{webinar.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == webinar.starts_at
    assert event.decoded("DTEND") == webinar.ends_at
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Paris"
    assert str(event["SUMMARY"]) == webinar.title
    assert str(event["LOCATION"]) == ONLINE
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert int(event["SEQUENCE"]) == 0
    assert str(download["UID"]) == str(event["UID"])
    assert calendar.walk("VTIMEZONE")


def test_the_public_agenda_file_does_not_hold_the_online_link(client, webinar):
    response = client.get(reverse("calls:session_ics", args=[webinar.pk]))

    _calendar, event = _event(response.content)
    assert response["Content-Type"].startswith("text/calendar")
    assert ONLINE not in response.content.decode()
    assert str(event["LOCATION"]) in ("En ligne", "Online")


def test_a_waiting_registration_has_no_agenda_file(client):
    session = SessionFactory(capacity=0)
    waiting = RegistrationFactory(session=session, status="waiting")

    assert client.get(reverse("calls:registration_ics", args=[waiting.token])).status_code == 404


# --- Who sees and books a training day ------------------------------------------------------------


@pytest.fixture
def edition():
    return EditionFactory()


def training(edition, audience):
    return SessionFactory(edition=edition, kind="training", audience=audience, capacity=10)


@pytest.mark.parametrize(
    "audience, municipality, laureate",
    [("municipalities", 200, 404), ("laureates", 404, 200), ("both", 200, 200)],
)
def test_a_training_day_is_seen_only_by_its_audience(
    client, edition, audience, municipality, laureate
):
    session = training(edition, audience)
    officer = MembershipFactory()
    selected(officer.applicant, edition)
    organisation_member = laureate_member(edition)

    client.force_login(officer.user)
    as_municipality = client.get(session.get_absolute_url()).status_code
    client.force_login(organisation_member.user)
    as_laureate = client.get(session.get_absolute_url()).status_code

    assert (as_municipality, as_laureate) == (municipality, laureate)


@pytest.mark.parametrize(
    "who", ["anonymous", "not selected", "results not published", "pending member", "other edition"]
)
def test_a_training_day_is_not_found_outside_its_audience(client, edition, who):
    session = training(edition, "both")
    membership = MembershipFactory()
    if who == "results not published":
        selected(membership.applicant, edition, published=False)
    elif who == "pending member":
        selected(membership.applicant, edition)
        Membership.objects.filter(pk=membership.pk).update(confirmed_at=None)
    elif who == "other edition":
        selected(membership.applicant, EditionFactory(number=9, is_current=False))
    if who != "anonymous":
        client.force_login(membership.user)

    assert client.get(session.get_absolute_url()).status_code == 404
    assert session.title not in client.get(reverse("calls:sessions")).content.decode()
    assert domain.may_see(membership.user, session) is False


def test_staff_see_every_session(staff_client, edition):
    session = training(edition, "municipalities")

    assert staff_client.get(session.get_absolute_url()).status_code == 200


def test_a_member_books_a_training_day_for_their_municipality(client, edition):
    session = training(edition, "both")
    officer = MembershipFactory()
    selected(officer.applicant, edition)
    client.force_login(officer.user)

    response = register(client, session, applicant=officer.applicant.pk)

    registration = Registration.objects.get()
    assert registration.applicant == officer.applicant and registration.user == officer.user
    assert response["Location"] == registration.get_absolute_url()


def test_booking_a_training_day_for_an_applicant_outside_the_audience_is_refused(client, edition):
    session = training(edition, "both")
    officer = MembershipFactory()
    selected(officer.applicant, edition)
    outsider = MembershipFactory()
    client.force_login(officer.user)

    response = register(client, session, applicant=outsider.applicant.pk)

    assert response.status_code == 400
    assert Registration.objects.count() == 0
    with pytest.raises(domain.SessionError):
        domain.register(
            session,
            email="x@ville.example",
            name="X",
            user=outsider.user,
            applicant=outsider.applicant,
        )


def test_the_list_shows_what_may_see_allows(client, edition):
    officer = MembershipFactory()
    selected(officer.applicant, edition)
    sessions = [training(edition, a) for a in ("municipalities", "laureates", "both", "public")]
    client.force_login(officer.user)

    listed = list(domain.visible_to(officer.user, Session.objects.all()).order_by("pk"))

    assert listed == [s for s in sessions if domain.may_see(officer.user, s)]
    assert [s.audience for s in listed] == ["municipalities", "both", "public"]


def test_my_space_lists_the_training_days_to_book_and_my_registrations(client, edition):
    to_book = training(edition, "municipalities")
    past = training(edition, "both")
    Session.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=29, hours=20),
    )
    officer = MembershipFactory()
    selected(officer.applicant, edition)
    RegistrationFactory(session=past, user=officer.user, email=officer.user.email, attended=True)
    client.force_login(officer.user)

    section = element(client.get(reverse("dashboard")), "h-training")
    page = client.get(reverse("dashboard")).content.decode()

    assert section is not None
    assert to_book.title in page and past.title in page


# --- The reminder the day before ------------------------------------------------------------------


def test_the_reminder_goes_once_to_each_seat_the_day_before():
    now = timezone.now()
    soon = SessionFactory(starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=21))
    later = SessionFactory(starts_at=now + timedelta(hours=30), ends_at=now + timedelta(hours=31))
    seat = RegistrationFactory(session=soon)
    RegistrationFactory(session=soon, status="waiting")
    RegistrationFactory(session=soon, status="cancelled")
    RegistrationFactory(session=later)

    first = reminders.send_due(now=now)
    second = reminders.send_due(now=now + timedelta(minutes=5))

    reminded = [m for m in mail.outbox if "Rappel" in m.subject or "Reminder" in m.subject]
    assert [m.to for m in reminded] == [[seat.email]]
    assert first["sent"] >= 1 and second["sent"] == 0
    seat.refresh_from_db()
    assert seat.reminded_at == now


def test_no_reminder_for_a_session_that_has_started():
    now = timezone.now()
    started = SessionFactory(starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    RegistrationFactory(session=started)

    assert domain.REMINDERS.due(now) == []


# --- Questions in advance -------------------------------------------------------------------------


def test_a_question_reaches_staff_from_the_form_and_from_the_registrant_page(
    client, webinar, settings
):
    register(client, webinar, question="Les communes non membres peuvent-elles candidater ?")
    registration = Registration.objects.get()

    response = client.post(
        reverse("calls:registration_question", args=[registration.token]),
        {"question": "Et les établissements publics territoriaux ?"},
    )

    registration.refresh_from_db()
    to_staff = [m for m in mail.outbox if m.to == [settings.CONTACT_EMAIL]]
    assert response.status_code == 302
    assert len(to_staff) == 2
    assert "Et les établissements publics territoriaux ?" in to_staff[1].body
    assert registration.question.startswith("Les communes non membres")
    assert registration.question.endswith("Et les établissements publics territoriaux ?")


def test_an_empty_question_is_refused_on_the_registrant_page(in_english, webinar):
    registration = RegistrationFactory(session=webinar)

    response = in_english.post(
        reverse("calls:registration_question", args=[registration.token]), {"question": " "}
    )

    assert response.status_code == 400
    assert error_next_to(response, "id_question") == "This field is required."
    assert mail.outbox == []


def test_a_cancelled_registration_page_says_so(in_english, webinar):
    registration = RegistrationFactory(session=webinar)
    in_english.post(reverse("calls:registration_cancel", args=[registration.token]))

    page = in_english.get(registration.get_absolute_url(), follow=True)

    assert "This registration is cancelled." in page.content.decode()
    assert message_texts(page) == ["Your registration is cancelled. Thank you for telling us."]
