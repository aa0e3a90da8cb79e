"""The workflow of an application: transitions and their history, who may take them,
references, one application per municipality and call, what is missing before submitting."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation

from calls.domain import lifecycle
from calls.domain.lifecycle import ApplicationExists, WorkflowError
from calls.domain.workflow import Status
from calls.models import Application, Call, StatusChange
from municipalities.models import MunicipalityApplication
from qmi.models import Applicant
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    MembershipFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    fill_complete,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 1, 5, 9, 30, tzinfo=UTC)


def db_state(application):
    """What the database holds about the application's status, to compare before and after."""
    row = Application.objects.filter(pk=application.pk).values(
        "status", "submitted_at", "submitted_by", "updated_at"
    )
    history = StatusChange.objects.filter(application=application).values_list(
        "transition", "from_status", "to_status", "by", "at", "note"
    )
    return row.get(), list(history)


def withdrawn_application():
    application = ApplicationFactory(complete=True)
    return lifecycle.transition(application, "withdraw", by=application.created_by)


# --- transitions that succeed ---------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_submit_complete_draft_sets_status_submitter_and_time():
    application = ApplicationFactory(complete=True)
    member = application.created_by

    lifecycle.transition(application, "submit", by=member)

    application.refresh_from_db()
    assert (application.status, application.submitted_at, application.submitted_by) == (
        Status.SUBMITTED,
        NOW,
        member,
    )


@time_machine.travel(NOW, tick=False)
def test_submit_complete_draft_writes_one_status_change():
    application = ApplicationFactory(complete=True)
    member = application.created_by

    lifecycle.transition(application, "submit", by=member, note="Dossier complet")

    history = list(
        StatusChange.objects.filter(application=application).values_list(
            "transition", "from_status", "to_status", "by", "at", "note"
        )
    )
    assert history == [
        ("submit", Status.DRAFT, Status.SUBMITTED, member.pk, NOW, "Dossier complet")
    ]


@time_machine.travel(NOW, tick=False)
def test_submit_by_colleague_records_the_colleague():
    application = ApplicationFactory(complete=True)
    colleague = MembershipFactory(applicant=application.applicant).user

    lifecycle.transition(application, "submit", by=colleague)

    application.refresh_from_db()
    assert application.submitted_by == colleague
    assert list(StatusChange.objects.values_list("by", flat=True)) == [colleague.pk]


@time_machine.travel(NOW, tick=False)
def test_reopen_submitted_before_deadline_returns_to_draft():
    application = SubmittedApplicationFactory()
    member = application.created_by

    lifecycle.transition(application, "reopen", by=member, note="Correction du budget")

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    last = StatusChange.objects.filter(application=application).last()
    assert (last.transition, last.from_status, last.to_status, last.by, last.at, last.note) == (
        "reopen",
        Status.SUBMITTED,
        Status.DRAFT,
        member,
        NOW,
        "Correction du budget",
    )


@time_machine.travel(NOW, tick=False)
def test_reopened_application_can_be_submitted_again():
    application = SubmittedApplicationFactory()
    member = application.created_by
    lifecycle.transition(application, "reopen", by=member)

    lifecycle.transition(application, "submit", by=member)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert list(StatusChange.objects.values_list("transition", flat=True)) == [
        "submit",
        "reopen",
        "submit",
    ]


@pytest.mark.parametrize(
    ("factory", "from_status"),
    [
        (lambda: ApplicationFactory(), Status.DRAFT),
        (lambda: SubmittedApplicationFactory(), Status.SUBMITTED),
    ],
    ids=["draft", "submitted"],
)
@time_machine.travel(NOW, tick=False)
def test_withdraw_before_deadline_from_draft_or_submitted(factory, from_status):
    application = factory()
    member = application.created_by

    lifecycle.transition(application, "withdraw", by=member, note="Projet reporté")

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    last = StatusChange.objects.filter(application=application).last()
    assert (last.transition, last.from_status, last.to_status, last.by, last.at, last.note) == (
        "withdraw",
        from_status,
        Status.WITHDRAWN,
        member,
        NOW,
        "Projet reporté",
    )


