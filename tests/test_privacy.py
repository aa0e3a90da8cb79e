"""Personal data (GDPR): the download of one's own data, the deletion of one's account."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from calls.models import Application, Contact
from qmi.models import Membership, User
from tests.factories import (
    PASSWORD,
    JuryMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

DATA_URL = "/compte/donnees/"
DELETE_URL = "/compte/supprimer/"


def downloaded(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive.namelist(), json.loads(archive.read("personal-data.json")), archive


def test_urls_are_the_account_pages():
    assert reverse("qmi:personal_data") == DATA_URL
    assert reverse("qmi:delete_account") == DELETE_URL


# --- Download --------------------------------------------------------------------------------


def test_download_holds_my_data_and_not_another_persons(client):
    mine = MembershipFactory(user=UserFactory(first_name="Alice", phone="0102030405"))
    application = SubmittedApplicationFactory(member=mine)
    Contact.objects.create(email=mine.user.email, profile="municipality", consent="Oui.")
    RegistrationFactory(email=mine.user.email, name="Alice Martin")
    other = MembershipFactory(user=UserFactory(first_name="Bob"))
    SubmittedApplicationFactory(member=other)
    client.force_login(mine.user)

    response = client.get(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="qmi-personal-data-')
    names, data, _archive = downloaded(response)
    assert sorted(names) == ["README.txt", "personal-data.json"]
    assert data["account"]["email"] == mine.user.email
    assert data["account"]["first_name"] == "Alice"
    assert data["account"]["phone"] == "0102030405"
    assert [a["email"] for a in data["email_addresses"]] == [mine.user.email]
    assert [m["applicant"] for m in data["memberships"]] == [mine.applicant.name]
    assert [a["reference"] for a in data["calls"]["applications"]] == [application.reference]
    assert [c["email"] for c in data["calls"]["keep_informed"]] == [mine.user.email]
    assert [r["name"] for r in data["calls"]["session_registrations"]] == ["Alice Martin"]
    assert data["evaluation"]["jury"] == {"seats": [], "reviews": []}
    assert data["experimenters"]["experimentation_messages"] == []
    dumped = json.dumps(data)
    assert other.user.email not in dumped
    assert "Bob" not in dumped


def test_download_readme_says_what_is_inside_in_both_languages(client):
    user = UserFactory()
    client.force_login(user)

    _names, _data, archive = downloaded(client.get(DATA_URL))

    readme = archive.read("README.txt").decode()
    assert "personal-data.json" in readme
    assert "Your personal data on the Quartiers Métropolitains d'Innovation portal" in readme


def test_download_lists_jury_seats(client):
    seat = JuryMemberFactory()
    client.force_login(seat.user)

    _names, data, _archive = downloaded(client.get(DATA_URL))

    assert [s["call"] for s in data["evaluation"]["jury"]["seats"]] == [seat.call.title]


def test_download_serves_only_the_signed_in_user(client):
    alice, bob = UserFactory(), UserFactory()
    client.force_login(bob)

    _names, data, _archive = downloaded(client.get(DATA_URL, {"user": alice.pk, "pk": alice.pk}))

    assert data["account"]["id"] == bob.pk
    assert alice.email not in json.dumps(data)


def test_download_asks_a_visitor_to_sign_in(client):
    response = client.get(DATA_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_links_to_download_and_deletion(in_english):
    in_english.force_login(UserFactory())

    html = in_english.get(reverse("qmi:profile")).content.decode()

    assert f'href="{DATA_URL}">Download my data</a>' in html
    assert f'href="{DELETE_URL}">Delete my account</a>' in html


# --- Deletion ----------------------------------------------------------------------------------


def test_deletion_page_explains_what_is_kept(in_english):
    in_english.force_login(UserFactory())

    html = in_english.get(DELETE_URL).content.decode()

    assert "no longer name you: they show a former user in your place" in html
    assert 'name="password"' in html


def test_deletion_refused_with_a_wrong_password_changes_nothing(in_english):
    membership = MembershipFactory()
    user = membership.user
    in_english.force_login(user)

    response = in_english.post(DELETE_URL, {"password": "not-my-password"})

    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert EmailAddress.objects.filter(user=user).count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize("kind", ["staff", "jury"])
def test_deletion_refused_for_staff_and_jury_with_whom_to_write_to(in_english, settings, kind):
    settings.PRIVACY_DPO_EMAIL = "dpo@metropole.example"
    user = StaffFactory() if kind == "staff" else JuryMemberFactory().user
    in_english.force_login(user)

    page = in_english.get(DELETE_URL).content.decode()
    response = in_english.post(DELETE_URL, {"password": PASSWORD})

    assert "dpo@metropole.example" in page
    assert 'name="password"' not in page
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active
    assert user.has_usable_password()


def test_deletion_refused_for_an_owner_with_other_members(in_english):
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    member_of(organisation)
    in_english.force_login(owner)

    response = in_english.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 403
    assert f"You own {organisation.applicant.name}, which has other members" in (
        response.content.decode()
    )
    owner.refresh_from_db()
    assert owner.is_active


def test_deletion_allowed_for_the_sole_owner_of_an_organisation(client):
    owner = UserFactory()
    OrganisationFactory(owner=owner)
    client.force_login(owner)

    client.post(DELETE_URL, {"password": PASSWORD})

    owner.refresh_from_db()
    assert not owner.is_active


def test_deletion_anonymises_the_account_and_keeps_submitted_applications(client):
    user = UserFactory(first_name="Alice", last_name="Martin", phone="0102030405")
    membership = MembershipFactory(user=user)
    application = SubmittedApplicationFactory(member=membership)
    Contact.objects.create(email=user.email, profile="municipality", consent="Oui.")
    registration = RegistrationFactory(email=user.email, name="Alice Martin")
    old_email = user.email
    client.force_login(user)

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.phone) == ("", "", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not client.login(email=old_email, password=PASSWORD)
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    assert not Contact.objects.filter(email=old_email).exists()
    registration.refresh_from_db()
    assert (registration.name, registration.user_id) == ("", None)
    assert old_email not in registration.email
    application = Application.objects.get(pk=application.pk)
    assert application.status == "submitted"
    assert application.submitted_by_id == user.pk
    assert str(application.submitted_by) == f"deleted-{user.pk}@invalid"
    # Told at the old address, before it was erased
    assert [m.to for m in mail.outbox][-1] == [old_email]
    assert "deleted" in mail.outbox[-1].subject
    # Signed out: the account's pages send to the sign-in page
    assert client.get(reverse("qmi:profile")).status_code == 302


def test_deletion_leaves_other_users_alone(client):
    other = MembershipFactory()
    user = UserFactory()
    client.force_login(user)

    client.post(DELETE_URL, {"password": PASSWORD})

    other.user.refresh_from_db()
    assert other.user.is_active
    assert User.objects.get(pk=other.user.pk).email == other.user.email
    assert Membership.objects.filter(pk=other.pk).exists()
