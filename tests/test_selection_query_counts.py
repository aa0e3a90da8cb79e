"""The jury dashboard, the ranking page and the applications' admin list issue the same number
of SQL queries with 10 and with 1,000 applications (each with two final reviews, bulk
created to keep the test fast)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.domain.workflow import Status
from calls.models import Application, Call
from evaluation.models import Assignment, ConflictDeclaration, Criterion, Review, Score
from municipalities.models import MunicipalityApplication
from qmi.models import Applicant
from tests.factories import CallFactory, JuryMemberFactory, StaffFactory, UserFactory, close, jury

pytestmark = pytest.mark.django_db

MEMBERS = 3


def world(n):
    """A closed call for municipalities with ``n`` eligible applications, two criteria, three
    jury members; each application is reviewed (final) by two of them, round robin."""
    call = close(CallFactory())
    jury(call, phase="deliberation")
    criteria = [
        Criterion.objects.create(call=call, label=f"C{k}", weight=k + 1, scale_max=5, position=k)
        for k in range(2)
    ]
    members = [JuryMemberFactory(call=call) for _ in range(MEMBERS)]
    author = UserFactory()
    applicants = Applicant.objects.bulk_create(
        Applicant(kind=Applicant.Kind.MUNICIPALITY, name=f"Commune {i:05d}") for i in range(n)
    )
    applications = Application.objects.bulk_create(
        Application(
            call=call,
            kind=Call.Kind.MUNICIPALITIES,
            applicant=applicant,
            created_by=author,
            reference=f"QMI7-M-{call.pk}-{i:05d}",
            status=Status.ELIGIBLE,
            submitted_at=timezone.now(),
            submitted_by=author,
        )
        for i, applicant in enumerate(applicants)
    )
    MunicipalityApplication.objects.bulk_create(
        MunicipalityApplication(application=a, district_name=f"Quartier {i}")
        for i, a in enumerate(applications)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(jury_member=members[(i + k) % MEMBERS], application=a)
        for i, a in enumerate(applications)
        for k in range(2)
    )
    now = timezone.now()
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(assignment=a, has_conflict=False, declared_at=now) for a in assignments
    )
    reviews = Review.objects.bulk_create(
        Review(
            assignment=a,
            status=Review.Status.FINAL,
            recommendation="select",
            total=1 + (i * 7) % 4,
            finalised_at=now,
        )
        for i, a in enumerate(assignments)
    )
    Score.objects.bulk_create(
        Score(review=r, criterion=c, value=1 + (i * 7) % 4)
        for i, r in enumerate(reviews)
        for c in criteria
    )
    return call, members


def count(client, url):
    client.get(url)  # warm-up: per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def counts(client_factory, url_for, sizes=(10, 1000)):
    results = []
    for n in sizes:
        call, members = world(n)
        client, url = client_factory(members), url_for(call)
        results.append(count(client, url))
    return results


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_jury_dashboard_query_count_does_not_grow(client):
    def as_member(members):
        client.force_login(members[0].user)
        return client

    small, large = counts(as_member, lambda call: reverse("evaluation:call", args=[call.slug]))

    assert small == large


def test_jury_home_query_count_does_not_grow(client):
    def as_member(members):
        client.force_login(members[0].user)
        return client

    small, large = counts(as_member, lambda call: reverse("evaluation:home"))

    assert small == large


def test_ranking_view_query_count_does_not_grow(staff_client):
    small, large = counts(
        lambda members: staff_client,
        lambda call: reverse("admin:calls_call_ranking", args=[call.pk]),
    )

    assert small == large


def test_admin_changelist_query_count_does_not_grow(staff_client):
    small, large = counts(
        lambda members: staff_client,
        lambda call: reverse("admin:calls_application_changelist") + f"?call__id__exact={call.pk}",
    )

    assert small == large
