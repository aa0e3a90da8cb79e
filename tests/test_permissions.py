"""Every boundary of the applicant side: anonymous visitors, members of another
municipality, pending members, staff, forged requests."""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from calls.domain.workflow import Status
from calls.models import Application, Attachment, StatusChange
from municipalities.models import MunicipalityApplication
from qmi.models import Invitation, Membership
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    """The confirmed member whose municipality owns the applications below."""
    return MembershipFactory()


@pytest.fixture
def complete_draft(owner):
    return ApplicationFactory(member=owner, complete=True)


@pytest.fixture
def submitted(owner):
    return SubmittedApplicationFactory(member=owner, call=CallFactory())


def _attachment(application):
    return application.attachments.get()


def _snapshot(*applications):
    """What must not change when someone without access pokes at the applications."""
    return [
        (
            a.pk,
            Application.objects.get(pk=a.pk).status,
            MunicipalityApplication.objects.get(pk=a.pk).district_name,
            Attachment.objects.filter(application=a).count(),
            StatusChange.objects.filter(application=a).count(),
        )
        for a in applications
    ]


# Requests on an application: (name, method, on which application, the URL).
APPLICATION_REQUESTS = [
    ("edit", "get", "draft", lambda a: a.urls.edit),
    ("review", "get", "draft", lambda a: a.urls.review),
    ("submitted page", "get", "submitted", lambda a: a.urls.done),
    ("withdraw page", "get", "draft", lambda a: a.urls.withdraw),
    ("reopen page", "get", "submitted", lambda a: a.urls.reopen),
    ("attachment download", "get", "draft", lambda a: _attachment(a).get_absolute_url()),
    ("edit save", "post", "draft", lambda a: a.urls.edit),
    ("autosave", "post", "draft", lambda a: a.urls.autosave),
    ("submit", "post", "draft", lambda a: a.urls.submit),
    ("reopen", "post", "submitted", lambda a: a.urls.reopen),
    ("withdraw", "post", "draft", lambda a: a.urls.withdraw),
    (
        "attachment delete",
        "post",
        "draft",
        lambda a: reverse(
            "calls:attachment_delete",
            kwargs={"reference": a.reference, "pk": _attachment(a).pk},
        ),
    ),
]
POSTED = {"district_name": "Piraté", "note": "Piraté", "action": "save"}


def _request(client, method, url):
    if method == "post":
        return client.post(url, POSTED, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    return client.get(url)


@pytest.fixture
def applications(complete_draft, submitted):
    return {"draft": complete_draft, "submitted": submitted}


# --- Anonymous visitors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "which", "url_of"),
    APPLICATION_REQUESTS,
    ids=[r[0] for r in APPLICATION_REQUESTS],
)
def test_application_url_anonymous_is_sent_to_sign_in_and_changes_nothing(
    client, applications, name, method, which, url_of
):
    """A page goes to the sign-in page; a script's request (the autosave, sent with
    X-Requested-With) is told it is signed out, with the sign-in link."""
    application = applications[which]
    url = url_of(application)
    before = _snapshot(*applications.values())

    response = _request(client, method, url)

    if method == "post":
        assert response.status_code == 401
        assert response.json()["signed_out"] is True
    else:
        assert response.status_code == 302
        assert response.url == redirect_to_login(url).url
    assert _snapshot(*applications.values()) == before


@pytest.mark.parametrize(
    "url_of",
    [
        lambda owner, call: reverse("dashboard"),
        lambda owner, call: reverse("calls:start", kwargs={"slug": call.slug}),
        lambda owner, call: reverse("qmi:members", kwargs={"pk": owner.applicant_id}),
        lambda owner, call: reverse("municipalities:join"),
    ],
    ids=["dashboard", "start", "members", "join"],
)
def test_page_anonymous_is_redirected_to_login(client, owner, open_call, url_of):
    url = url_of(owner, open_call)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == redirect_to_login(url).url


def test_start_post_anonymous_creates_nothing(client, owner, open_call):
    response = client.post(
        reverse("calls:start", kwargs={"slug": open_call.slug}), {"applicant": owner.applicant_id}
    )

    assert response.status_code == 302
    assert Application.objects.count() == 0


# --- Members of another municipality, pending members -------------------------------------


@pytest.fixture(params=["other municipality", "pending member"])
def outsider(request, owner):
    """Someone signed in who must not reach the owner's applications."""
    if request.param == "other municipality":
        return MembershipFactory().user
    return MembershipFactory(applicant=owner.applicant, confirmed_at=None).user


