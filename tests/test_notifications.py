"""E-mails: the acknowledgement of a submission, the confirmation of a membership and the
invitation of a colleague, and the membership rules behind them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from calls.domain import lifecycle
from municipalities.models import Commune
from qmi.models import Invitation, Membership
from qmi.services import accept_invitation, confirm_membership, invite
from qmi.tasks import send_message
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    fill_complete,
)

pytestmark = pytest.mark.django_db

# Wednesday 10 January 2024, 09:15 UTC = 10:15 in Paris.
SUBMITTED_AT = datetime(2024, 1, 10, 9, 15, tzinfo=UTC)
SEPARATOR = "\n\n" + "—" * 40 + "\n\n"  # between the French and the English text


@pytest.fixture
def submitted(django_capture_on_commit_callbacks):
    """A complete application submitted at SUBMITTED_AT by its first member, with a
    confirmed colleague, a pending member and a deactivated member; the outbox is emptied
    before the submission."""
    with time_machine.travel(SUBMITTED_AT, tick=False):
        application = ApplicationFactory(
            call=CallFactory(), member=MembershipFactory(user__email="maire-adjoint@ville.example")
        )
        applicant = application.applicant
        MembershipFactory(applicant=applicant, user__email="collegue@ville.example")
        MembershipFactory(
            applicant=applicant, user__email="en-attente@ville.example", confirmed_at=None
        )
        departed = MembershipFactory(applicant=applicant, user__email="parti@ville.example").user
        departed.is_active = False
        departed.save()
        fill_complete(application)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.transition(application, "submit", by=application.created_by)
    application.refresh_from_db()
    return application


# --- acknowledgement ------------------------------------------------------------------------


def test_submit_sends_one_email_to_every_confirmed_active_member(submitted):
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["collegue@ville.example", "maire-adjoint@ville.example"]


def test_submit_email_subject_carries_the_reference(submitted):
    subject = mail.outbox[0].subject

    assert subject.startswith("[QMI] ")
    assert submitted.reference in subject


def test_submit_email_body_french_then_english(submitted):
    parts = mail.outbox[0].body.split(SEPARATOR)

    assert len(parts) == 2
    french, english = parts
    # Django's own formats tell the two renderings apart: French dates, then English ones.
    assert "10 janvier 2024 à 10:15" in french
    assert "10 January 2024 at 10:15" in english


def test_submit_email_body_gives_paris_time_not_utc(submitted):
    french, english = mail.outbox[0].body.split(SEPARATOR)

    assert ("09:15" in french, "9:15" in english) == (False, False)


def test_submit_email_body_names_reference_and_submitter_in_both_languages(submitted):
    parts = mail.outbox[0].body.split(SEPARATOR)

    found = [(submitted.reference in part, "maire-adjoint@ville.example" in part) for part in parts]
    assert found == [(True, True), (True, True)]


def test_submit_email_plain_text_not_html_escaped(submitted):
    french, english = mail.outbox[0].body.split(SEPARATOR)

    assert submitted.call.title == "Appel à manifestation d'intérêt des communes"
    assert (submitted.call.title in french, "&#x27;" in french) == (True, False)


def test_submit_email_names_commune_with_apostrophe_as_written(
    django_capture_on_commit_callbacks,
):
    commune = Commune.objects.get(insee_code="93039")
    application = ApplicationFactory(
        complete=True, member=MembershipFactory(applicant__commune=commune)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(application, "submit", by=application.created_by)

    body = mail.outbox[0].body
    assert (body.count("L'Île-Saint-Denis"), "&#x27;" in body) == (2, False)


def test_submit_email_links_to_the_application(submitted, settings):
    link = settings.SITE_URL + submitted.urls.edit

    assert mail.outbox[0].body.count(link) == 2


def test_submit_without_commit_sends_nothing():
    application = ApplicationFactory(complete=True)
    mail.outbox.clear()

    lifecycle.transition(application, "submit", by=application.created_by)

    assert mail.outbox == []


def test_reopen_and_withdraw_tell_every_member_and_acknowledge_nothing(
    django_capture_on_commit_callbacks,
):
    application = SubmittedApplicationFactory()
    member = application.created_by
    colleague = MembershipFactory(applicant=application.applicant).user
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(application, "reopen", by=member)
    reopened = mail.outbox[:]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(application, "withdraw", by=member)

    assert len(reopened) == 1 and "reopened: submit it again" in reopened[0].subject
    assert sorted(reopened[0].to) == sorted([member.email, colleague.email])
    assert member.email in reopened[0].body
    assert len(mail.outbox) == 1 and "withdrawn" in mail.outbox[0].subject
    assert sorted(mail.outbox[0].to) == sorted([member.email, colleague.email])
    assert all("submitted" not in m.subject for m in reopened + mail.outbox)


def test_acknowledgement_task_unknown_application_sends_nothing():
    result = send_message.delay("acknowledgement", 987654)

    assert (result.get(), mail.outbox) == (0, [])


def test_acknowledgement_task_draft_sends_nothing():
    application = ApplicationFactory(complete=True)
    mail.outbox.clear()

    result = send_message.delay("acknowledgement", application.pk)

    assert (result.get(), mail.outbox) == (0, [])


def test_acknowledgement_task_reopened_draft_sends_nothing():
    """The task may run late (queue, retries): if the applicant reopened the application in
    the meantime, it is a draft again and must not be acknowledged as submitted."""
    application = SubmittedApplicationFactory()
    lifecycle.transition(application, "reopen", by=application.created_by)
    mail.outbox.clear()

    result = send_message.delay("acknowledgement", application.pk)

    assert (result.get(), mail.outbox) == (0, [])


def test_acknowledgement_task_submitted_sends_one():
    application = SubmittedApplicationFactory()
    mail.outbox.clear()

    result = send_message.delay("acknowledgement", application.pk)

    assert (result.get(), len(mail.outbox)) == (1, 1)


# --- confirming a membership ----------------------------------------------------------------


@time_machine.travel(SUBMITTED_AT, tick=False)
def test_confirm_membership_by_staff_confirms_and_emails_the_user(
    django_capture_on_commit_callbacks,
):
    membership = MembershipFactory(confirmed_at=None, user__email="agent@ville.example")
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        result = confirm_membership(membership, by=staff)

    membership.refresh_from_db()
    assert (result, membership.confirmed_at, membership.confirmed_by) == (
        True,
        SUBMITTED_AT,
        staff,
    )
    assert [m.to for m in mail.outbox] == [["agent@ville.example"]]
    assert membership.applicant.name in mail.outbox[0].subject


def test_confirm_membership_email_names_commune_as_written(django_capture_on_commit_callbacks):
    commune = Commune.objects.get(insee_code="94038")
    membership = MembershipFactory(applicant__commune=commune, confirmed_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_membership(membership, by=StaffFactory())

    message = mail.outbox[0]
    assert ("L'Haÿ-les-Roses" in message.subject, message.body.count("L'Haÿ-les-Roses")) == (
        True,
        2,
    )


def test_confirm_membership_already_confirmed_sends_nothing(django_capture_on_commit_callbacks):
    membership = MembershipFactory()
    confirmed_at = membership.confirmed_at

    with django_capture_on_commit_callbacks(execute=True):
        result = confirm_membership(membership, by=StaffFactory())

    membership.refresh_from_db()
    assert (result, membership.confirmed_at, mail.outbox) == (False, confirmed_at, [])


@pytest.mark.parametrize("who", ["colleague", "random"])
def test_confirm_membership_by_non_staff_permission_denied(who, django_capture_on_commit_callbacks):
    membership = MembershipFactory(confirmed_at=None)
    if who == "colleague":
        user = MembershipFactory(applicant=membership.applicant).user
    else:
        user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        confirm_membership(membership, by=user)

    membership.refresh_from_db()
    assert (membership.confirmed_at, membership.confirmed_by, mail.outbox) == (None, None, [])


# --- inviting a colleague -------------------------------------------------------------------


def test_invite_emails_the_invited_address_with_a_personal_link(
    django_capture_on_commit_callbacks, settings
):
    member = MembershipFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(member.applicant, "  Collegue@Ville.EXAMPLE ", by=member.user)

    assert invitation.email == "collegue@ville.example"
    assert [m.to for m in mail.outbox] == [["collegue@ville.example"]]
    link = f"{settings.SITE_URL}/invitations/{invitation.token}/"
    assert mail.outbox[0].body.count(link) == 2


def test_accept_invitation_same_email_any_case_becomes_confirmed_member():
    inviter = MembershipFactory()
    invitation = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)
    colleague = UserFactory(email="Collegue@Ville.Example")

    membership = accept_invitation(invitation, colleague)

    membership.refresh_from_db()
    invitation.refresh_from_db()
    assert (membership.applicant, membership.user, membership.confirmed_by) == (
        inviter.applicant,
        colleague,
        inviter.user,
    )
    assert (membership.is_confirmed, invitation.accepted_at is not None) == (True, True)


def test_accept_invitation_confirms_a_pending_request():
    inviter = MembershipFactory()
    pending = MembershipFactory(applicant=inviter.applicant, confirmed_at=None)
    invitation = Invitation.objects.create(
        applicant=inviter.applicant, email=pending.user.email, invited_by=inviter.user
    )

    accept_invitation(invitation, pending.user)

    pending.refresh_from_db()
    assert (pending.is_confirmed, Membership.objects.filter(user=pending.user).count()) == (
        True,
        1,
    )


def test_accept_invitation_by_another_user_refused_naming_the_invited_address():
    inviter = MembershipFactory()
    invitation = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)
    intruder = UserFactory(email="intrus@ailleurs.example")

    with translation.override("en"), pytest.raises(ValidationError) as info:
        accept_invitation(invitation, intruder)

    assert info.value.messages == [
        "This invitation was sent to collegue@ville.example. "
        "Sign in with that address to accept it."
    ]
    invitation.refresh_from_db()
    assert (Membership.objects.filter(user=intruder).count(), invitation.accepted_at) == (0, None)


def test_accept_invitation_fifteen_days_later_refused():
    start = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        inviter = MembershipFactory()
        invitation = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)
        colleague = UserFactory(email="collegue@ville.example")

    with (
        time_machine.travel(start + timedelta(days=15), tick=False),
        pytest.raises(ValidationError),
    ):
        accept_invitation(invitation, colleague)

    assert Membership.objects.filter(user=colleague).count() == 0


def test_accept_invitation_thirteen_days_later_allowed():
    start = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        inviter = MembershipFactory()
        invitation = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)
        colleague = UserFactory(email="collegue@ville.example")

    with time_machine.travel(start + timedelta(days=13), tick=False):
        membership = accept_invitation(invitation, colleague)

    assert membership.confirmed_at == start + timedelta(days=13)


def test_accept_invitation_twice_refused():
    inviter = MembershipFactory()
    invitation = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)
    colleague = UserFactory(email="collegue@ville.example")
    accept_invitation(invitation, colleague)

    with pytest.raises(ValidationError):
        accept_invitation(invitation, colleague)


@pytest.mark.parametrize("who", ["random", "pending", "other-municipality"])
def test_invite_by_non_member_permission_denied(who, django_capture_on_commit_callbacks):
    applicant = MembershipFactory().applicant
    if who == "pending":
        user = MembershipFactory(applicant=applicant, confirmed_at=None).user
    elif who == "other-municipality":
        user = MembershipFactory().user
    else:
        user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        invite(applicant, "collegue@ville.example", by=user)

    assert (Invitation.objects.count(), mail.outbox) == (0, [])


def test_invite_existing_member_refused():
    inviter = MembershipFactory()
    colleague = MembershipFactory(applicant=inviter.applicant)

    with pytest.raises(ValidationError):
        invite(inviter.applicant, colleague.user.email.upper(), by=inviter.user)

    assert Invitation.objects.count() == 0


def test_invite_again_replaces_the_open_invitation():
    inviter = MembershipFactory()
    first = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)

    second = invite(inviter.applicant, "collegue@ville.example", by=inviter.user)

    assert list(Invitation.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.token != second.token