# --- transitions that are refused -----------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda: SubmittedApplicationFactory(), "submit"),
        (lambda: ApplicationFactory(complete=True), "reopen"),
        (withdrawn_application, "withdraw"),
        (withdrawn_application, "submit"),
        (withdrawn_application, "reopen"),
    ],
    ids=[
        "submit-twice",
        "reopen-draft",
        "withdraw-withdrawn",
        "submit-withdrawn",
        "reopen-withdrawn",
    ],
)
def test_transition_impossible_move_refused_and_nothing_changes(factory, name):
    application = factory()
    before = db_state(application)

    with pytest.raises(WorkflowError):
        lifecycle.transition(application, name, by=application.created_by)

    assert db_state(application) == before


def test_submit_incomplete_draft_refused_with_code_incomplete():
    application = ApplicationFactory()
    before = db_state(application)

    with pytest.raises(WorkflowError) as info:
        lifecycle.transition(application, "submit", by=application.created_by)

    assert info.value.code == "incomplete"
    assert db_state(application) == before
    assert before[0]["status"] == Status.DRAFT


def test_submit_draft_missing_only_deliberation_says_one_item_missing():
    application = fill_complete(ApplicationFactory(), attach=False)

    with translation.override("en"), pytest.raises(WorkflowError) as info:
        lifecycle.transition(application, "submit", by=application.created_by)

    assert info.value.messages == ["The application is incomplete: 1 item missing."]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def pending_member(applicant):
    return MembershipFactory(applicant=applicant, confirmed_at=None).user


def member_of_another_municipality(applicant):
    return MembershipFactory().user


def random_user(applicant):
    return UserFactory()


def staff_user(applicant):
    return StaffFactory()


def anonymous(applicant):
    return AnonymousUser()


OUTSIDERS = [pending_member, member_of_another_municipality, random_user, staff_user, anonymous]


@pytest.mark.parametrize("outsider", OUTSIDERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (lambda: ApplicationFactory(complete=True), "submit"),
        (lambda: SubmittedApplicationFactory(), "reopen"),
        (lambda: ApplicationFactory(complete=True), "withdraw"),
    ],
    ids=["submit", "reopen", "withdraw"],
)
def test_transition_by_non_member_permission_denied_and_nothing_changes(factory, name, outsider):
    application = factory()
    user = outsider(application.applicant)
    before = db_state(application)

    with pytest.raises(PermissionDenied):
        lifecycle.transition(application, name, by=user)

    assert db_state(application) == before


@pytest.mark.parametrize("outsider", OUTSIDERS, ids=lambda f: f.__name__)
def test_check_editable_by_non_member_permission_denied(outsider):
    application = ApplicationFactory()

    with pytest.raises(PermissionDenied):
        lifecycle.check_editable(application, by=outsider(application.applicant))


def test_check_editable_submitted_application_refused():
    application = SubmittedApplicationFactory()

    with pytest.raises(WorkflowError):
        lifecycle.check_editable(application, by=application.created_by)


@pytest.mark.parametrize("outsider", OUTSIDERS, ids=lambda f: f.__name__)
def test_start_application_by_non_member_permission_denied(outsider):
    applicant = MembershipFactory().applicant
    call = CallFactory()
    user = outsider(applicant)

    with pytest.raises(PermissionDenied):
        lifecycle.start_application(call, applicant, by=user)

    assert Application.objects.count() == 0


# --- references -----------------------------------------------------------------------------


def test_reference_first_application_of_edition():
    application = ApplicationFactory()

    assert application.reference == "QMI2-M-0001"


def test_reference_sequential_within_edition_and_kind():
    call = CallFactory()

    references = [ApplicationFactory(call=call).reference for _ in range(3)]

    assert references == ["QMI2-M-0001", "QMI2-M-0002", "QMI2-M-0003"]


def test_reference_shared_by_calls_of_same_edition_and_kind():
    ApplicationFactory(call=CallFactory())

    second = ApplicationFactory(call=CallFactory())

    assert second.reference == "QMI2-M-0002"


def test_reference_restarts_for_another_edition():
    ApplicationFactory(call=CallFactory())
    edition = EditionFactory(number=3, title="3e édition", is_current=False)

    application = ApplicationFactory(call=CallFactory(edition=edition))

    assert application.reference == "QMI3-M-0001"


