"""Every staff list exports what it shows (``calls.admin.exporting``): CSV and XLSX through the
one writer, the list's filters and search applied, formula-safe, the same queries whatever the
number of rows, in the background above a size; staff with the model's "view" permission only."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from calls.admin.exporting import ListExportMixin
from calls.domain import offers
from calls.interfaces.export_requests import request_export
from calls.models import Contact, ExportJob
from evaluation import services
from evaluation.models import Review
from experimenters import experimentation as flow
from tests.factories import (
    AssessmentCampaignFactory,
    CallFactory,
    CriterionFactory,
    DistrictFactory,
    JuryMemberFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    an_experimentation,
    assessed,
    assigned,
    pdf_upload,
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


def _documents(n, staff):
    for _ in range(n):
        experimentation = an_experimentation(staff)
        owner = experimentation.application.applicant.organisation.owner()
        flow.upload_document(experimentation, "agreement", pdf_upload(), by=owner)


def _assignments(n):
    member = JuryMemberFactory()
    for _ in range(n):
        assigned(member, SubmittedApplicationFactory(call=member.call))


def _contacts(n):
    start = Contact.objects.count()
    for k in range(start, start + n):
        Contact.objects.create(
            email=f"c{k}@ville.example",
            profile="municipality" if k % 2 else "startup",
            consent="Oui",
            language="fr",
            confirmed_at=None if k % 3 else timezone.now(),
        )


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
    ("experimenters_agreementdocument", _documents),
    ("evaluation_assignment", lambda n, staff: _assignments(n)),
    ("calls_session", lambda n, staff: SessionFactory.create_batch(n)),
    ("calls_contact", lambda n, staff: _contacts(n)),
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
    for n in (2, 4):  # 2 rows, then 6
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


def test_every_list_with_the_mixin_is_tested():
    exporting = {
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model, modeladmin in admin.site._registry.items()
        if isinstance(modeladmin, ListExportMixin)
    }
    assert exporting == {name for name, _make in LISTS}


def _filtered_queries(changelist):
    """The query string of each choice of the list's filters, "All" left out."""
    cl = changelist.context["cl"]
    return [
        choice["query_string"]
        for spec in cl.filter_specs
        for choice in spec.choices(cl)
        if choice["query_string"] not in ("?", "")
    ]


@pytest.mark.parametrize(("name", "make"), LISTS)
def test_each_export_holds_the_rows_of_the_filtered_list_only(name, make, staff, client):
    make(3, staff)
    client.force_login(staff)
    changelist = client.get(reverse(f"admin:{name}_changelist"))
    total = changelist.context["cl"].full_result_count
    counts = []
    for query in _filtered_queries(changelist)[:8]:
        shown = client.get(reverse(f"admin:{name}_changelist") + query)
        assert shown.status_code == 200, (name, query)
        rows = rows_of(client.get(export_url(name) + query))
        counts.append(len(rows) - 1)
        assert len(rows) - 1 == shown.context["cl"].result_count, (name, query)
    assert counts and min(counts) < total, (name, counts, total)  # a filter leaves rows out


