"""Every staff list exports what it shows (``calls.admin.exporting``): CSV and XLSX through the
one writer, the list's filters and search applied, formula-safe, the same queries whatever the
number of rows, in the background above a size; staff with the model's "view" permission only."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from calls.domain import offers
from calls.models import Contact, ExportJob
from evaluation import services
from tests.factories import (
    AssessmentCampaignFactory,
    CallFactory,
    CriterionFactory,
    DistrictFactory,
    JuryMemberFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    an_experimentation,
    assessed,
    assigned,
    scored,
    take,
    with_second_factor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return StaffFactory()


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _declarations(n):
    member = JuryMemberFactory()
    for _ in range(n):
        assigned(member, SubmittedApplicationFactory(call=member.call), conflict=True)


def _reviews(n):
    member = JuryMemberFactory()
    CriterionFactory(call=member.call)
    for _ in range(n):
        assigned_to = assigned(
            member, SubmittedApplicationFactory(call=member.call), conflict=False
        )
        scored(assigned_to, [3])


def _decisions(n, staff):
    call = CallFactory(max_selected=9)
    for _ in range(n):
        application = take(SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist")
        services.record_decision(application, outcome="waitlisted", by=staff)


def _experimentations(n, staff):
    for _ in range(n):
        an_experimentation(staff)


def _assessments(n, staff):
    campaign = AssessmentCampaignFactory()
    for _ in range(n):
        assessed(an_experimentation(staff), campaign)


# (the list's admin URL name, how to make n of its rows)
LISTS = [
    ("experimenters_organisation", lambda n, staff: OrganisationFactory.create_batch(n)),
    ("municipalities_innovationdistrict", lambda n, staff: DistrictFactory.create_batch(n)),
    ("evaluation_jurymember", lambda n, staff: JuryMemberFactory.create_batch(n)),
    ("evaluation_conflictdeclaration", lambda n, staff: _declarations(n)),
    ("evaluation_review", lambda n, staff: _reviews(n)),
    ("evaluation_decision", _decisions),
    ("municipalities_commune", lambda n, staff: None),  # the 130 member communes
    ("calls_registration", lambda n, staff: RegistrationFactory.create_batch(n)),
    (
        "calls_offer",
        lambda n, staff: [offers.open_offer(SubmittedApplicationFactory()) for _ in range(n)],
    ),
    ("experimenters_experimentation", _experimentations),
    ("experimenters_report", _experimentations),  # each schedules its reports
    ("evaluation_assessment", _assessments),
]


def export_url(name, format="csv"):
    return reverse(f"admin:{name}_list_export", kwargs={"format": format})


@pytest.mark.parametrize(("name", "make"), LISTS)
def test_each_list_exports_its_rows_in_the_same_queries_at_two_sizes(name, make, staff, client):
    client.force_login(staff)
    changelist = client.get(reverse(f"admin:{name}_changelist"))
    assert changelist.status_code == 200 and export_url(name) in changelist.text
    counts = []
    for n in (2, 3):
        make(n, staff)
        model = changelist.context["cl"].model
        total = model._default_manager.count()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(export_url(name))
        counts.append(len(queries.captured_queries))
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        rows = rows_of(response)
        assert len(rows) == 1 + total, name
        assert rows[0] and all(rows[0])  # a label per column
    assert counts[0] == counts[1], (name, counts)


def test_the_export_is_the_list_as_filtered_and_searched_formula_safe(staff, client):
    OrganisationFactory(legal_name="=HYPERLINK(1) SAS", structure_type="association")
    OrganisationFactory(legal_name="Ombre SAS", structure_type="startup")
    OrganisationFactory(legal_name="Ombre et Lumière", structure_type="association")
    client.force_login(staff)

    rows = rows_of(client.get(export_url("experimenters_organisation") + "?q=Ombre"))
    assert sorted(row[0] for row in rows[1:]) == ["Ombre SAS", "Ombre et Lumière"]
    filtered = client.get(
        export_url("experimenters_organisation") + "?structure_type__exact=association"
    )
    names = sorted(row[0] for row in rows_of(filtered)[1:])
    assert names == ["'=HYPERLINK(1) SAS", "Ombre et Lumière"]
    assert rows[0][0] == "Legal name"


def test_the_xlsx_holds_the_same_rows(staff, client):
    OrganisationFactory(legal_name="Ombre SAS")
    client.force_login(staff)

    response = client.get(export_url("experimenters_organisation", "xlsx"))

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book.worksheets[0].values)
    assert values[0][0] == "Legal name" and values[1][0] == "Ombre SAS"


def test_a_long_list_is_built_in_the_background(
    staff, client, settings, django_capture_on_commit_callbacks
):
    settings.LIST_EXPORT_INLINE_MAX = 2
    OrganisationFactory.create_batch(3)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(export_url("experimenters_organisation") + "?o=1")

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.subject, job.state, job.total, job.done) == ("list", "done", 3, 3)
    with job.file.open("rb") as fh:
        text = fh.read().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == 4
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200


def test_the_exports_are_for_staff_who_may_read_the_list(client):
    OrganisationFactory(legal_name="Ombre SAS")
    url = export_url("experimenters_organisation")

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())  # an applicant
    assert client.get(url).status_code == 302
    other = UserFactory(is_staff=True)
    with_second_factor(other)
    client.force_login(other)
    assert client.get(url).status_code == 403
    other.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    assert client.get(url).status_code == 200
    assert client.get(export_url("experimenters_organisation", "pdf")).status_code == 404


def test_a_long_list_of_contacts_keeps_every_answer_of_the_sign_up(
    staff, client, settings, django_capture_on_commit_callbacks
):
    settings.LIST_EXPORT_INLINE_MAX = 1
    for k in range(2):
        Contact.objects.create(
            email=f"c{k}@ville.example", profile="municipality", consent="Oui", language="fr"
        )
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(export_url("calls_contact"))

    job = ExportJob.objects.get()
    with job.file.open("rb") as fh:
        rows = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig")), delimiter=";"))
    assert job.state == "done" and len(rows) == 3
    assert len(rows[0]) == 9  # every answer, not only the list's columns
    assert sorted(row[0] for row in rows[1:]) == ["c0@ville.example", "c1@ville.example"]