def test_reference_experimenters_call_has_its_own_sequence():
    ApplicationFactory(call=CallFactory())
    experimenters_call = CallFactory(kind=Call.Kind.EXPERIMENTERS)

    with transaction.atomic():
        reference = lifecycle.next_reference(experimenters_call)

    assert reference == "QMI2-E-0001"


def test_reference_not_reused_after_withdrawal():
    first = ApplicationFactory()
    member = first.created_by
    lifecycle.transition(first, "withdraw", by=member)

    second = lifecycle.start_application(first.call, first.applicant, by=member)

    assert (first.reference, second.reference) == ("QMI2-M-0001", "QMI2-M-0002")


# --- one application per municipality and call ----------------------------------------------


def test_start_application_creates_draft_with_empty_content():
    membership = MembershipFactory()
    call = CallFactory()

    application = lifecycle.start_application(call, membership.applicant, by=membership.user)

    application.refresh_from_db()
    assert (application.status, application.kind, application.created_by) == (
        Status.DRAFT,
        Call.Kind.MUNICIPALITIES,
        membership.user,
    )
    assert MunicipalityApplication.objects.get(application=application).district_name == ""


@pytest.mark.parametrize(
    "factory",
    [lambda: ApplicationFactory(), lambda: SubmittedApplicationFactory()],
    ids=["draft", "submitted"],
)
def test_start_application_second_time_raises_application_exists(factory):
    first = factory()
    colleague = MembershipFactory(applicant=first.applicant).user

    with pytest.raises(ApplicationExists) as info:
        lifecycle.start_application(first.call, first.applicant, by=colleague)

    assert info.value.application == first
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]


def test_start_application_after_withdrawal_allowed():
    first = ApplicationFactory()
    member = first.created_by
    lifecycle.transition(first, "withdraw", by=member)

    second = lifecycle.start_application(first.call, first.applicant, by=member)

    statuses = dict(
        Application.objects.filter(applicant=first.applicant).values_list("pk", "status")
    )
    assert statuses == {first.pk: Status.WITHDRAWN, second.pk: Status.DRAFT}


def test_start_application_organisation_to_municipalities_call_refused():
    organisation = Applicant.objects.create(kind=Applicant.Kind.ORGANISATION, name="Mobilab SAS")
    owner = MembershipFactory(applicant=organisation, role="owner").user
    call = CallFactory()

    with pytest.raises(WorkflowError):
        lifecycle.start_application(call, organisation, by=owner)

    assert Application.objects.count() == 0


# --- what is missing ------------------------------------------------------------------------


def missing_names(application):
    application = Application.objects.get(pk=application.pk)
    return [name for name, _message in lifecycle.missing_items(application)]


def test_missing_items_empty_draft_lists_everything():
    application = ApplicationFactory()

    assert missing_names(application) == [
        *MunicipalityApplication.REQUIRED_FIELDS,
        "challenges",
        *MunicipalityApplication.COMMITMENTS,
        MunicipalityApplication.DELIBERATION,
    ]


def test_missing_items_complete_application_has_none():
    application = ApplicationFactory(complete=True)

    assert missing_names(application) == []


@pytest.mark.parametrize("field", MunicipalityApplication.REQUIRED_FIELDS)
def test_missing_items_one_empty_field_listed_alone(field):
    application = ApplicationFactory(complete=True)
    content = application.content
    setattr(content, field, None if field == "inhabitants" else "")
    content.save()

    assert missing_names(application) == [field]


@pytest.mark.parametrize("field", MunicipalityApplication.COMMITMENTS)
def test_missing_items_unticked_commitment_listed_alone(field):
    application = ApplicationFactory(complete=True)
    content = application.content
    setattr(content, field, False)
    content.save()

    assert missing_names(application) == [field]


def test_missing_items_no_challenge_listed_alone():
    application = ApplicationFactory(complete=True)
    application.content.challenges.clear()

    assert missing_names(application) == ["challenges"]


def test_missing_items_no_deliberation_listed_alone():
    application = fill_complete(ApplicationFactory(), attach=False)

    assert missing_names(application) == [MunicipalityApplication.DELIBERATION]


def test_missing_items_other_attachment_does_not_count_as_deliberation():
    application = fill_complete(ApplicationFactory(), attach=False)
    lifecycle.attach(application, "annex", pdf_upload("plan.pdf"), by=application.created_by)

    assert missing_names(application) == [MunicipalityApplication.DELIBERATION]
