"""The experimentation of a selected project: created once at the publication of the results,
moved only through its workflow (history, reasons, documents of the agreement accepted before
deployment, actual dates), its documents uploaded by its members and checked by staff."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calls.domain import lifecycle
from evaluation import publication, services
from evaluation.placement import service as placement
from experimenters import experimentation as flow
from experimenters.models import (
    AgreementDocument,
    Experimentation,
    ExperimentationStatusChange,
    ProgrammeSettings,
)
from tests.factories import (
    DistrictFactory,
    ExperimenterCallFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    member_of,
    pdf_upload,
    png_upload,
    take,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def published(staff, django_capture_on_commit_callbacks):
    """A call for experimenters whose two laureates were placed and published."""
    district = DistrictFactory(name="Quartier de la gare", capacity_min=1, capacity_max=8)
    call = ExperimenterCallFactory(districts=[district])
    projects = []
    for _ in range(2):
        project = ProjectApplicationFactory(call=call, complete=True)
        lifecycle.transition(project, "submit", by=project.created_by)
        take(project, "mark_eligible", "shortlist", by=staff)
        services.record_decision(project, outcome="selected", by=staff)
        projects.append(project)
    placement.propose(call, by=staff)
    placement.accept(call, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    return call, district, projects


def test_each_selected_project_gets_its_experimentation_at_publication(published):
    call, district, projects = published

    experimentations = Experimentation.objects.filter(application__call=call)

    assert experimentations.count() == 2
    first = experimentations.get(application=projects[0])
    assert (first.district, first.status) == (district, "agreement")
    assert (first.planned_end.year * 12 + first.planned_end.month) - (
        first.planned_start.year * 12 + first.planned_start.month
    ) == 18


def test_creating_it_again_changes_nothing(published, staff):
    _call, district, projects = published

    again, created = flow.create_for(projects[0], district=district, by=staff)

    assert created is False
    assert Experimentation.objects.filter(application=projects[0]).count() == 1


def test_the_edition_sets_the_length_of_its_experimentations(staff):
    call = ExperimenterCallFactory()
    ProgrammeSettings.objects.create(edition=call.edition, duration_months=12)
    project = ProjectApplicationFactory(call=call)

    experimentation, _ = flow.create_for(
        project, district=call.districts.first(), by=staff, today=date(2027, 1, 31)
    )

    assert (experimentation.planned_start, experimentation.planned_end) == (
        date(2027, 1, 31),
        date(2028, 1, 31),
    )


@pytest.fixture
def experimentation(published):
    return Experimentation.objects.filter(application=published[2][0]).get()


def upload_and_accept(experimentation, staff):
    owner = experimentation.application.applicant.organisation.owner()
    for key in flow.required_documents(experimentation.application.call.edition):
        document = flow.upload_document(experimentation, key, pdf_upload(), by=owner)
        flow.review_document(document, accept=True, by=staff)


def test_deployment_waits_for_every_document_of_the_agreement(experimentation, staff):
    flow.transition(experimentation, "sign", by=staff)

    with pytest.raises(flow.WorkflowError) as refused:
        flow.transition(experimentation, "deploy", by=staff)

    assert refused.value.messages == [
        "Documents of the agreement not accepted yet: Signed three-party agreement, "
        "Insurance certificate."
    ]
    upload_and_accept(experimentation, staff)
    assert flow.transition(experimentation, "deploy", by=staff).status == "deployment"


def test_the_whole_life_is_recorded_with_its_actual_dates(experimentation, staff):
    upload_and_accept(experimentation, staff)
    for name in ("sign", "deploy", "start"):
        flow.transition(experimentation, name, by=staff)
    flow.transition(experimentation, "suspend", by=staff, note="Travaux sur la place.")
    for name in ("resume", "end", "assess"):
        flow.transition(experimentation, name, by=staff)

    experimentation.refresh_from_db()
    history = list(
        ExperimentationStatusChange.objects.filter(experimentation=experimentation).values_list(
            "transition", "to_status", "note"
        )
    )
    assert experimentation.status == "assessed"
    assert experimentation.actual_start is not None and experimentation.actual_end is not None
    assert history[3] == ("suspend", "suspended", "Travaux sur la place.")
    assert [h[0] for h in history] == [
        "sign",
        "deploy",
        "start",
        "suspend",
        "resume",
        "end",
        "assess",
    ]


def test_suspending_or_abandoning_needs_a_reason(experimentation, staff):
    with pytest.raises(flow.WorkflowError, match="reason"):
        flow.transition(experimentation, "abandon", by=staff, note=" ")

    experimentation.refresh_from_db()
    assert experimentation.status == "agreement"


def test_a_move_from_another_state_is_refused(experimentation, staff):
    with pytest.raises(flow.WorkflowError, match="not possible"):
        flow.transition(experimentation, "end", by=staff)


def test_only_staff_steer_an_experimentation(experimentation):
    owner = experimentation.application.applicant.organisation.owner()

    with pytest.raises(PermissionDenied):
        flow.transition(experimentation, "sign", by=owner)
    assert not ExperimentationStatusChange.objects.exists()


def test_a_member_of_another_organisation_cannot_upload(experimentation):
    stranger = OrganisationFactory().owner()

    with pytest.raises(PermissionDenied):
        flow.upload_document(experimentation, "agreement", pdf_upload(), by=stranger)
    assert not AgreementDocument.objects.exists()


def test_a_colleague_uploads_and_staff_ask_for_a_new_version(experimentation, staff):
    colleague = member_of(experimentation.application.applicant.organisation)
    document = flow.upload_document(experimentation, "insurance", pdf_upload(), by=colleague)

    with pytest.raises(flow.WorkflowError, match="what to change"):
        flow.review_document(document, accept=False, by=staff)
    flow.review_document(document, accept=False, by=staff, note="L'attestation a expiré.")

    document.refresh_from_db()
    assert (document.state, document.review_note) == ("new_version", "L'attestation a expiré.")
    assert "Insurance certificate" in flow.missing_documents(experimentation)


def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_kept(experimentation):
    owner = experimentation.application.applicant.organisation.owner()

    with pytest.raises(ValidationError):
        flow.upload_document(experimentation, "agreement", png_upload(), by=owner)

    assert not AgreementDocument.objects.exists()


def test_the_documents_are_closed_once_deployed(experimentation, staff):
    upload_and_accept(experimentation, staff)
    flow.transition(experimentation, "sign", by=staff)
    flow.transition(experimentation, "deploy", by=staff)
    owner = experimentation.application.applicant.organisation.owner()

    with pytest.raises(flow.WorkflowError, match="can no longer change"):
        flow.upload_document(experimentation, "agreement", pdf_upload(), by=owner)


def test_the_edition_adds_documents_to_the_agreement(experimentation):
    ProgrammeSettings.objects.create(
        edition=experimentation.application.call.edition,
        extra_documents="Plan de prévention des risques\n\n",
    )

    assert list(flow.required_documents(experimentation.application.call.edition)) == [
        "agreement",
        "insurance",
        "Plan de prévention des risques",
    ]