@pytest.mark.parametrize(
    ("name", "method", "which", "url_of"),
    APPLICATION_REQUESTS,
    ids=[r[0] for r in APPLICATION_REQUESTS],
)
def test_application_url_outsider_gets_404_and_changes_nothing(
    client, applications, outsider, name, method, which, url_of
):
    application = applications[which]
    url = url_of(application)
    before = _snapshot(*applications.values())
    client.force_login(outsider)

    response = _request(client, method, url)

    assert response.status_code == 404
    html = response.content.decode()
    secrets = ["Quartier de la gare", "elue@ville.example", application.created_by.email]
    assert [s for s in secrets if s in html] == []
    assert _snapshot(*applications.values()) == before


def test_dashboard_outsider_does_not_list_the_application(client, applications, outsider):
    client.force_login(outsider)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert [a.reference for a in applications.values() if a.reference in html] == []


def test_attachment_of_another_application_under_my_reference_is_404(client, owner):
    mine = ApplicationFactory(member=owner, complete=True)
    # Readable by the same user, so only the reference in the URL can refuse it.
    theirs = ApplicationFactory(complete=True, member=MembershipFactory(user=owner.user))
    client.force_login(owner.user)
    assert client.get(_attachment(theirs).get_absolute_url()).status_code == 200

    response = client.get(
        reverse(
            "calls:attachment", kwargs={"reference": mine.reference, "pk": _attachment(theirs).pk}
        )
    )

    assert response.status_code == 404


def test_attachment_download_by_a_member_serves_the_file(client, owner, complete_draft):
    client.force_login(owner.user)

    response = client.get(_attachment(complete_draft).get_absolute_url())

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_attachment_download_by_staff_serves_the_file(client, complete_draft):
    client.force_login(StaffFactory())

    response = client.get(_attachment(complete_draft).get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="deliberation.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_attachment_download_by_staff_of_unknown_pk_is_404(client, complete_draft):
    client.force_login(StaffFactory())

    response = client.get(
        reverse("calls:attachment", kwargs={"reference": complete_draft.reference, "pk": 999999})
    )

    assert response.status_code == 404


# --- Members pages ------------------------------------------------------------------------


def test_members_page_of_another_applicant_is_404(client, owner):
    stranger = MembershipFactory()
    client.force_login(stranger.user)

    response = client.get(reverse("qmi:members", kwargs={"pk": owner.applicant_id}))

    assert response.status_code == 404
    assert owner.user.email not in response.content.decode()


def test_members_page_forged_invite_into_another_applicant_is_404(client, owner):
    stranger = MembershipFactory()
    client.force_login(stranger.user)

    response = client.post(
        reverse("qmi:members", kwargs={"pk": owner.applicant_id}),
        {"email": "complice@ville.example"},
    )

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_members_page_pending_member_is_404(client, owner):
    pending = MembershipFactory(applicant=owner.applicant, confirmed_at=None)
    client.force_login(pending.user)

    response = client.post(
        reverse("qmi:members", kwargs={"pk": owner.applicant_id}),
        {"email": "complice@ville.example"},
    )

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


# --- Starting an application for someone else ---------------------------------------------


def test_start_forged_applicant_id_creates_nothing(client, owner, open_call):
    stranger = MembershipFactory()
    client.force_login(stranger.user)

    response = client.post(
        reverse("calls:start", kwargs={"slug": open_call.slug}), {"applicant": owner.applicant_id}
    )

    assert response.status_code == 200
    assert Application.objects.count() == 0


def test_start_pending_member_creates_nothing(client, owner, open_call):
    pending = MembershipFactory(applicant=owner.applicant, confirmed_at=None)
    client.force_login(pending.user)

    response = client.post(
        reverse("calls:start", kwargs={"slug": open_call.slug}), {"applicant": owner.applicant_id}
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert Application.objects.count() == 0


def test_start_user_without_membership_creates_nothing(client, owner, open_call):
    client.force_login(UserFactory())

    client.post(
        reverse("calls:start", kwargs={"slug": open_call.slug}), {"applicant": owner.applicant_id}
    )

    assert Application.objects.count() == 0
    assert Membership.objects.count() == 1


def test_withdrawn_application_cannot_be_reopened(client, owner, complete_draft):
    client.force_login(owner.user)
    client.post(complete_draft.urls.withdraw)

    response = client.post(complete_draft.urls.reopen)

    assert response.status_code == 302
    assert Application.objects.get(pk=complete_draft.pk).status == Status.WITHDRAWN
