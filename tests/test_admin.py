"""The staff side in the Django admin: applications (read-only answers, history, files),
memberships and their confirmation."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from calls.domain.workflow import Status
from calls.models import Application
from qmi.models import Membership
from tests.factories import MembershipFactory, StaffFactory, SubmittedApplicationFactory

pytestmark = pytest.mark.django_db

MEMBERSHIPS_URL = "/admin/qmi/membership/"


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


@pytest.fixture
def submitted():
    return SubmittedApplicationFactory()


def _change_url(application):
    return reverse("admin:calls_application_change", args=[application.pk])


# --- Applications -------------------------------------------------------------------------


def test_application_changelist_lists_applications(client, staff, submitted):
    response = client.get("/admin/calls/application/")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [submitted]
    assert f'href="{_change_url(submitted)}"' in response.content.decode()


def test_application_changelist_filters_by_status(client, staff, submitted):
    SubmittedApplicationFactory(call=submitted.call)
    draft = Application.objects.exclude(pk=submitted.pk).get()
    Application.objects.filter(pk=draft.pk).update(status=Status.DRAFT)

    response = client.get("/admin/calls/application/?status=submitted")

    assert list(response.context["cl"].result_list) == [submitted]


def test_application_change_page_shows_the_answers(client, staff, submitted):
    response = client.get(_change_url(submitted))

    assert response.status_code == 200
    html = response.content.decode()
    assert [
        s for s in ("Quartier de la gare", "elue@ville.example", "Adjointe au maire") if s in html
    ] == [
        "Quartier de la gare",
        "elue@ville.example",
        "Adjointe au maire",
    ]


def test_application_change_page_shows_the_status_history(client, staff, submitted):
    response = client.get(_change_url(submitted))

    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    history = formsets["history"].formset.queryset
    assert [(c.transition, c.from_status, c.to_status) for c in history] == [
        ("submit", Status.DRAFT, Status.SUBMITTED)
    ]
    assert submitted.created_by.email in response.content.decode()


def test_application_change_page_links_the_attachment(client, staff, submitted):
    attachment = submitted.attachments.get()

    response = client.get(_change_url(submitted))

    assert f'<a href="{attachment.get_absolute_url()}">deliberation.pdf</a>' in (
        response.content.decode()
    )
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200


def _management_data(response):
    """The management forms of the change page's inlines, as a browser would post them."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, field in management.fields.items():
            value = management.initial.get(name, field.initial)
            data[management.add_prefix(name)] = "" if value is None else value
    return data


def test_application_status_cannot_be_changed_in_the_admin(client, staff, submitted):
    page = client.get(_change_url(submitted))

    response = client.post(_change_url(submitted), {**_management_data(page), "status": "selected"})

    assert response.status_code == 302
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert submitted.history.count() == 1


def test_application_change_page_has_no_status_input(client, staff, submitted):
    response = client.get(_change_url(submitted))

    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def test_application_cannot_be_added_or_deleted_in_the_admin(client, staff, submitted):
    add = client.get(reverse("admin:calls_application_add"))
    delete = client.post(
        reverse("admin:calls_application_delete", args=[submitted.pk]), {"post": "yes"}
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Application.objects.filter(pk=submitted.pk).exists()


def test_application_changelist_non_staff_is_sent_to_admin_login(client, submitted):
    client.force_login(submitted.created_by)

    response = client.get("/admin/calls/application/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/calls/application/"


# --- Memberships --------------------------------------------------------------------------


def test_membership_changelist_lists_pending_requests(client, staff):
    pending = MembershipFactory(confirmed_at=None)
    MembershipFactory()

    response = client.get(MEMBERSHIPS_URL + "?confirmed=no")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [pending]


def _confirm(client, memberships):
    return client.post(
        MEMBERSHIPS_URL,
        {
            "action": "confirm_memberships",
            ACTION_CHECKBOX_NAME: [m.pk for m in memberships],
            "index": 0,
        },
    )


def test_confirm_action_confirms_pending_memberships(
    client, staff, django_capture_on_commit_callbacks
):
    pending = [MembershipFactory(confirmed_at=None) for _ in range(2)]
    untouched = MembershipFactory(confirmed_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(client, pending)

    assert response.status_code == 302
    confirmed = Membership.objects.filter(confirmed_at__isnull=False, confirmed_by=staff)
    assert sorted(m.pk for m in confirmed) == sorted(m.pk for m in pending)
    assert Membership.objects.get(pk=untouched.pk).confirmed_at is None


def test_confirm_action_emails_each_user(client, staff, django_capture_on_commit_callbacks):
    pending = [MembershipFactory(confirmed_at=None) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, pending)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in pending)
    assert [len(m.to) for m in mail.outbox] == [1, 1]


def test_confirm_action_on_a_confirmed_membership_sends_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    membership = MembershipFactory()
    confirmed_at = membership.confirmed_at

    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, [membership])

    assert Membership.objects.get(pk=membership.pk).confirmed_at == confirmed_at
    assert mail.outbox == []


def test_confirm_action_forged_by_non_staff_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    pending = MembershipFactory(confirmed_at=None)
    intruder = MembershipFactory()
    client.force_login(intruder.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(client, [pending])

    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={MEMBERSHIPS_URL}"
    assert Membership.objects.get(pk=pending.pk).confirmed_at is None
    assert mail.outbox == []
