"""The conversation of an experimentation: its three parties write and read it (anyone else
404), each message told by e-mail to the others, once; files checked; unread counts."""

import pytest
from django.core import mail
from django.urls import reverse

from experimenters import conversation
from experimenters import experimentation as flow
from experimenters.models import Experimentation, Message
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    StaffFactory,
    pdf_bytes,
    pdf_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def experimentation(staff):
    project = ProjectApplicationFactory(organisation=OrganisationFactory())
    district = project.call.districts.order_by("pk").first()
    experimentation, _created = flow.create_for(project, district=district, by=staff)
    experimentation.manager = staff
    experimentation.save()
    return experimentation


@pytest.fixture
def officer(experimentation):
    return MembershipFactory(
        applicant=MunicipalityFactory(commune=experimentation.district.commune)
    ).user


@pytest.fixture
def owner(experimentation):
    return experimentation.application.applicant.organisation.owner()


def post(client, experimentation, **data):
    url = reverse("experimenters:message_post", kwargs={"pk": experimentation.pk})
    return client.post(url, {f"message-{k}": v for k, v in data.items()}, follow=True)


def test_the_experimenter_writes_and_the_others_are_told_once(
    client, experimentation, owner, officer, staff, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, experimentation, body="Les capteurs sont posés.")

    assert "Your message is sent" in response.content.decode()
    assert "Les capteurs sont posés." in response.content.decode()
    (notice,) = mail.outbox
    assert sorted(notice.to) == sorted([officer.email, staff.email])
    assert owner.email not in notice.to
    assert "Les capteurs sont posés." in notice.body
    assert (
        reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk}) in notice.body
    )


def test_the_municipality_and_staff_answer_in_the_same_thread(
    client, experimentation, officer, staff
):
    conversation.post(experimentation, by=officer, body="La place sera fermée lundi.")
    conversation.post(experimentation, by=staff, body="Bien noté.")

    assert list(Message.objects.values_list("body", flat=True)) == [
        "La place sera fermée lundi.",
        "Bien noté.",
    ]


@pytest.mark.parametrize("who", ["other organisation", "other municipality"])
def test_nobody_else_reads_or_writes(client, experimentation, who):
    user = (
        OrganisationFactory().owner() if who == "other organisation" else MembershipFactory().user
    )
    conversation.post(experimentation, by=StaffFactory(), body="Confidentiel.")
    client.force_login(user)

    page = client.get(reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk}))
    written = post(client, experimentation, body="Intrusion.")

    assert page.status_code == 404 and written.status_code == 404
    assert not Message.objects.filter(body="Intrusion.").exists()


def test_an_empty_message_is_refused_with_a_message_and_nothing_is_sent(
    client, experimentation, owner
):
    client.force_login(owner)

    response = post(client, experimentation, body="   ")

    assert "Write a message or attach a file." in response.content.decode()
    assert not Message.objects.exists() and not mail.outbox


def test_a_file_is_checked_kept_and_read_back_by_the_parties(
    client, experimentation, owner, officer
):
    client.force_login(owner)
    post(client, experimentation, body="Le plan.", file=pdf_upload("plan.pdf"))
    message = Message.objects.get()
    client.force_login(officer)

    response = client.get(
        reverse(
            "experimenters:message_file",
            kwargs={"pk": experimentation.pk, "message_pk": message.pk},
        )
    )

    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_file_that_is_not_what_it_claims_is_refused(client, experimentation, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(owner)
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", "application/pdf")

    response = post(client, experimentation, body="Le plan.", file=fake)

    assert "PDF" in response.content.decode()
    assert not Message.objects.exists()


def test_unread_counts_follow_what_each_one_read(client, experimentation, owner, officer, staff):
    conversation.post(experimentation, by=officer, body="Un.")
    conversation.post(experimentation, by=staff, body="Deux.")

    def unread(user):
        return (
            conversation.with_unread(Experimentation.objects.all(), user)
            .get(pk=experimentation.pk)
            .unread
        )

    assert (unread(owner), unread(officer), unread(staff)) == (2, 1, 0)
    client.force_login(owner)
    client.get(reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk}))
    assert unread(owner) == 0
    list_page = client.get(reverse("experimenters:experimentations")).content.decode()
    assert "new message" not in list_page
