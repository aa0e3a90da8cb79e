"""Sessions on the staff side: attendance (check list, the webinar tool's file), the replay and
slides sent once, questions made FAQ entries, the attendance rates of the training days, the
waiting list when the capacity grows — and the list pages' query counts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calls.domain import reminders, sessions
from calls.interfaces.session_forms import read_emails
from calls.models import FaqEntry, Registration, Session
from tests.factories import (
    CallFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)
from tests.html import message_texts
from tests.test_query_counts import counts_for
from tests.test_session_registrations import laureate_member, selected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commit_at_once(monkeypatch):
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def past():
    """A webinar held yesterday with two seats taken."""
    now = timezone.now()
    session = SessionFactory(
        starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1) + timedelta(hours=1)
    )
    RegistrationFactory(session=session, email="ada@ville.example", name="Ada")
    RegistrationFactory(session=session, email="bob@ville.example", name="Bob")
    return session


def attendance_url(session):
    return reverse("admin:calls_session_attendance", args=[session.pk])


def attended():
    return dict(Registration.objects.values_list("email", "attended"))


@pytest.mark.parametrize(
    "name, args",
    [
        ("admin:calls_session_attendance", True),
        ("admin:calls_session_rates", False),
        ("admin:calls_registration_changelist", False),
        ("admin:calls_session_changelist", False),
    ],
)
def test_the_staff_pages_are_closed_to_other_users(client, past, name, args):
    client.force_login(UserFactory())
    url = reverse(name, args=[past.pk] if args else [])

    response = client.get(url)
    posted = client.post(url, {"action": "attendance", "attended": []})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert posted.status_code == 302
    assert set(attended().values()) == {None}


def test_staff_tick_who_came(staff_client, past):
    ada = Registration.objects.get(email="ada@ville.example")

    response = staff_client.post(
        attendance_url(past), {"action": "attendance", "attended": [ada.pk]}
    )

    assert response.status_code == 302
    assert attended() == {"ada@ville.example": True, "bob@ville.example": False}


def test_the_check_list_refuses_a_registration_of_another_session(staff_client, past):
    other = RegistrationFactory()

    response = staff_client.post(
        attendance_url(past), {"action": "attendance", "attended": [other.pk]}
    )

    assert response.status_code == 400
    assert Registration.objects.get(pk=other.pk).attended is None


def test_the_webinar_tool_file_marks_the_registered_present_and_reports_the_others(
    staff_client, past
):
    content = (
        "\ufeffRapport de participation\n"
        "Nom;Adresse e-mail;Durée (minutes)\n"
        "Ada;ADA@ville.example;55\n"
        "Inconnu;someone@else.example;12\n"
        "Sans adresse;pas une adresse;3\n"
    ).encode()
    upload = SimpleUploadedFile("participants.csv", content, "text/csv")

    response = staff_client.post(attendance_url(past), {"action": "import", "file": upload})

    assert response.status_code == 200
    assert attended() == {"ada@ville.example": True, "bob@ville.example": None}
    report = response.context["report"]
    assert (report.matched, report.unknown, report.invalid) == (
        ["ada@ville.example"],
        ["someone@else.example"],
        ["pas une adresse"],
    )
    assert "someone@else.example" in response.content.decode()


@pytest.mark.parametrize(
    "content, error",
    [
        (b"Name,Duration\nAda,55\n", "No e-mail column"),
        (b"%PDF-1.7\x00\x00binary", "not a CSV file"),
        (b"Email,Name\n,Ada\n", "no e-mail address"),
    ],
)
def test_a_bad_attendance_file_is_refused_and_nothing_saved(staff_client, past, content, error):
    staff_client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("participants.csv", content, "text/csv")

    response = staff_client.post(
        attendance_url(past), {"action": "import", "file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert set(attended().values()) == {None}


def test_comma_separated_files_with_an_email_header_are_read():
    addresses, invalid = read_emails(b"Email,Name\r\nbob@ville.example,Bob\r\n")

    assert (addresses, invalid) == (["bob@ville.example"], [])


def test_the_replay_and_slides_go_once_to_each_registered(staff_client, past):
    Session.objects.filter(pk=past.pk).update(replay_url="https://replay.example/v")
    RegistrationFactory(session=past, status="cancelled", email="gone@ville.example")
    url = reverse("admin:calls_session_changelist")
    data = {"action": "send_material", "_selected_action": [past.pk]}

    staff_client.post(url, data)
    staff_client.post(url, data)
    reminders.send_due()

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@ville.example", "bob@ville.example"]
    assert all("https://replay.example/v" in m.body for m in mail.outbox)
    assert Registration.objects.filter(material_sent_at__isnull=False).count() == 2


def test_the_replay_cannot_be_sent_without_a_link(staff_client, past):
    response = staff_client.post(
        reverse("admin:calls_session_changelist"),
        {"action": "send_material", "_selected_action": [past.pk]},
        follow=True,
    )

    assert mail.outbox == []
    assert any("replay link" in text or "rediffusion" in text for text in message_texts(response))


def test_a_question_becomes_an_unpublished_faq_entry_once(staff_client, past):
    registration = Registration.objects.get(email="ada@ville.example")
    Registration.objects.filter(pk=registration.pk).update(question="Quel calendrier ?")
    data = {"action": "make_faq_entries", "_selected_action": [registration.pk]}
    url = reverse("admin:calls_registration_changelist")

    staff_client.post(url, data)
    staff_client.post(url, data)

    entry = FaqEntry.objects.get()
    assert (entry.question, entry.answer, entry.is_published) == ("Quel calendrier ?", "", False)
    assert Registration.objects.get(pk=registration.pk).faq_entry == entry


def test_raising_the_capacity_gives_the_new_seats_to_the_waiting_list(staff_client):
    session = SessionFactory(capacity=1)
    RegistrationFactory(session=session)
    first = RegistrationFactory(session=session, status="waiting")
    RegistrationFactory(session=session, status="waiting")

    session.capacity = 2
    session.save()
    promoted = sessions.fill_seats(session)

    assert promoted == [first]
    assert Registration.objects.get(pk=first.pk).status == "confirmed"


def test_the_attendance_rates_count_the_training_days_held(staff_client):
    officer = MembershipFactory()
    now = timezone.now()
    held = SessionFactory(
        kind="training",
        audience="both",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=10) + timedelta(hours=6),
    )
    edition = held.edition
    SessionFactory(edition=edition, kind="training", audience="municipalities")
    selected(officer.applicant, edition)
    laureate = laureate_member(edition)
    RegistrationFactory(session=held, applicant=officer.applicant, attended=True)
    RegistrationFactory(session=held, applicant=laureate.applicant, attended=False)

    response = staff_client.get(reverse("admin:calls_session_rates"), {"edition": edition.pk})

    rows = {
        row.applicant.name: (row.offered, row.held, row.registered, row.attended, row.rate)
        for row in response.context["rows"]
    }
    assert rows == {officer.applicant.name: (2, 1, 1, 1, 100), "Urbanlab": (1, 1, 1, 0, 0)}
    assert "Urbanlab" in response.content.decode()


# --- Query counts: the same with 1 and 3 rows -----------------------------------------------------


def test_the_public_list_of_sessions_costs_the_same_whatever_their_number(
    client, django_assert_num_queries
):
    def count(n):
        for _ in range(n):
            session = SessionFactory()
            RegistrationFactory(session=session)
        client.get(reverse("calls:sessions"))
        with django_assert_num_queries(1) as captured:
            response = client.get(reverse("calls:sessions"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    assert count(1) == count(2)


def test_the_home_page_with_webinars_costs_the_same_whatever_their_number(client):
    small, large = counts_for(client, reverse("home"), lambda n: SessionFactory.create_batch(n))

    assert small == large


def test_the_staff_list_of_registrations_costs_the_same_whatever_their_number(
    staff_client, django_assert_num_queries
):
    session = SessionFactory()

    def count(n):
        RegistrationFactory.create_batch(n, session=session, question="Une question ?")
        url = reverse("admin:calls_registration_changelist")
        staff_client.get(url)
        with django_assert_num_queries(QUERIES_REGISTRATIONS_ADMIN) as captured:
            assert staff_client.get(url).status_code == 200
        return len(captured.captured_queries)

    assert count(1) == count(2)


QUERIES_REGISTRATIONS_ADMIN = 6  # whatever the number of rows (a page of 100)


def test_my_space_costs_the_same_whatever_the_number_of_training_days(client):
    officer = MembershipFactory()
    edition = SessionFactory().edition
    selected(officer.applicant, edition)
    client.force_login(officer.user)

    def grow(n):
        for _ in range(n):
            day = SessionFactory(edition=edition, kind="training", audience="both")
            RegistrationFactory(session=day, user=officer.user, email=officer.user.email)

    small, large = counts_for(client, reverse("dashboard"), grow)

    assert small == large


def test_a_call_page_with_webinars_costs_the_same_whatever_their_number(client):
    call = CallFactory()

    def grow(n):
        SessionFactory.create_batch(n, edition=call.edition, call=call)

    small, large = counts_for(client, call.get_absolute_url(), grow)

    assert small == large