@pytest.mark.parametrize(("name", "make"), LISTS)
def test_each_long_list_is_built_by_the_worker_with_the_same_rows_and_queries(
    name, make, staff, client, settings, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    counts, seen = [], []
    for n in (2, 4):  # 2 rows, then 6
        make(n, staff)
        settings.LIST_EXPORT_INLINE_MAX = 100_000
        inline = rows_of(client.get(export_url(name)))
        settings.LIST_EXPORT_INLINE_MAX = 1
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.get(export_url(name))
        counts.append(len(queries.captured_queries))
        job = ExportJob.objects.exclude(pk__in=seen).get()
        seen.append(job.pk)
        assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
        assert (job.subject, job.state, job.done) == ("list", "done", job.total), job.error
        with job.file.open("rb") as fh:
            built = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig")), delimiter=";"))
        assert built[0] == inline[0]
        assert sorted(built[1:]) == sorted(inline[1:]), name
    assert counts[0] == counts[1], (name, counts)


@pytest.mark.parametrize(("name", "make"), LISTS)
def test_each_export_is_for_staff_who_may_read_the_list(name, make, client):
    url = export_url(name)
    login = reverse("admin:login")

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(login)
    client.force_login(UserFactory())  # an applicant: not the data
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(login)
    other = UserFactory(is_staff=True)
    with_second_factor(other)
    client.force_login(other)
    assert client.get(url).status_code == 403  # staff without the model's "view" permission
    app_label, model_name = name.split("_", 1)
    other.user_permissions.add(
        Permission.objects.get(codename=f"view_{model_name}", content_type__app_label=app_label)
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert rows_of(response)[0]


def test_the_file_is_in_the_language_of_the_request_in_the_background_too(
    staff, client, settings, django_capture_on_commit_callbacks
):
    OrganisationFactory.create_batch(2)
    client.force_login(staff)
    english = rows_of(client.get(export_url("experimenters_organisation")))[0]
    french = rows_of(
        client.get(export_url("experimenters_organisation"), HTTP_ACCEPT_LANGUAGE="fr")
    )[0]
    assert english != french

    settings.LIST_EXPORT_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs in English
        client.get(export_url("experimenters_organisation"), HTTP_ACCEPT_LANGUAGE="fr")

    with ExportJob.objects.get().file.open("rb") as fh:
        built = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig")), delimiter=";"))
    assert built[0] == french


def test_the_xlsx_of_a_long_list_opens_with_its_rows(
    staff, client, settings, django_capture_on_commit_callbacks
):
    RegistrationFactory(name="=1+1")
    RegistrationFactory(name="Ada")
    settings.LIST_EXPORT_INLINE_MAX = 1
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(export_url("calls_registration", "xlsx"))

    with ExportJob.objects.get().file.open("rb") as fh:
        values = list(load_workbook(io.BytesIO(fh.read())).worksheets[0].values)
    assert len(values) == 3 and sorted(row[0] for row in values[1:]) == ["'=1+1", "Ada"]


def test_the_reviews_and_the_organisations_carry_the_columns_staff_expect(staff, client):
    _reviews(1)
    organisation = OrganisationFactory(legal_name="Ombre SAS")
    client.force_login(staff)

    reviews = rows_of(client.get(export_url("evaluation_review")))
    organisations = rows_of(client.get(export_url("experimenters_organisation")))

    review = Review.objects.select_related("assignment__application").get()
    assert reviews[0][:5] == ["Application", "Call", "Jury member", "Status", "Weighted total"]
    assert reviews[1][0] == review.assignment.application.reference
    assert reviews[1][4] == str(review.total)
    header, row = organisations[0], organisations[1]
    assert "Country" in header and "Confirmed members" in header
    assert row[header.index("Confirmed members")] == str(
        organisation.applicant.memberships.filter(confirmed_at__isnull=False).count()
    )


def test_a_background_export_keeps_the_lists_order_and_its_readers_permission(
    client, settings, django_capture_on_commit_callbacks
):
    settings.LIST_EXPORT_INLINE_MAX = 1
    for name in ("Bravo SAS", "Alpha SAS", "Charlie SAS"):
        OrganisationFactory(legal_name=name)
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    with_second_factor(reader)
    client.force_login(reader)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(export_url("experimenters_organisation") + "?o=-1")  # by name, Z to A

    job = ExportJob.objects.get()
    with job.file.open("rb") as fh:
        rows = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Charlie SAS", "Bravo SAS", "Alpha SAS"]

    reader.user_permissions.clear()  # no longer allowed to read the organisations
    with django_capture_on_commit_callbacks(execute=True):
        again = request_export(
            reader, format="csv", subject="list", filters={**job.filters}, description="x"
        )
    again.refresh_from_db()
    assert again.state == "failed" and not again.file
