"""The experimentations' pages: who reaches them (its organisation, the municipality hosting the
district, staff; anyone else a 404), the documents of the agreement sent and read, the list in a
bounded number of queries, the staff's admin moving them through their workflow."""

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from experimenters import experimentation as flow
from experimenters.models import AgreementDocument, Experimentation
from tests.factories import (
    DistrictFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    pdf_bytes,
    pdf_upload,
    people_around,
    png_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def new_experimentation(staff, organisation=None):
    project = ProjectApplicationFactory(organisation=organisation or OrganisationFactory())
    district = project.call.districts.order_by("pk").first()
    experimentation, _created = flow.create_for(project, district=district, by=staff)
    return experimentation


@pytest.fixture
def experimentation(staff):
    return new_experimentation(staff)


@pytest.fixture
def people(experimentation, staff):
    return people_around(experimentation, staff)


def page(experimentation):
    return reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk})


@pytest.mark.parametrize("who", ["owner", "colleague", "municipality", "staff"])
def test_its_organisation_its_municipality_and_staff_read_the_experimentation(
    client, experimentation, people, who
):
    client.force_login(people[who])

    response = client.get(page(experimentation))

    assert response.status_code == 200
    assert "Agreement being signed" in response.content.decode()
    assert "Signed three-party agreement" in response.content.decode()


@pytest.mark.parametrize(
    "who", ["other organisation", "other municipality", "jury member", "signed in, nobody"]
)
def test_anyone_else_gets_a_404(client, experimentation, people, who):
    client.force_login(people[who])

    assert client.get(page(experimentation)).status_code == 404
    url = reverse("experimenters:agreement_upload", kwargs={"pk": experimentation.pk})
    assert client.post(url, {"kind": "agreement", "file": pdf_upload()}).status_code == 404
    assert not AgreementDocument.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, experimentation):
    response = client.get(page(experimentation))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def upload(client, experimentation, kind, file):
    url = reverse("experimenters:agreement_upload", kwargs={"pk": experimentation.pk})
    return client.post(url, {"kind": kind, "file": file}, follow=True)


def test_a_member_sends_a_document_and_reads_it_back(client, experimentation, people):
    client.force_login(people["colleague"])
    upload_url = reverse("experimenters:agreement_upload", kwargs={"pk": experimentation.pk})
    assert upload_url in client.get(page(experimentation)).content.decode()

    response = upload(client, experimentation, "insurance", pdf_upload("attestation.pdf"))

    assert "The document is sent" in response.content.decode()
    document = AgreementDocument.objects.get()
    assert (document.kind, document.original_name, document.state) == (
        "insurance",
        "attestation.pdf",
        "submitted",
    )
    download = client.get(
        reverse(
            "experimenters:agreement_document",
            kwargs={"pk": experimentation.pk, "document_pk": document.pk},
        )
    )
    assert b"".join(download.streaming_content) == pdf_bytes()


def test_the_municipality_reads_but_does_not_send_documents(client, experimentation, people):
    client.force_login(people["municipality"])

    upload_url = reverse("experimenters:agreement_upload", kwargs={"pk": experimentation.pk})
    assert upload_url not in client.get(page(experimentation)).content.decode()
    url = reverse("experimenters:agreement_upload", kwargs={"pk": experimentation.pk})
    assert client.post(url, {"kind": "agreement", "file": pdf_upload()}).status_code == 404


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(client, experimentation, people):
    client.force_login(people["owner"])

    response = upload(client, experimentation, "agreement", png_upload())

    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not AgreementDocument.objects.exists()


def test_the_list_shows_what_i_follow_and_nothing_else(client, experimentation, people, staff):
    other = new_experimentation(staff)
    client.force_login(people["municipality"])

    content = client.get(reverse("experimenters:experimentations")).content.decode()

    assert experimentation.application.reference in content
    assert other.application.reference not in content


def test_the_list_reads_as_many_queries_for_one_as_for_five(
    client, experimentation, people, staff, django_assert_num_queries
):
    owner = people["owner"]
    organisation = experimentation.application.applicant.organisation
    client.force_login(owner)
    url = reverse("experimenters:experimentations")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        new_experimentation(staff, organisation=organisation)

    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert response.content.decode().count("/experimentations/") >= 5


def test_the_menu_shows_the_experimentations_to_those_who_follow_one(client, people):
    client.force_login(people["colleague"])
    assert "Experimentations</a>" in client.get(reverse("dashboard")).content.decode()

    client.force_login(people["signed in, nobody"])
    assert "Experimentations</a>" not in client.get(reverse("dashboard")).content.decode()


# --- Staff, in the admin ---------------------------------------------------------------------


