"""The selection's workflow: staff screening transitions and their refusals, the correction
flow (due date, resubmission, versions and what changed), the public label rule and the
record of every e-mail."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from calls.domain import lifecycle, notifications
from calls.domain.lifecycle import WorkflowError
from calls.domain.versions import last_changes
from calls.domain.workflow import STATES, TRANSITIONS, Status
from calls.models import (
    Application,
    ApplicationVersion,
    CorrectionRequest,
    Notification,
    StatusChange,
)
from evaluation.models import Decision
from tests.factories import (
    CallFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    close,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages and pages in English (the msgids), whatever the catalogues hold."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def submitted():
    """A submitted application to a call that closed yesterday."""
    application = SubmittedApplicationFactory(call=CallFactory())
    close(application.call)
    return Application.objects.get(pk=application.pk)


def db_state(application):
    row = Application.objects.filter(pk=application.pk).values("status", "updated_at").get()
    history = list(StatusChange.objects.filter(application=application).values_list("pk"))
    return row, history, CorrectionRequest.objects.filter(application=application).count()


def in_a_week():
    return timezone.now() + timedelta(days=7)


# --- Staff screening transitions --------------------------------------------------------------


def test_mark_eligible_records_who_when_from_to(submitted, staff):
    lifecycle.transition(submitted, "mark_eligible", by=staff, note="Complet.")

    change = StatusChange.objects.filter(application=submitted).last()
    assert (submitted.status, change.transition, change.from_status, change.to_status) == (
        Status.ELIGIBLE,
        "mark_eligible",
        Status.SUBMITTED,
        Status.ELIGIBLE,
    )
    assert (change.by, change.note) == (staff, "Complet.")


def test_mark_ineligible_requires_a_reason(submitted, staff):
    before = db_state(submitted)

    with pytest.raises(WorkflowError, match="reason is required"):
        lifecycle.transition(submitted, "mark_ineligible", by=staff, note="  ")

    assert db_state(submitted) == before


def test_mark_ineligible_with_reason(submitted, staff):
    lifecycle.transition(submitted, "mark_ineligible", by=staff, note="Hors périmètre.")

    assert submitted.status == Status.INELIGIBLE


def test_shortlist_from_eligible(submitted, staff):
    take(submitted, "mark_eligible", "shortlist", by=staff)

    assert Application.objects.get(pk=submitted.pk).status == Status.SHORTLISTED


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ((), "shortlist"),  # submitted → shortlisted skips "eligible"
        (("mark_eligible",), "mark_eligible"),  # eligible again
        (("mark_eligible",), "mark_ineligible"),  # screening is over
        (("mark_eligible", "shortlist"), "request_correction"),  # too late to send back
        (("mark_ineligible",), "shortlist"),  # an ineligible application stays so
    ],
)
def test_transition_that_skips_a_state_is_refused(submitted, staff, path, name):
    application = take(submitted, *path, by=staff)
    before = db_state(application)

    with pytest.raises(WorkflowError, match="not possible"):
        lifecycle.transition(application, name, by=staff, note="Motif.", due_at=in_a_week())

    assert db_state(application) == before


@pytest.mark.parametrize("name", ["select", "waitlist", "reject"])
def test_decision_transitions_refused_outside_publication(submitted, staff, name):
    application = take(submitted, "mark_eligible", "shortlist", by=staff)
    before = db_state(application)

    with pytest.raises(WorkflowError, match="results are published"):
        lifecycle.transition(application, name, by=staff)

    assert db_state(application) == before


def test_select_from_submitted_refused_even_at_publication(submitted, staff):
    """A decision transition passed a decision still refuses a state it does not leave from."""
    decision = Decision(application=submitted, outcome="selected", recorded_by=staff)

    with pytest.raises(WorkflowError, match="not possible"):
        lifecycle.transition(submitted, "select", by=staff, decision=decision)


@pytest.mark.parametrize("name", ["mark_eligible", "mark_ineligible", "request_correction"])
def test_staff_transition_refused_to_the_applicant(submitted, name):
    before = db_state(submitted)

    with pytest.raises(PermissionDenied):
        lifecycle.transition(submitted, name, by=submitted.created_by, note="x", due_at=in_a_week())

    assert db_state(submitted) == before


def test_may_take_is_false_for_a_decision(submitted, staff):
    application = take(submitted, "mark_eligible", "shortlist", by=staff)

    assert [lifecycle.may_take(application, n, by=staff) for n in ("select", "reject")] == [
        False,
        False,
    ]


def test_workflow_declares_the_new_states():
    assert (
        STATES[Status.CORRECTION_REQUESTED].applicant_can_edit,
        str(STATES[Status.CORRECTION_REQUESTED].public_label),
        str(STATES[Status.WAITLISTED].public_label),
        TRANSITIONS["resubmit"].before_correction_due,
    ) == (True, "Correction requested", "Under review", True)


# --- Correction requested, resubmitted --------------------------------------------------------


def test_request_correction_needs_a_message_and_a_due_date(submitted, staff):
    before = db_state(submitted)

    with pytest.raises(WorkflowError, match="reason is required"):
        lifecycle.transition(submitted, "request_correction", by=staff, due_at=in_a_week())
    with pytest.raises(WorkflowError, match="due date is required"):
        lifecycle.transition(submitted, "request_correction", by=staff, note="Ajoutez la carte.")
    with pytest.raises(WorkflowError, match="future"):
        lifecycle.transition(
            submitted,
            "request_correction",
            by=staff,
            note="Ajoutez la carte.",
            due_at=timezone.now() - timedelta(hours=1),
        )

    assert db_state(submitted) == before


def test_request_correction_records_the_request_and_tells_the_members(
    submitted, staff, django_capture_on_commit_callbacks
):
    due = in_a_week()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(
            submitted,
            "request_correction",
            by=staff,
            note="Joignez la délibération signée.",
            due_at=due,
        )

    request = CorrectionRequest.objects.get(application=submitted)
    assert (submitted.status, request.message, request.due_at, request.requested_by) == (
        Status.CORRECTION_REQUESTED,
        "Joignez la délibération signée.",
        due,
        staff,
    )
    assert len(mail.outbox) == 1
    assert "Joignez la délibération signée." in mail.outbox[0].body
    assert mail.outbox[0].to == [submitted.created_by.email]
    record = Notification.objects.get(application=submitted, kind="correction_requested")
    assert (record.status, record.recipients) == ("sent", submitted.created_by.email)


def test_applicant_edits_and_resubmits_before_the_due_date(submitted, staff):
    take(submitted, "request_correction", by=staff, note="Précisez.", due_at=in_a_week())
    application = Application.objects.get(pk=submitted.pk)
    content = application.content
    lifecycle.check_editable(application, by=application.created_by)  # the call is closed
    content.district_name = "Quartier des Ardoines"
    content.save()
    first_fingerprint = application.fingerprint

    lifecycle.transition(application, "resubmit", by=application.created_by)

    application.refresh_from_db()
    request = CorrectionRequest.objects.get(application=application)
    assert application.status == Status.SUBMITTED
    assert request.resolved_at is not None
    assert application.fingerprint != first_fingerprint
    assert list(application.versions.values_list("number", flat=True)) == [1, 2]


def test_resubmit_refused_after_the_due_date(submitted, staff):
    take(submitted, "request_correction", by=staff, note="Précisez.", due_at=in_a_week())
    application = Application.objects.get(pk=submitted.pk)
    before = db_state(application)

    with time_machine.travel(in_a_week() + timedelta(seconds=1)):
        with pytest.raises(WorkflowError, match="due date of the correction has passed"):
            lifecycle.check_editable(application, by=application.created_by)
        with pytest.raises(WorkflowError, match="due date of the correction has passed"):
            lifecycle.transition(application, "resubmit", by=application.created_by)

    assert db_state(application) == before


def test_resubmit_refuses_an_incomplete_application(submitted, staff):
    take(submitted, "request_correction", by=staff, note="Précisez.", due_at=in_a_week())
    application = Application.objects.get(pk=submitted.pk)
    application.content.offer = ""
    application.content.save()

    with pytest.raises(WorkflowError, match="incomplete"):
        lifecycle.transition(application, "resubmit", by=application.created_by)

    assert Application.objects.get(pk=application.pk).status == Status.CORRECTION_REQUESTED


def test_applicant_pages_during_a_correction(client, submitted, staff):
    take(submitted, "request_correction", by=staff, note="Ajoutez le plan.", due_at=in_a_week())
    client.force_login(submitted.created_by)

    edit = client.get(submitted.urls.edit)
    review = client.get(submitted.urls.review)

    assert edit.status_code == 200
    assert "Ajoutez le plan." in edit.content.decode()
    assert "Correction requested" in review.content.decode()
    assert "Ajoutez le plan." in review.content.decode()


def test_resubmit_through_the_submit_button(client, submitted, staff):
    take(submitted, "request_correction", by=staff, note="Ajoutez le plan.", due_at=in_a_week())
    client.force_login(submitted.created_by)

    response = client.post(submitted.urls.submit)

    assert response.status_code == 302
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_edit_page_closed_after_the_due_date(client, submitted, staff):
    take(submitted, "request_correction", by=staff, note="Ajoutez le plan.", due_at=in_a_week())
    client.force_login(submitted.created_by)

    with time_machine.travel(in_a_week() + timedelta(minutes=1)):
        response = client.get(submitted.urls.edit)

    assert response.status_code == 302
    assert response["Location"] == submitted.urls.review


# --- Versions ---------------------------------------------------------------------------------


def test_submit_keeps_a_version_of_the_answers(submitted):
    version = ApplicationVersion.objects.get(application=submitted)

    assert (version.number, version.data["content"]["district_name"]) == (
        1,
        "Quartier de la gare",
    )
    assert [a["slot"] for a in version.data["attachments"]] == ["deliberation"]


def test_changes_between_the_last_two_versions_field_by_field(submitted, staff):
    take(submitted, "request_correction", by=staff, note="Précisez.", due_at=in_a_week())
    application = Application.objects.get(pk=submitted.pk)
    content = application.content
    content.district_name = "Quartier des Ardoines"
    content.commits_to_training = True
    content.inhabitants = 9500
    content.save()
    from calls.models import UrbanChallenge

    content.challenges.set(UrbanChallenge.objects.filter(code__in=["climate", "flows"]))
    lifecycle.transition(application, "resubmit", by=application.created_by)

    older, newer, rows = last_changes(application)

    assert (older.number, newer.number) == (1, 2)
    assert [(r.label, r.before, r.after) for r in rows] == [
        ("Name of the innovation district", "Quartier de la gare", "Quartier des Ardoines"),
        ("Inhabitants concerned", "8000", "9500"),
        (
            "Urban challenges",
            "Adapting to climate change",
            "Adapting to climate change, Flows, mobility and logistics",
        ),
    ]


def test_no_changes_when_submitted_once(submitted):
    assert last_changes(submitted) is None


# --- The public label rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "before", "after"),
    [
        (Status.SUBMITTED, "Submitted", "Submitted"),
        (Status.ELIGIBLE, "Under review", "Under review"),
        (Status.SHORTLISTED, "Under review", "Under review"),
        (Status.INELIGIBLE, "Under review", "Ineligible"),
        (Status.SELECTED, "Under review", "Selected"),
        (Status.WAITLISTED, "Under review", "Waitlisted"),
        (Status.REJECTED, "Under review", "Not selected"),
        (Status.CORRECTION_REQUESTED, "Correction requested", "Correction requested"),
    ],
)
def test_public_label_shows_a_decision_only_once_published(submitted, status, before, after):
    Application.objects.filter(pk=submitted.pk).update(status=status)
    application = Application.objects.select_related("call").get(pk=submitted.pk)
    label_before = str(application.public_status_label)
    application.call.results_published_at = timezone.now()

    assert (label_before, str(application.public_status_label)) == (before, after)


def test_applicant_never_sees_a_pending_decision(client, submitted, staff):
    """Shortlisted with a pending "selected" decision and a shared reason: the applicant's
    dashboard and review page say "Under review", never the decision or its reason."""
    application = take(submitted, "mark_eligible", "shortlist", by=staff)
    Decision.objects.create(
        application=application,
        outcome="selected",
        reason_shared="Un projet remarquable.",
        recorded_by=staff,
        recorded_at=timezone.now(),
    )
    client.force_login(application.created_by)

    pages = [
        client.get(reverse("dashboard")).content.decode(),
        client.get(application.urls.review).content.decode(),
    ]

    for html in pages:
        assert "Under review" in html
        for leak in ("Selected", "Shortlisted", "Eligible", "Un projet remarquable."):
            assert leak not in html


# --- The record of e-mails --------------------------------------------------------------------


def test_send_records_each_message(submitted):
    sent = notifications.send(
        "acknowledgement",
        to=["a@ville.example", "b@ville.example"],
        context={"application": submitted, "call": submitted.call},
    )

    record = Notification.objects.filter(kind="acknowledgement").latest("pk")
    assert sent == 1
    assert (record.application, record.recipients, record.status) == (
        submitted,
        "a@ville.example, b@ville.example",
        "sent",
    )
    assert record.subject.endswith(mail.outbox[-1].subject[-20:])
    assert record.sent_at is not None


def test_send_records_a_failure_and_raises(submitted, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"

    with pytest.raises(OSError):
        notifications.send(
            "acknowledgement",
            to=["a@ville.example"],
            context={"application": submitted, "call": submitted.call},
            application=submitted,
        )

    record = Notification.objects.filter(kind="acknowledgement").latest("pk")
    assert (record.status, record.sent_at) == ("failed", None)
    assert record.error == "SMTPServerDisconnected: the mail server is down"


def test_mark_ineligible_during_a_correction_closes_the_request(submitted, staff):
    lifecycle.transition(
        submitted, "request_correction", by=staff, note="Ajoutez la carte.", due_at=in_a_week()
    )

    lifecycle.transition(submitted, "mark_ineligible", by=staff, note="Correction jamais reçue.")

    request = CorrectionRequest.objects.get(application=submitted)
    assert (submitted.status, request.resolved_at is not None) == (Status.INELIGIBLE, True)
    assert lifecycle.open_correction(submitted) is None
