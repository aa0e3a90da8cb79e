"""Every list page issues the same number of queries whatever the number of rows: each page
is measured with 1 and with 3 items (pretalx's rule), so an N+1 shows at once."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.domain import lifecycle
from calls.models import Application, Edition, FaqEntry, KeyDate
from municipalities.models import Commune
from municipalities.services import applicant_for
from qmi.models import Invitation
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    MembershipFactory,
    SubmittedApplicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The applicant dashboard: session, user, memberships, count + page of applications,
# their attachments, contents and challenges, the experimenters content, the open calls;
# then the sections of other apps: my municipality's districts, the experimentations I follow,
# the sides of an assessment I have to fill.
DASHBOARD_QUERIES = 13


def count_queries(client, url):
    """How many SQL queries a GET of ``url`` issues (the page must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def counts_for(client, url, grow, *, small=1, large=3):
    """The query counts of ``url`` with ``small`` then ``large`` items, ``grow(n)`` adding
    ``n`` items. A first, unmeasured request fills per-process caches."""
    grow(small)
    client.get(url)
    with_small = count_queries(client, url)
    grow(large - small)
    with_large = count_queries(client, url)
    return with_small, with_large


# --- Applicant side -----------------------------------------------------------------------


@pytest.fixture
def applicant_user():
    return UserFactory()


def _add_complete_applications(user, call):
    def grow(n):
        for _ in range(n):
            member = MembershipFactory(user=user)
            ApplicationFactory(call=call, member=member, complete=True)

    return grow


def test_dashboard_query_count_does_not_grow_with_applications(client, applicant_user):
    client.force_login(applicant_user)

    small, large = counts_for(
        client, reverse("dashboard"), _add_complete_applications(applicant_user, CallFactory())
    )

    assert small == large


def test_dashboard_query_count_with_submitted_and_draft_is_constant(client, applicant_user):
    client.force_login(applicant_user)
    call = CallFactory()

    def grow(n):
        for _ in range(n):
            SubmittedApplicationFactory(call=call, member=MembershipFactory(user=applicant_user))
            ApplicationFactory(call=call, member=MembershipFactory(user=applicant_user))

    small, large = counts_for(client, reverse("dashboard"), grow)

    assert small == large


def test_dashboard_query_count_is_pinned(client, applicant_user, django_assert_num_queries):
    _add_complete_applications(applicant_user, CallFactory())(3)
    client.force_login(applicant_user)
    client.get(reverse("dashboard"))

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200


def test_members_page_query_count_does_not_grow_with_members(client):
    owner = MembershipFactory()
    client.force_login(owner.user)

    def grow(n):
        for i in range(n):
            MembershipFactory(applicant=owner.applicant)
            Invitation.objects.create(
                applicant=owner.applicant,
                email=f"invite{Invitation.objects.count()}-{i}@ville.example",
                invited_by=owner.user,
            )

    small, large = counts_for(
        client, reverse("qmi:members", kwargs={"pk": owner.applicant_id}), grow
    )

    assert small == large


# --- Staff admin --------------------------------------------------------------------------


def _add_submitted_applications(call):
    def grow(n):
        for _ in range(n):
            SubmittedApplicationFactory(call=call)

    return grow


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status=submitted",
        "?challenge=climate",
        "?municipality__key_area=railway-station",
        "?q=Quartier",
        "?o=-5",
    ],
    ids=["all", "status", "challenge", "key area", "search", "ordered"],
)
def test_admin_application_changelist_query_count_is_constant(staff_client, query):
    url = reverse("admin:calls_application_changelist") + query

    small, large = counts_for(staff_client, url, _add_submitted_applications(CallFactory()))

    assert small == large
    # A filter that matched nothing would make the two counts trivially equal.
    html = staff_client.get(url).content.decode()
    references = list(Application.objects.values_list("reference", flat=True))
    assert (len(references), [r for r in references if r in html]) == (3, references)


def test_admin_application_changelist_lists_every_application(staff_client):
    call = CallFactory()
    applications = [SubmittedApplicationFactory(call=call) for _ in range(3)]

    response = staff_client.get(reverse("admin:calls_application_changelist") + "?status=submitted")

    html = response.content.decode()
    assert [a.reference for a in applications if a.reference in html] == [
        a.reference for a in applications
    ]


def test_admin_application_change_page_query_count_does_not_grow_with_history(staff_client):
    application = SubmittedApplicationFactory()
    url = reverse("admin:calls_application_change", args=[application.pk])

    def grow(n):
        for _ in range(n):
            lifecycle.transition(application, "reopen", by=application.created_by)
            lifecycle.transition(application, "submit", by=application.created_by)

    small, large = counts_for(staff_client, url, grow)

    assert small == large


def test_admin_commune_changelist_query_count_is_constant(staff_client):
    def grow(n):
        for commune in Commune.objects.filter(applicant__isnull=True).order_by("name")[:n]:
            applicant_for(commune)

    small, large = counts_for(
        staff_client, reverse("admin:municipalities_commune_changelist"), grow
    )

    assert small == large


def test_admin_membership_changelist_query_count_is_constant(staff_client):
    def grow(n):
        for _ in range(n):
            MembershipFactory(confirmed_at=None)

    small, large = counts_for(staff_client, reverse("admin:qmi_membership_changelist"), grow)

    assert small == large


# --- Public pages -------------------------------------------------------------------------


@pytest.fixture
def edition():
    return EditionFactory()


def _add_key_dates(edition):
    def grow(n):
        for _ in range(n):
            count = KeyDate.objects.count()
            KeyDate.objects.create(
                edition=edition,
                starts_on=date(2023, 10, 23) + timedelta(days=30 * count),
                label=f"Étape {count}",
            )

    return grow


def test_home_page_query_count_does_not_grow_with_key_dates(client, edition):
    small, large = counts_for(client, reverse("home"), _add_key_dates(edition))

    assert small == large


def test_home_page_query_count_does_not_grow_with_calls(client, edition):
    def grow(n):
        for _ in range(n):
            CallFactory(edition=edition)

    small, large = counts_for(client, reverse("home"), grow)

    assert small == large


def test_timeline_query_count_does_not_grow_with_key_dates(client, edition):
    small, large = counts_for(client, reverse("calls:timeline"), _add_key_dates(edition))

    assert small == large


def test_faq_query_count_does_not_grow_with_entries(client):
    def grow(n):
        for _ in range(n):
            position = FaqEntry.objects.count()
            FaqEntry.objects.create(
                question=f"Question {position} ?", answer="Réponse.", position=position
            )

    small, large = counts_for(client, reverse("calls:faq"), grow)

    assert small == large


def test_call_page_query_count_does_not_grow_with_applications(client):
    call = CallFactory()

    small, large = counts_for(client, call.get_absolute_url(), _add_submitted_applications(call))

    assert small == large


def test_public_pages_answer_without_any_edition(client):
    assert Edition.objects.count() == 0

    statuses = [
        client.get(reverse(name)).status_code for name in ("home", "calls:timeline", "calls:faq")
    ]

    assert statuses == [200, 200, 200]
