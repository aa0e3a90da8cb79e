"""``qmi.mail``: one bilingual rendering, recorders told of the outcome, one retrying task."""

from unittest import mock

import pytest
from django.core import mail as outbox

from calls.models import Notification
from qmi import mail
from qmi.services import confirm_membership
from qmi.tasks import send_message
from tests.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_a_message_is_french_first_then_english():
    membership = MembershipFactory()

    subject, body = mail.render_message(
        "membership_confirmed", context={"membership": membership, "dashboard_url": "/espace/"}
    )

    french, english = body.split("—" * 40)
    assert "Bonjour" in french and "Hello" in english
    assert " / " in subject


def test_an_unknown_or_vanished_object_sends_nothing():
    assert send_message.delay("invitation", 987654).get() == 0
    assert outbox.outbox == []


def test_membership_e_mail_goes_through_the_task_and_is_recorded(
    django_capture_on_commit_callbacks,
):
    membership = MembershipFactory(confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_membership(membership, by=StaffFactory())

    assert [m.to for m in outbox.outbox] == [[membership.user.email]]
    assert Notification.objects.get().status == Notification.State.SENT


def test_a_mail_server_failure_is_recorded_and_raised_for_the_retry():
    membership = MembershipFactory()

    refused = mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused"))
    with refused, pytest.raises(OSError):
        send_message.run("membership_confirmed", membership.pk)

    record = Notification.objects.get()
    assert (record.status, "refused" in record.error) == (Notification.State.FAILED, True)
    assert (OSError in send_message.autoretry_for, send_message.max_retries) == (True, 5)
