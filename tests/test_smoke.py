import pytest
from django.core import mail

from calls.domain.workflow import Status
from tests.factories import SubmittedApplicationFactory


@pytest.mark.django_db
def test_submitted_factory_sends_acknowledgement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = SubmittedApplicationFactory()

    assert application.status == Status.SUBMITTED
    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject
