"""Acting for a municipality: asking to join a member commune, inviting colleagues and
accepting an invitation."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from municipalities.models import Commune
from qmi.models import Applicant, Invitation, Membership
from tests.factories import MembershipFactory, UserFactory
from tests.html import element, error_next_to, message_texts, table_rows

pytestmark = pytest.mark.django_db

JOIN_URL = "/communes/rejoindre/"
NOT_A_MEMBER = (
    "This municipality is not a member of the Métropole du Grand Paris: "
    "only member communes can apply."
)


@pytest.fixture
def user_client(english):
    user = UserFactory()
    english.force_login(user)
    english.user = user
    return english


@pytest.fixture
def commune():
    return Commune.objects.get(insee_code="93048")  # Montreuil


# --- Joining a member commune -------------------------------------------------------------


def test_join_with_a_member_commune_records_a_pending_membership(user_client, commune):
    response = user_client.post(
        JOIN_URL, {"commune": commune.pk, "job_title": "Chargée de mission", "note": "DGS"}
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    membership = Membership.objects.get(user=user_client.user)
    commune.refresh_from_db()
    assert (membership.applicant, membership.confirmed_at, membership.job_title) == (
        commune.applicant,
        None,
        "Chargée de mission",
    )
    assert message_texts(response) == [
        f"Your request to act for {commune.name} is recorded. Paris&Co will confirm it "
        "shortly; you will receive an e-mail."
    ]


def test_join_pending_membership_gives_no_access_yet(user_client, commune):
    user_client.post(JOIN_URL, {"commune": commune.pk, "job_title": "Chargée de mission"})
    commune.refresh_from_db()

    response = user_client.get(reverse("qmi:members", kwargs={"pk": commune.applicant_id}))

    assert response.status_code == 404


@pytest.mark.parametrize("forged", ["999999", "paris", "-1", "75056"], ids=str)
def test_join_with_a_value_that_is_not_a_member_commune_is_refused(user_client, forged):
    response = user_client.post(JOIN_URL, {"commune": forged, "job_title": "Maire"})

    assert response.status_code == 200
    assert error_next_to(response, "id_commune") == NOT_A_MEMBER
    assert (Membership.objects.count(), Applicant.objects.count()) == (0, 0)


def test_join_twice_is_refused_with_a_message(user_client, commune):
    user_client.post(JOIN_URL, {"commune": commune.pk, "job_title": "Maire"})

    response = user_client.post(JOIN_URL, {"commune": commune.pk, "job_title": "Maire"})

    assert response.status_code == 200
    assert error_next_to(response, "id_commune") == (
        f"Your request to act for {commune.name} is already awaiting confirmation."
    )
    assert Membership.objects.filter(user=user_client.user).count() == 1


def test_join_a_commune_i_already_act_for_is_refused(user_client, commune):
    from municipalities.services import applicant_for

    MembershipFactory(applicant=applicant_for(commune), user=user_client.user)

    response = user_client.post(JOIN_URL, {"commune": commune.pk, "job_title": "Maire"})

    assert error_next_to(response, "id_commune") == f"You already act for {commune.name}."
    assert Membership.objects.filter(user=user_client.user).count() == 1


def test_join_returns_to_the_page_asked_for(user_client, commune):
    response = user_client.post(
        JOIN_URL, {"commune": commune.pk, "job_title": "Maire", "next": "/appels/communes/"}
    )

    assert response.url == "/appels/communes/"


def test_join_ignores_a_next_url_to_another_site(user_client, commune):
    response = user_client.post(
        JOIN_URL, {"commune": commune.pk, "job_title": "Maire", "next": "https://evil.example/"}
    )

    assert response.url == reverse("dashboard")


def test_join_page_offers_the_130_member_communes(user_client):
    response = user_client.get(JOIN_URL)

    assert response.status_code == 200
    choices = response.context["form"].fields["commune"].queryset
    assert choices.count() == 130


# --- The members page and invitations -----------------------------------------------------


@pytest.fixture
def member(english):
    membership = MembershipFactory()
    english.force_login(membership.user)
    return membership


def _members_url(membership):
    return reverse("qmi:members", kwargs={"pk": membership.applicant_id})


def test_members_page_lists_the_members(english, member):
    colleague = MembershipFactory(applicant=member.applicant, job_title="DGS")

    response = english.get(_members_url(member))

    assert response.status_code == 200
    assert [(r["E-mail address"], r["Position"]) for r in table_rows(response)] == [
        (member.user.email, "Chargée de mission"),
        (colleague.user.email, "DGS"),
    ]


def test_invite_creates_an_invitation_and_sends_the_link(
    english, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(_members_url(member), {"email": "Collegue@Ville.example"})

    assert response.status_code == 302
    assert response.url == _members_url(member)
    invitation = Invitation.objects.get()
    assert (invitation.applicant, invitation.email, invitation.invited_by) == (
        member.applicant,
        "collegue@ville.example",
        member.user,
    )
    assert [m.to for m in mail.outbox] == [["collegue@ville.example"]]
    accept_url = settings.SITE_URL + reverse(
        "qmi:accept_invitation", kwargs={"token": invitation.token}
    )
    assert accept_url in mail.outbox[0].body


def test_invite_invalid_email_shows_the_error_and_creates_nothing(
    english, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(_members_url(member), {"email": "collegue@"})

    assert response.status_code == 200
    assert error_next_to(response, "id_email") == (
        "Enter a valid e-mail address, e.g. name@ville.fr."
    )
    assert element(response, "id_email").attrs["value"] == "collegue@"
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_invite_an_existing_member_is_refused(english, member):
    colleague = MembershipFactory(applicant=member.applicant)

    response = english.post(_members_url(member), {"email": colleague.user.email})

    assert error_next_to(response, "id_email") == (
        f"{colleague.user.email} is already a member of {member.applicant.name}."
    )
    assert Invitation.objects.count() == 0


def test_invite_twice_keeps_only_the_last_invitation(
    english, member, django_capture_on_commit_callbacks
):
    # Each request commits, and its e-mail goes, before the next one.
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            english.post(_members_url(member), {"email": "collegue@ville.example"})

    invitation = Invitation.objects.get()
    assert invitation.token in mail.outbox[-1].body
    assert len(mail.outbox) == 2


# --- Accepting an invitation --------------------------------------------------------------


@pytest.fixture
def invitation(member):
    return Invitation.objects.create(
        applicant=member.applicant, email="collegue@ville.example", invited_by=member.user
    )


def _accept_url(invitation):
    return reverse("qmi:invitation_accept", kwargs={"token": invitation.token})


def test_invitation_page_shows_the_accept_button(english, invitation):
    english.force_login(UserFactory(email="collegue@ville.example"))

    response = english.get(reverse("qmi:accept_invitation", kwargs={"token": invitation.token}))

    assert response.status_code == 200
    assert f'action="{_accept_url(invitation)}"' in response.content.decode()


def test_accept_as_the_invited_user_confirms_the_membership(english, invitation, member):
    invited = UserFactory(email="collegue@ville.example")
    english.force_login(invited)

    response = english.post(_accept_url(invitation))

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    membership = Membership.objects.get(user=invited)
    assert membership.applicant == member.applicant
    assert membership.confirmed_at is not None
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_accept_gives_access_to_the_members_page(english, invitation, member):
    invited = UserFactory(email="collegue@ville.example")
    english.force_login(invited)
    english.post(_accept_url(invitation))

    response = english.get(_members_url(member))

    assert response.status_code == 200


def test_accept_as_another_user_is_refused(english, invitation):
    other = UserFactory(email="autre@ville.example")
    english.force_login(other)

    response = english.post(_accept_url(invitation))

    assert response.status_code == 302
    assert response.url == reverse("qmi:accept_invitation", kwargs={"token": invitation.token})
    assert message_texts(response) == [
        "This invitation was sent to collegue@ville.example. "
        "Sign in with that address to accept it."
    ]
    assert Membership.objects.filter(user=other).count() == 0
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accept_twice_is_refused(english, invitation):
    invited = UserFactory(email="collegue@ville.example")
    english.force_login(invited)
    english.post(_accept_url(invitation), follow=True)

    response = english.post(_accept_url(invitation))

    assert message_texts(response) == ["This invitation has expired or was already used."]
    assert Membership.objects.filter(user=invited).count() == 1


def test_accept_after_expiry_is_refused(english, invitation):
    invited = UserFactory(email="collegue@ville.example")

    with time_machine.travel(invitation.expires_at + timedelta(seconds=1), tick=False):
        english.force_login(invited)
        response = english.post(_accept_url(invitation))

    assert message_texts(response) == ["This invitation has expired or was already used."]
    assert Membership.objects.filter(user=invited).count() == 0


def test_accept_unknown_token_is_404(english):
    english.force_login(UserFactory())

    response = english.post(reverse("qmi:invitation_accept", kwargs={"token": "inconnu"}))

    assert response.status_code == 404