def act(client, action, experimentation, **extra):
    return client.post(
        reverse("admin:experimenters_experimentation_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [experimentation.pk], **extra},
        follow=True,
    )


def test_staff_move_an_experimentation_from_the_admin(client, experimentation, staff):
    client.force_login(staff)

    response = act(client, "take_sign", experimentation)

    assert "Agreement signed: done for 1 experimentation." in response.content.decode()
    assert Experimentation.objects.get().status == "preparation"


def test_abandoning_asks_for_the_reason_first(client, experimentation, staff):
    client.force_login(staff)

    confirm = act(client, "take_abandon", experimentation)
    assert "Reason" in confirm.content.decode()
    assert Experimentation.objects.get().status == "agreement"

    act(
        client, "take_abandon", experimentation, apply="1", note="La start-up a cessé son activité."
    )
    assert Experimentation.objects.get().status == "abandoned"


def test_the_admin_refuses_deployment_without_the_documents_and_says_why(
    client, experimentation, staff
):
    flow.transition(experimentation, "sign", by=staff)
    client.force_login(staff)

    response = act(client, "take_deploy", experimentation)

    assert "Documents of the agreement not accepted yet" in response.content.decode()
    assert Experimentation.objects.get().status == "preparation"


def test_the_public_district_page_lists_its_experimentations_summary_only(
    client, experimentation, staff
):
    district = experimentation.district
    district.is_published = True
    district.save()
    experimentation.manager = staff
    experimentation.save()
    project = experimentation.application.project
    project.title = "Ombrières de cours"
    project.save()

    content = client.get(district.get_absolute_url()).content.decode()

    assert "Experimentations in the district" in content
    assert "Ombrières de cours" in content
    assert experimentation.application.applicant.name in content
    assert "Agreement being signed" in content
    assert staff.email not in content
    assert experimentation.application.reference not in content


def test_a_district_without_experimentation_shows_no_such_section(client, experimentation):
    content = client.get(DistrictFactory().get_absolute_url()).content.decode()

    assert "Experimentations in the district" not in content


# --- The programme board -----------------------------------------------------------------------


def board_url(**params):
    from urllib.parse import urlencode

    url = reverse("admin:experimenters_experimentation_board")
    return f"{url}?{urlencode(params)}" if params else url


def test_the_board_shows_each_district_with_its_statuses_and_what_is_missing(
    client, experimentation, staff
):
    other = new_experimentation(staff)
    flow.transition(other, "sign", by=staff)
    client.force_login(staff)

    content = client.get(board_url(edition="")).content.decode()

    assert experimentation.application.reference in content
    assert other.application.reference in content
    assert "Signed three-party agreement, Insurance certificate" in content
    assert escape(experimentation.district.name) in content


def test_the_board_filters_by_status(client, experimentation, staff):
    other = new_experimentation(staff)
    flow.transition(other, "sign", by=staff)
    client.force_login(staff)

    content = client.get(board_url(status="preparation")).content.decode()

    assert other.application.reference in content
    assert experimentation.application.reference not in content


def test_the_board_exports_csv_and_xlsx(client, experimentation, staff):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(staff)

    csv_text = b"".join(client.get(board_url(export="csv")).streaming_content).decode("utf-8-sig")
    xlsx = load_workbook(BytesIO(b"".join(client.get(board_url(export="xlsx")).streaming_content)))

    assert csv_text.splitlines()[0].startswith("Reference;Project;Organisation")
    assert experimentation.application.reference in csv_text
    rows = list(xlsx.active.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and rows[1][0] == experimentation.application.reference


def test_the_board_is_for_staff(client, experimentation, people):
    client.force_login(people["owner"])

    response = client.get(board_url())

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_board_reads_as_many_queries_for_one_as_for_six(
    client, experimentation, staff, django_assert_num_queries
):
    client.force_login(staff)
    client.get(board_url())
    with CaptureQueriesContext(connection) as one:
        client.get(board_url())
    for _ in range(5):
        flow.transition(new_experimentation(staff), "sign", by=staff)

    with django_assert_num_queries(len(one)):
        assert client.get(board_url()).status_code == 200


def test_my_space_shows_my_municipalitys_districts_and_the_experimentations_i_follow(
    client, experimentation, people
):
    district = experimentation.district
    client.force_login(people["municipality"])

    content = client.get(reverse("dashboard")).content.decode()

    assert "My municipality's innovation districts" in content
    assert escape(district.name) in content
    assert district.get_absolute_url() in content  # published: its public page
    district.is_published = False
    district.save()
    assert "Being prepared by Paris&Co" in client.get(reverse("dashboard")).content.decode()
    assert "You follow 1 experimentation" in content


def test_my_space_without_district_or_experimentation_shows_neither(client, people):
    client.force_login(people["other organisation"])

    content = client.get(reverse("dashboard")).content.decode()

    assert 'id="h-districts"' not in content
    assert 'id="h-experimentations"' not in content
